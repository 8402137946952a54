from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from .api import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("buurtbasis.core.urls")),
    path("gebieden/", include("buurtbasis.areas.urls")),
    path("account/", include("buurtbasis.accounts.urls")),
    path("budgetten/", include("buurtbasis.budgets.urls")),
    path("initiatieven/", include("buurtbasis.initiatives.urls")),
    path("burenhulp/", include("buurtbasis.mutualhelp.urls")),
    path("plekken/", include("buurtbasis.places.urls")),
    path("wijkbeeld/", include("buurtbasis.wijkbeeld.urls")),
    path("agenda/", include("buurtbasis.agenda.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("beheer/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
