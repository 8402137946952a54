"""``/api/v1/areas/``: areas and their statistics, read-only and public (CBS open data)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.responses import Status

from .models import Area, IndicatorValue
from .selectors import get_area

router = Router(tags=["areas"])


class ErrorOut(Schema):
    error: str = Field(..., description="Wat er mis is, in de taal van het verzoek.")


class AreaRef(Schema):
    code: str = Field(..., description="CBS-code, bijvoorbeeld GM0344, WK034401, BU03440101.")
    name: str


class ChildOut(AreaRef):
    level: str = Field(..., description="GM (gemeente), WK (wijk) of BU (buurt).")


class AreaOut(Schema):
    code: str = Field(..., description="CBS-code, bijvoorbeeld GM0344, WK034401, BU03440101.")
    name: str
    level: str = Field(..., description="GM (gemeente), WK (wijk) of BU (buurt).")
    parent: AreaRef | None = Field(..., description="Het gebied waarin dit gebied ligt.")
    children: list[ChildOut] = Field(..., description="De gebieden direct hierin, op naam.")


class StatisticOut(Schema):
    indicator: str = Field(..., description="Vaste sleutel van het cijfer, bijv. inhabitants.")
    label: str = Field(..., description="Naam van het cijfer in de taal van het verzoek.")
    year: int
    value: float
    unit: str = Field(..., description="Eenheid, bijv. aantal, %, km, x 1.000 euro.")
    source: str = Field(..., description="Brontabel, bijv. CBS Kerncijfers wijken en buurten.")


def _not_found(code: str) -> Status[dict[str, str]]:
    return Status(
        404, {"error": _("Gebied %(code)s bestaat niet.") % {"code": code.strip().upper()}}
    )


@router.get(
    "/{code}",
    response={200: AreaOut, 404: ErrorOut},
    summary="Een gebied",
    description="Een gemeente, wijk of buurt met het gebied erboven en de gebieden erin. "
    "De code mag in kleine of hoofdletters.",
)
def area_detail(request: HttpRequest, code: str) -> object:
    try:
        area = get_area(code)
    except Area.DoesNotExist:
        return _not_found(code)
    kids = Area.objects.filter(parent=area).only("code", "name", "level").order_by("name", "code")
    return {
        "code": area.code,
        "name": area.name,
        "level": area.level,
        "parent": {"code": area.parent.code, "name": area.parent.name} if area.parent else None,
        "children": [{"code": k.code, "name": k.name, "level": k.level} for k in kids],
    }


@router.get(
    "/{code}/statistics",
    response={200: list[StatisticOut], 404: ErrorOut},
    summary="Cijfers van een gebied",
    description="Zonder `year`: het nieuwste cijfer van elke indicator. Met `year`: alleen de "
    "cijfers van dat jaar (een lege lijst als er geen zijn).",
)
def area_statistics(request: HttpRequest, code: str, year: int | None = None) -> object:
    area = Area.objects.filter(code=code.strip().upper()).only("pk").first()
    if area is None:
        return _not_found(code)
    values = (
        IndicatorValue.objects.filter(area=area)
        .select_related("indicator")
        .order_by("indicator__position", "indicator__key", "-year")
    )
    if year is not None:
        values = values.filter(year=year)
    seen: set[str] = set()
    result = []
    for v in values:
        if v.indicator.key in seen:
            continue  # an older year of an indicator already listed
        seen.add(v.indicator.key)
        result.append(
            {
                "indicator": v.indicator.key,
                "label": v.indicator.label,
                "year": v.year,
                "value": float(v.value),
                "unit": v.indicator.unit,
                "source": v.indicator.source_table,
            }
        )
    return result
