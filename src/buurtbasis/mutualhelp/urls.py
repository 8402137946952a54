from django.urls import URLPattern, URLResolver

app_name = "mutualhelp"
urlpatterns: list[URLPattern | URLResolver] = []
