"""areas.services: the catalogue, upserting areas and storing values."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from buurtbasis.areas import indicators, services
from buurtbasis.areas.models import Area, Indicator, IndicatorValue, Level

pytestmark = pytest.mark.django_db


def test_ensure_catalogue_creates_every_indicator_once() -> None:
    first = services.ensure_catalogue()
    second = services.ensure_catalogue()
    assert set(first) == {spec.key for spec in indicators.CATALOGUE}
    assert Indicator.objects.count() == len(indicators.CATALOGUE)
    assert {k: i.pk for k, i in first.items()} == {k: i.pk for k, i in second.items()}


def test_ensure_catalogue_repairs_a_changed_label() -> None:
    services.ensure_catalogue()
    Indicator.objects.filter(key="inhabitants").update(label_nl="fout")
    services.ensure_catalogue()
    assert (
        Indicator.objects.get(key="inhabitants").label_nl
        == indicators.BY_KEY["inhabitants"].label_nl
    )


def test_upsert_area_builds_the_hierarchy_and_municipality() -> None:
    gm = services.upsert_area("GM0363", "Amsterdam")
    wk = services.upsert_area(" wk0363aa ", None, parent=gm)
    bu = services.upsert_area("BU0363AA01", "Kop Zeedijk", parent=wk)
    levels = (gm.level, wk.level, bu.level)
    assert levels == (Level.MUNICIPALITY, Level.DISTRICT, Level.NEIGHBOURHOOD)
    assert wk.code == "WK0363AA" and wk.name == "WK0363AA"
    assert gm.municipality_id == gm.pk
    assert wk.municipality_id == gm.pk and bu.municipality_id == gm.pk
    assert bu.parent_id == wk.pk


def test_upsert_area_keeps_name_when_none_and_updates_otherwise() -> None:
    gm = services.upsert_area("GM0344", "Utrecht")
    again = services.upsert_area("GM0344")
    assert again.pk == gm.pk and again.name == "Utrecht"
    renamed = services.upsert_area("GM0344", "Utrecht (gemeente)")
    assert renamed.pk == gm.pk and renamed.name == "Utrecht (gemeente)"
    assert Area.objects.count() == 1


def test_upsert_area_keeps_parent_and_boundary_when_not_given() -> None:
    gm = services.upsert_area("GM0344", "Utrecht")
    square = {"type": "Polygon", "coordinates": [[[5, 52], [5.1, 52], [5.1, 52.1], [5, 52]]]}
    services.upsert_area("WK034401", "West", parent=gm, boundary=square)
    again = services.upsert_area("WK034401", "West 2")
    assert again.parent_id == gm.pk and again.boundary == square and again.name == "West 2"


@pytest.mark.parametrize(
    "code",
    ["GM034", "GM03444", "WK03440", "WK0344A", "BU0344010", "XX0344", "", "BUAB010101", "GMabcd"],
)
def test_upsert_area_rejects_bad_codes(code: str) -> None:
    with pytest.raises(ValidationError, match="geen geldige CBS-code"):
        services.upsert_area(code, "x")
    assert Area.objects.count() == 0


def test_upsert_area_checks_the_parent_level() -> None:
    gm = services.upsert_area("GM0344", "Utrecht")
    with pytest.raises(ValidationError, match="geen wijk"):
        services.upsert_area("BU03440101", "Binnenstad", parent=gm)
    with pytest.raises(ValidationError, match="moet in een gemeente liggen"):
        services.upsert_area("WK034401", "West")
    with pytest.raises(ValidationError):
        services.upsert_area("GM0363", "Amsterdam", parent=gm)
    wk = services.upsert_area("WK034401", "West", parent=gm)
    with pytest.raises(ValidationError, match="geen gemeente"):
        services.upsert_area("WK034402", "Noordwest", parent=wk)
    assert Area.objects.count() == 2


def test_set_values_stores_replaces_and_deletes() -> None:
    gm = services.upsert_area("GM0344", "Utrecht")
    services.set_values(gm, 2024, {"inhabitants": 374238, "household_size": Decimal("1.9")})
    services.set_values(gm, 2024, {"inhabitants": 374240, "household_size": None})
    services.set_values(gm, 2023, {"inhabitants": 361966})
    rows = IndicatorValue.objects.select_related("indicator")
    stored = {(v.indicator.key, v.year): v.value for v in rows}
    assert stored == {("inhabitants", 2024): Decimal("374240"), ("inhabitants", 2023): 361966}


def test_set_values_rejects_unknown_keys_and_changes_nothing() -> None:
    gm = services.upsert_area("GM0344", "Utrecht")
    with pytest.raises(ValidationError, match="no_such_thing"):
        services.set_values(gm, 2024, {"inhabitants": 5, "no_such_thing": 1})
    with pytest.raises(ValidationError):
        services.set_values(gm, 2024, {"inhabitants": "veel"})  # type: ignore[dict-item]
    with pytest.raises(ValidationError):
        services.set_values(gm, 20240, {"inhabitants": 5})
    assert IndicatorValue.objects.count() == 0
