from django.urls import URLPattern, URLResolver

app_name = "wijkbeeld"
urlpatterns: list[URLPattern | URLResolver] = []
