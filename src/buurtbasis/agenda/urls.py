from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "agenda"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("kader/<str:code>/", views.framework, name="framework"),
    path("kader/<str:code>/bewerken/", views.framework_edit, name="framework_edit"),
    path("kader/<str:code>/<slug:action>/", views.framework_action, name="framework_action"),
    path("buurttop/<int:pk>/", views.buurttop, name="buurttop"),
    path("buurttop/<int:pk>/bewerken/", views.buurttop_edit, name="buurttop_edit"),
    path("buurttop/<int:pk>/uitkomsten/", views.buurttop_outcomes, name="buurttop_outcomes"),
    path("buurttop/<int:pk>/aanmelden/", views.buurttop_register, name="buurttop_register"),
    path("buurttop/<int:pk>/aanmeldingen/", views.registrations, name="registrations"),
    path("buurttop/<int:pk>/briefing/", views.briefing, name="briefing"),
    path("buurttop/<int:pk>/briefing.pdf", views.briefing, name="briefing_pdf"),
    path("werkgroep/nieuw/<slug:kind>/<int:pk>/", views.group_add, name="group_add"),
    path("werkgroep/<int:pk>/", views.group, name="group"),
    path("werkgroep/<int:pk>/<slug:action>/", views.group_action, name="group_action"),
    path("toekomst/<int:pk>/", views.agenda_detail, name="detail"),
    path("toekomst/<int:pk>/bewerken/", views.agenda_edit, name="edit"),
    path("toekomst/<int:pk>/doel/nieuw/", views.goal_form, name="goal_add"),
    path("toekomst/<int:pk>/doel/<int:goal_pk>/", views.goal_form, name="goal_edit"),
    path("toekomst/<int:pk>/publiceren/", views.agenda_publish, name="publish"),
    path("toekomst/<int:pk>/agenda.pdf", views.agenda_pdf, name="pdf"),
    path("doel/<int:goal_pk>/actie/nieuw/", views.action_add, name="action_add"),
    path("doel/<int:goal_pk>/terugblik/", views.review_add, name="review_add"),
    path("doel/<int:goal_pk>/budget/", views.goal_budget, name="goal_budget"),
    path("actie/<int:action_pk>/stand/", views.action_status, name="action_status"),
    path("<str:code>/", views.buurttops, name="area"),
    path("<str:code>/nieuw/", views.agenda_create, name="create"),
]
