from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "wijkbeeld"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("onderdeel/<int:pk>/bewerken/", views.part_edit, name="part_edit"),
    path("onderdeel/<int:pk>/versies/", views.part_history, name="part_history"),
    path("onderdeel/<int:pk>/reageren/", views.comment, name="comment"),
    path("gesprek/<int:pk>/", views.round_detail, name="round"),
    path("gesprek/<int:pk>/sluiten/", views.round_close, name="round_close"),
    path("sterkhouder/<int:pk>/weghalen/", views.key_person_remove, name="key_person_remove"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/maken/", views.create, name="create"),
    path("<str:code>/inleiding/", views.edit_intro, name="edit_intro"),
    path("<str:code>/onderdeel/nieuw/", views.part_add, name="part_add"),
    path("<str:code>/veranderingen/", views.changes, name="changes"),
    path("<str:code>/gesprekken/", views.rounds, name="rounds"),
    path("<str:code>/organisaties/nieuw/", views.presence_form, name="presence_add"),
    path("<str:code>/organisaties/<int:pk>/", views.presence_form, name="presence_edit"),
    path("<str:code>/sterkhouders/nieuw/", views.key_person_add, name="key_person_add"),
    path(
        "<str:code>/sterkhouders/toestemming/",
        views.key_person_consent,
        name="key_person_consent",
    ),
    path("<str:code>/wijkbeeld.pdf", views.pdf, name="pdf"),
]
