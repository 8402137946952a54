"""``/api/v1/wijkbeeld/``: the parts of a wijkbeeld (public; key people are never included)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.responses import Status

from buurtbasis.areas.models import Area

from . import selectors

router = Router(tags=["wijkbeeld"])


class ErrorOut(Schema):
    error: str


class PartOut(Schema):
    id: int
    kind: str = Field(..., description="statistics, places, initiatives, professionals, …")
    title: str
    body: str
    author: str = Field(..., description="De naam die de schrijver anderen laat zien.")
    written_on: str = Field(..., description="Datum (JJJJ-MM-DD).")
    version: int


@router.get(
    "/{code}/parts",
    response={200: list[PartOut], 404: ErrorOut},
    summary="Onderdelen van een wijkbeeld",
    description="De onderdelen in volgorde, elk met schrijver, datum en versienummer.",
)
def parts(request: HttpRequest, code: str) -> object:
    area = Area.objects.filter(code=code.strip().upper()).first()
    wijkbeeld = selectors.wijkbeeld_for(area) if area else None
    if wijkbeeld is None:
        return Status(404, {"error": _("Dit gebied heeft nog geen wijkbeeld.")})
    return [
        selectors.part_as_dict(p)
        for p in wijkbeeld.parts.select_related("author").order_by("position", "pk")
    ]
