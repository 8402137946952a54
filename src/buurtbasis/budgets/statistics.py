"""The neighbourhood statistics the allocation uses, read in a fixed number of queries.

Counts (unit ``aantal``, e.g. inhabitants aged 65+) are compared as a share of their base in
the same area (inhabitants, or households for household counts), so a big district does not
count twice; percentages and rates are compared as they are. The municipal reference is the
municipality's own figure when it has one, else the inhabitant-weighted mean of its districts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction

from buurtbasis.areas.models import Area, IndicatorValue, Level

INHABITANTS = "inhabitants"
HOUSEHOLDS = "households"
#: Counts compared per household instead of per inhabitant.
HOUSEHOLD_COUNTS = frozenset({"single_person_households", "households_with_children"})
COUNT_UNIT = "aantal"


@dataclass
class DistrictStats:
    district: Area
    inhabitants: int | None
    #: Comparable values (shares or rates) per indicator key; missing keys are unknown.
    values: dict[str, Fraction] = field(default_factory=dict)


@dataclass
class MunicipalStats:
    districts: list[DistrictStats]
    reference: dict[str, Fraction]


def _base_key(key: str) -> str:
    return HOUSEHOLDS if key in HOUSEHOLD_COUNTS else INHABITANTS


def _latest(
    rows: Iterable[IndicatorValue], year: int | None
) -> dict[int, dict[str, tuple[int, Fraction]]]:
    latest: dict[int, dict[str, tuple[int, Fraction]]] = {}
    for row in rows:
        if year is not None and row.year > year:
            continue
        per_area = latest.setdefault(row.area_id, {})
        current = per_area.get(row.indicator.key)
        if current is None or row.year > current[0]:
            per_area[row.indicator.key] = (row.year, Fraction(row.value))
    return latest


def _comparable(raw: dict[str, tuple[int, Fraction]], key: str, unit: str) -> Fraction | None:
    found = raw.get(key)
    if found is None:
        return None
    if unit != COUNT_UNIT:
        return found[1]
    base = raw.get(_base_key(key))
    if base is None or base[1] <= 0:
        return None
    return found[1] / base[1]


def load(municipality: Area, indicator_units: dict[str, str], year: int | None) -> MunicipalStats:
    """The districts of ``municipality`` (ordered by code) with their inhabitants and the
    comparable value of each indicator in ``indicator_units`` (key → catalogue unit), and the
    municipal reference values. Two queries."""
    districts = list(
        Area.objects.filter(municipality=municipality, level=Level.DISTRICT).order_by("code")
    )
    keys = set(indicator_units) | {INHABITANTS, HOUSEHOLDS}
    rows = IndicatorValue.objects.filter(
        area_id__in=[d.pk for d in districts] + [municipality.pk], indicator__key__in=keys
    ).select_related("indicator")
    latest = _latest(rows, year)

    result: list[DistrictStats] = []
    for district in districts:
        raw = latest.get(district.pk, {})
        inh = raw.get(INHABITANTS)
        stats = DistrictStats(
            district=district,
            inhabitants=int(inh[1]) if inh is not None and inh[1] >= 0 else None,
        )
        for key, unit in indicator_units.items():
            value = _comparable(raw, key, unit)
            if value is not None:
                stats.values[key] = value
        result.append(stats)

    reference: dict[str, Fraction] = {}
    own = latest.get(municipality.pk, {})
    for key, unit in indicator_units.items():
        value = _comparable(own, key, unit)
        if value is None:
            value = _weighted_mean(result, key)
        if value is not None:
            reference[key] = value
    return MunicipalStats(districts=result, reference=reference)


def _weighted_mean(districts: list[DistrictStats], key: str) -> Fraction | None:
    total = Fraction(0)
    weight = 0
    for d in districts:
        if key in d.values and d.inhabitants:
            total += d.values[key] * d.inhabitants
            weight += d.inhabitants
    return total / weight if weight else None
