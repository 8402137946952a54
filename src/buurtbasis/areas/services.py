"""Business rules for areas and their statistics.

The importers (``import_cbs``, ``import_boundaries``) and the demo data build on these plain
functions; they validate and raise :class:`django.core.exceptions.ValidationError` with a
translated message on bad input, and change nothing then.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from buurtbasis.core import audit

from . import indicators
from .models import PARENT_LEVEL, Area, Indicator, IndicatorValue, Level

if TYPE_CHECKING:
    from . import importers

# CBS codes: GM + 4 digits; WK + municipality digits + 2 characters (Amsterdam uses letters,
# e.g. WK0363AA); BU + district part + 2 characters (e.g. BU0363AC02).
CODE_PATTERNS: dict[str, re.Pattern[str]] = {
    Level.MUNICIPALITY: re.compile(r"GM\d{4}"),
    Level.DISTRICT: re.compile(r"WK\d{4}[0-9A-Z]{2}"),
    Level.NEIGHBOURHOOD: re.compile(r"BU\d{4}[0-9A-Z]{4}"),
}

# IndicatorValue.value is DecimalField(max_digits=18, decimal_places=4).
MAX_ABS_VALUE = Decimal("1e14")


def normalise_code(code: str) -> str:
    """Strip surrounding spaces and upper-case a CBS code."""
    return code.strip().upper()


def level_of(code: str) -> str:
    """The level (``GM``/``WK``/``BU``) of a CBS code, or raise ValidationError when the code is
    not a valid municipality, district or neighbourhood code."""
    code = normalise_code(code)
    prefix = code[:2]
    pattern = CODE_PATTERNS.get(prefix)
    if pattern is None or not pattern.fullmatch(code):
        raise ValidationError(
            _(
                "%(code)s is geen geldige CBS-code. Gebruik GM met 4 cijfers, WK met 6 tekens "
                "of BU met 8 tekens (bijvoorbeeld GM0344, WK034401, BU03440101)."
            )
            % {"code": code or '""'},
            code="invalid_code",
        )
    return prefix


def is_valid_code(code: str) -> bool:
    """True when ``code`` is a valid GM/WK/BU code."""
    try:
        level_of(code)
    except ValidationError:
        return False
    return True


def parent_code(code: str) -> str | None:
    """The code of the area that contains ``code`` derived from its digits:
    BU03440101 → WK034401 → GM0344 → None."""
    code = normalise_code(code)
    level = level_of(code)
    if level == Level.NEIGHBOURHOOD:
        return "WK" + code[2:8]
    if level == Level.DISTRICT:
        return "GM" + code[2:6]
    return None


def ensure_catalogue() -> dict[str, Indicator]:
    """Create or update one :class:`Indicator` row per entry in
    :data:`indicators.CATALOGUE`; idempotent. Returns the indicators by key."""
    result: dict[str, Indicator] = {}
    with transaction.atomic():
        existing = {i.key: i for i in Indicator.objects.all()}
        for position, spec in enumerate(indicators.CATALOGUE, start=1):
            wanted = {
                "label_nl": spec.label_nl,
                "label_en": spec.label_en,
                "unit": spec.unit,
                "source_table": spec.source_table,
                "reading": spec.reading,
                "position": position * 10,
            }
            indicator = existing.get(spec.key)
            if indicator is None:
                indicator = Indicator.objects.create(key=spec.key, **wanted)
            elif any(getattr(indicator, field) != value for field, value in wanted.items()):
                for field, value in wanted.items():
                    setattr(indicator, field, value)
                indicator.save()
            result[spec.key] = indicator
    return result


def upsert_area(
    code: str,
    name: str | None = None,
    *,
    parent: Area | None = None,
    boundary: dict[str, Any] | None = None,
) -> Area:
    """Create or update the area with CBS ``code``.

    The level follows from the code prefix (GM/WK/BU). A district's parent must be a
    municipality and a neighbourhood's parent a district; a municipality has no parent. The
    ``municipality`` column is set to the area itself for a municipality and to the parent's
    municipality otherwise. ``name=None`` keeps an existing name (a new area gets its code as
    name); ``parent=None`` keeps an existing parent; ``boundary=None`` keeps an existing
    boundary. Raises ValidationError (translated) on bad input and then changes nothing.
    """
    code = normalise_code(code)
    level = level_of(code)
    if name is not None:
        name = name.strip()
        if not name:
            raise ValidationError(_("De naam van %(code)s is leeg.") % {"code": code})
        if len(name) > 200:
            raise ValidationError(
                _("De naam van %(code)s is te lang (meer dan 200 tekens).") % {"code": code}
            )
    if level == Level.MUNICIPALITY and parent is not None:
        raise ValidationError(_("Een gemeente ligt niet in een ander gebied."), code="parent")
    if boundary is not None and not (isinstance(boundary, dict) and "type" in boundary):
        raise ValidationError(_("De grens moet een GeoJSON-geometrie zijn."), code="boundary")

    with transaction.atomic():
        area = Area.objects.filter(code=code).first()
        if parent is None and area is not None:
            parent = area.parent
        if level != Level.MUNICIPALITY:
            if parent is None:
                raise ValidationError(
                    _("%(code)s moet in een %(level)s liggen; geef het bovenliggende gebied op.")
                    % {"code": code, "level": Level(PARENT_LEVEL[Level(level)]).label},
                    code="parent",
                )
            if parent.level != PARENT_LEVEL[Level(level)]:
                raise ValidationError(
                    _("%(code)s kan niet in %(parent)s liggen: dat is geen %(level)s.")
                    % {
                        "code": code,
                        "parent": parent.code,
                        "level": Level(PARENT_LEVEL[Level(level)]).label,
                    },
                    code="parent",
                )
        if area is None:
            area = Area(code=code, level=level, name=name or code)
        elif name is not None:
            area.name = name
        area.parent = parent
        if boundary is not None:
            area.boundary = boundary
        if level == Level.MUNICIPALITY:
            if area.pk is None:
                area.save()
            area.municipality = area
        else:
            assert parent is not None
            area.municipality_id = parent.municipality_id
        area.save()
    return area


def _to_decimal(key: str, value: Decimal | int | float | str) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(
            _("%(key)s: %(value)s is geen getal.") % {"key": key, "value": value}
        ) from exc
    if not number.is_finite() or abs(number) >= MAX_ABS_VALUE:
        raise ValidationError(
            _("%(key)s: %(value)s is geen bruikbaar getal.") % {"key": key, "value": value}
        )
    return number.quantize(Decimal("0.0001"))


def set_values(area: Area, year: int, values: dict[str, Decimal | int | None]) -> None:
    """Store statistics of ``area`` for ``year``, keyed by indicator key (see
    :mod:`indicators`). An existing value is replaced; ``None`` removes the value for that
    year. Unknown keys, years outside 1900–2100 or non-numbers raise ValidationError and then
    nothing is changed."""
    if not 1900 <= int(year) <= 2100:
        raise ValidationError(_("%(year)s is geen geldig jaar.") % {"year": year})
    catalogue = {i.key: i for i in Indicator.objects.filter(key__in=list(values))}
    missing = [k for k in values if k not in catalogue and k in indicators.BY_KEY]
    if missing:
        catalogue = ensure_catalogue()
    unknown = sorted(k for k in values if k not in catalogue)
    if unknown:
        raise ValidationError(
            _("Onbekende indicator: %(keys)s.") % {"keys": ", ".join(unknown)}, code="indicator"
        )
    to_store = {k: _to_decimal(k, v) for k, v in values.items() if v is not None}
    to_delete = [catalogue[k].pk for k, v in values.items() if v is None]
    with transaction.atomic():
        if to_delete:
            IndicatorValue.objects.filter(area=area, year=year, indicator_id__in=to_delete).delete()
        if to_store:
            IndicatorValue.objects.bulk_create(
                [
                    IndicatorValue(area=area, indicator=catalogue[k], year=year, value=v)
                    for k, v in to_store.items()
                ],
                update_conflicts=True,
                unique_fields=["area", "indicator", "year"],
                update_fields=["value"],
            )


def import_cbs(
    path: str | Path,
    year: int | None = None,
    *,
    progress: Callable[[str], None] | None = None,
    origin: str | None = None,
) -> importers.CbsResult:
    """Import a CBS statistics file (KWB spreadsheet, StatLine/OData or names list; see
    :mod:`buurtbasis.areas.importers`). Everything is validated first; on any problem a
    ValidationError lists file, row and column and nothing is changed. Otherwise areas and
    values are written in one transaction and an ``areas.import_cbs`` audit event is recorded.
    """
    from . import importers

    report = progress or (lambda message: None)
    plan = importers.read_cbs_file(path, year, progress=report)
    with transaction.atomic():
        result = importers.write_cbs_plan(plan, progress=report)
        audit.record(None, "areas.import_cbs", origin=origin, **result.as_detail())
    return result


def import_boundaries(
    path: str | Path,
    *,
    dry_run: bool = False,
    code_property: str | None = None,
    origin: str | None = None,
) -> importers.BoundaryResult:
    """Import area boundaries from a GeoJSON file (CBS wijk- en buurtkaart or a municipal
    export), reprojected to WGS84, matched to existing areas by CBS code. All or nothing; with
    ``dry_run`` only the report is made. Records an ``areas.import_boundaries`` audit event."""
    from . import importers

    plan = importers.read_boundary_file(path, code_property)
    with transaction.atomic():
        result = importers.write_boundaries(plan, dry_run=dry_run)
        if not dry_run:
            audit.record(None, "areas.import_boundaries", origin=origin, **result.as_detail())
    return result
