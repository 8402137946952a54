from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "places"
urlpatterns: list[URLPattern | URLResolver] = [
    path("plek/<int:pk>/", views.place_detail, name="detail"),
    path("plek/<int:pk>/bewerken/", views.place_edit, name="edit"),
    path("plek/<int:pk>/bijhouden/", views.place_keep, name="keep"),
    path("<str:code>/", views.area_places, name="area"),
    path("<str:code>/nieuw/", views.place_create, name="create"),
    path("<str:code>/contact/", views.area_contact, name="contact"),
    path("<str:code>/poster.pdf", views.poster_pdf, name="poster"),
    path("<str:code>/kaart.pdf", views.card_pdf, name="card"),
]
