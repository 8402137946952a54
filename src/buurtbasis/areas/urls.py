from django.urls import path

from . import views

app_name = "areas"
urlpatterns = [
    path("kies/", views.choose, name="choose"),
    path("<str:code>/", views.area_detail, name="detail"),
]
