from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "budgets"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.framework_list, name="framework_list"),
    path("kaders/nieuw/", views.framework_create, name="framework_create"),
    path("kaders/<int:pk>/", views.framework_detail, name="framework_detail"),
    path("kaders/<int:pk>/instellingen/", views.framework_edit, name="framework_edit"),
    path("kaders/<int:pk>/bronnen/", views.framework_sources, name="framework_sources"),
    path("kaders/<int:pk>/themas/", views.framework_themes, name="framework_themes"),
    path("kaders/<int:pk>/gewichten/", views.framework_weights, name="framework_weights"),
    path("kaders/<int:pk>/voorvertoning/", views.framework_preview, name="framework_preview"),
    path("kaders/<int:pk>/vaststellen/", views.framework_adopt, name="framework_adopt"),
    path("kaders/<int:pk>/toezeggingen-verlengen/", views.framework_renew, name="framework_renew"),
    path(
        "kaders/<int:pk>/jaar-afsluiten/", views.framework_close_year, name="framework_close_year"
    ),
    path("wijk/<str:code>/", views.district_budget, name="district_budget"),
    path("wijk/<str:code>/geldstromen/", views.money_flow, name="money_flow"),
    path("regel/<int:pk>/", views.line_detail, name="line_detail"),
    path("regel/<int:pk>/toezegging/", views.commitment_create, name="commitment_create"),
    path("regel/<int:pk>/bewonersgroep/", views.group_create, name="group_create"),
    path("regel/<int:pk>/trekkingsrecht/", views.drawing_right_create, name="drawing_right_create"),
    path("toezegging/<int:pk>/opzeggen/", views.commitment_end, name="commitment_end"),
    path("trekkingsrechten/", views.drawing_right_list, name="drawing_right_list"),
    path("trekkingsrechten/<int:pk>/", views.drawing_right_detail, name="drawing_right_detail"),
    path("uren/<int:pk>/bevestigen/", views.delivery_confirm, name="delivery_confirm"),
    path("uren/<int:pk>/betwisten/", views.delivery_dispute, name="delivery_dispute"),
    path("open-data/", views.open_data, name="open_data"),
    path("open-data/<str:dataset>.<str:fmt>", views.open_data_file, name="open_data_file"),
]
