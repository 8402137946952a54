"""``/api/v1/places/``: places and activities per area (read: public; add: signed in)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.responses import Status
from ninja.security import django_auth

from buurtbasis.areas.models import Area

from . import selectors, services
from .models import Place

router = Router(tags=["places"])


class ErrorOut(Schema):
    error: str
    fields: dict[str, list[str]] = Field(default_factory=dict)


class PlaceOut(Schema):
    id: int
    name: str
    kind: str = Field(..., description="Vaste sleutel van de soort, bijv. buurtkamer.")
    kind_label: str
    area: str = Field(..., description="CBS-code van de buurt.")
    description: str
    address: str
    latitude: float | None
    longitude: float | None
    schedule: str
    how_to_join: str
    drop_in: bool
    host_name: str
    wheelchair_accessible: bool
    accessibility: str
    is_active: bool
    url: str


class PlaceIn(Schema):
    area: str = Field(..., description="CBS-code van de buurt, bijv. BU03440101.")
    name: str = ""
    kind: str = ""
    description: str = ""
    address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    schedule: str = ""
    how_to_join: str = ""
    drop_in: bool = False
    host_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    wheelchair_accessible: bool = False
    accessibility: str = ""


def place_out(place: Place) -> dict[str, object]:
    return {
        "id": place.pk,
        "name": place.name,
        "kind": place.kind,
        "kind_label": place.kind_label,
        "area": place.area.code,
        "description": place.description,
        "address": place.address,
        "latitude": float(place.latitude) if place.latitude is not None else None,
        "longitude": float(place.longitude) if place.longitude is not None else None,
        "schedule": place.schedule,
        "how_to_join": place.how_to_join,
        "drop_in": place.drop_in,
        "host_name": place.host_name,
        "wheelchair_accessible": place.wheelchair_accessible,
        "accessibility": place.accessibility,
        "is_active": place.is_active,
        "url": place.get_absolute_url(),
    }


@router.get(
    "/",
    response={200: list[PlaceOut], 404: ErrorOut},
    summary="Plekken in een gebied",
    description="De plekken en activiteiten die nog lopen in een buurt, of in alle buurten van "
    "een wijk of gemeente.",
)
def list_places(request: HttpRequest, area: str) -> object:
    found = Area.objects.filter(code=area.strip().upper()).first()
    if found is None:
        return Status(404, {"error": _("Gebied %(code)s bestaat niet.") % {"code": area}})
    return [place_out(p) for p in selectors.places_in(found)]


@router.get("/{place_id}", response={200: PlaceOut, 404: ErrorOut}, summary="Eén plek")
def get_place(request: HttpRequest, place_id: int) -> object:
    place = Place.objects.select_related("area").filter(pk=place_id).first()
    if place is None:
        return Status(404, {"error": _("Deze plek bestaat niet.")})
    return place_out(place)


@router.post(
    "/",
    response={201: PlaceOut, 400: ErrorOut, 403: ErrorOut},
    auth=django_auth,
    summary="Plek toevoegen",
    description="Een bewoner (of een professional die helpt) voegt een plek toe in een buurt "
    "waar hij of zij woont of werkt.",
)
def create_place(request: HttpRequest, payload: PlaceIn) -> object:
    data = payload.dict()
    area = Area.objects.filter(code=data.pop("area").strip().upper()).first()
    try:
        place = services.create_place(request.user, area, data)
    except ValidationError as exc:
        return Status(
            400,
            {"error": _("Niet alles is goed ingevuld."), "fields": exc.message_dict},
        )
    except PermissionDenied as exc:
        return Status(403, {"error": str(exc)})
    return Status(201, place_out(place))
