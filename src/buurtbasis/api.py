"""The JSON API, ``/api/v1/``. Each app contributes a router in its own ``api.py``; the OpenAPI
document is served at ``/api/v1/openapi.json``.

No interactive docs page: ninja's Swagger page loads scripts from a CDN and runs an inline
script, which the strict CSP blocks. Any OpenAPI viewer can read openapi.json instead."""

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import HttpError

from buurtbasis.agenda.api import router as agenda_router
from buurtbasis.areas.api import router as areas_router
from buurtbasis.budgets.api import router as budgets_router
from buurtbasis.initiatives.api import router as initiatives_router
from buurtbasis.mutualhelp.api import router as mutualhelp_router
from buurtbasis.places.api import router as places_router
from buurtbasis.wijkbeeld.api import router as wijkbeeld_router

api = NinjaAPI(
    title="Buurtbasis API",
    version="1",
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url=None,
)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"error": str(exc)}, status=exc.status_code)


@api.exception_handler(Exception)
def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    from django.http import Http404

    if isinstance(exc, Http404):
        return api.create_response(request, {"error": _("Niet gevonden.")}, status=404)
    raise exc


api.add_router("/areas/", areas_router)
api.add_router("/budgets/", budgets_router)
api.add_router("/initiatives/", initiatives_router)
api.add_router("/help/", mutualhelp_router)
api.add_router("/places/", places_router)
api.add_router("/wijkbeeld/", wijkbeeld_router)
api.add_router("/agenda/", agenda_router)
