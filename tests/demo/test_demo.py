"""The demo data (``manage.py load_demo``): places that tile, consistent figures for every
indicator, a person for every role, and loading that is safe to repeat."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from pytest_django.fixtures import Settings

from buurtbasis.accounts.models import Consent, Membership, Role, User
from buurtbasis.agenda.models import Agenda
from buurtbasis.areas import indicators
from buurtbasis.areas.models import Area, Indicator, IndicatorValue, Level
from buurtbasis.areas.services import upsert_area
from buurtbasis.core import demo
from buurtbasis.core.models import AuditEvent
from buurtbasis.initiatives.models import Initiative

pytestmark = pytest.mark.django_db

# Counts of people, homes, businesses and land: a district holds exactly what its
# neighbourhoods hold, and the municipality what its districts hold.
ADDITIVE = (
    "inhabitants", "men", "women", "age_0_14", "age_15_24", "age_25_44", "age_45_64",
    "age_65_plus", "households", "single_person_households", "households_with_children",
    "dwellings", "education_high", "education_low", "social_assistance", "businesses",
    "area_total", "area_land", "area_water", "registered_crimes",
)  # fmt: skip
AGES = ("age_0_14", "age_15_24", "age_25_44", "age_45_64", "age_65_plus")


@pytest.fixture(autouse=True)
def fast_passwords(settings: Settings) -> None:
    # Real hashing is slow on purpose; the tests only need a working password.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def load_base() -> demo.Demo:
    """Places, figures and people (the steps every other domain builds on)."""
    return demo.load(demo.BASE_STEPS)


def load_demo(*args: str) -> str:
    """``manage.py load_demo`` with every domain; returns what it printed."""
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def demo_areas() -> list[Area]:
    return list(Area.objects.filter(municipality__code=demo.MUNICIPALITY_CODE))


def values() -> dict[tuple[str, int], dict[str, Decimal]]:
    """(area code, year) → indicator key → value, as stored."""
    result: dict[tuple[str, int], dict[str, Decimal]] = defaultdict(dict)
    for code, year, key, value in IndicatorValue.objects.values_list(
        "area__code", "year", "indicator__key", "value"
    ):
        result[(code, year)][key] = value
    return result


# --- Geometry helpers (plain lon/lat; the areas are small) ------------------------------------


def ring(area: Area) -> list[tuple[float, float]]:
    assert area.boundary is not None, area.code
    assert area.boundary["type"] == "Polygon"
    points = [(float(x), float(y)) for x, y in area.boundary["coordinates"][0]]
    assert points[0] == points[-1], "ring must be closed"
    return points


def signed_area(points: list[tuple[float, float]]) -> float:
    return sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(points, points[1:], strict=False)) / 2


def contains(points: list[tuple[float, float]], x: float, y: float) -> bool:
    """Ray casting: is (x, y) strictly inside the ring (points on the edge may go either way)."""
    inside = False
    for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def inner_point(points: list[tuple[float, float]]) -> tuple[float, float]:
    """A point certainly inside a ring: just inside the midpoint of its first edge."""
    (x1, y1), (x2, y2) = points[0], points[1]
    mx, my = (x1 + x2) / 2, (y1 + y2) / 2
    # Counter-clockwise ring: the interior is on the left of each edge.
    nx, ny = -(y2 - y1), x2 - x1
    point = (mx + nx * 1e-3, my + ny * 1e-3)
    assert contains(points, *point)
    return point


# --- Places -----------------------------------------------------------------------------------


def test_load_demo_builds_a_municipality_with_districts_and_neighbourhoods() -> None:
    assert load_base().municipality is not None
    municipality = Area.objects.get(code=demo.MUNICIPALITY_CODE)
    assert municipality.level == Level.MUNICIPALITY
    districts = Area.objects.filter(parent=municipality, level=Level.DISTRICT)
    neighbourhoods = Area.objects.filter(parent__in=districts, level=Level.NEIGHBOURHOOD)
    assert districts.count() >= 3
    assert neighbourhoods.count() >= 10
    assert all(d.children.exists() for d in districts)
    assert all(n.municipality_id == municipality.pk for n in neighbourhoods)
    names = [n.name for n in neighbourhoods]
    assert len(set(names)) == len(names)  # every neighbourhood has its own name


def test_every_area_has_a_boundary_in_the_netherlands_inland() -> None:
    load_base()
    for area in demo_areas():
        points = ring(area)
        assert len(points) >= 4
        assert signed_area(points) > 0, f"{area.code}: exterior ring must be counter-clockwise"
        for lon, lat in points:
            assert 5.5 <= lon <= 5.7 and 52.0 <= lat <= 52.1, (area.code, lon, lat)


def test_children_tile_their_parent_without_gaps_or_overlaps() -> None:
    load_base()
    parents = [a for a in demo_areas() if a.level != Level.NEIGHBOURHOOD]
    for parent in parents:
        outline = ring(parent)
        children = list(parent.children.all())
        assert children
        child_rings = {c.code: ring(c) for c in children}
        # Same surface: no gaps and no overlaps (unless both, exactly cancelling).
        total = sum(signed_area(r) for r in child_rings.values())
        assert total == pytest.approx(signed_area(outline), rel=1e-6)
        for code, points in child_rings.items():
            x, y = inner_point(points)
            assert contains(outline, x, y), f"{code} pokes out of {parent.code}"
            others = [c for c in child_rings if c != code]
            assert not any(contains(child_rings[o], x, y) for o in others), f"{code} overlaps"


# --- Figures ----------------------------------------------------------------------------------


def test_every_indicator_has_a_value_for_every_area_and_year() -> None:
    load_base()
    stored = values()
    keys = {spec.key for spec in indicators.CATALOGUE}
    assert set(Indicator.objects.values_list("key", flat=True)) >= keys
    for area in demo_areas():
        for year in demo.YEARS:
            missing = keys - set(stored[(area.code, year)])
            assert not missing, (area.code, year, sorted(missing))


def test_counts_add_up_from_neighbourhoods_to_municipality() -> None:
    load_base()
    stored = values()
    for parent in [a for a in demo_areas() if a.level != Level.NEIGHBOURHOOD]:
        children = list(parent.children.values_list("code", flat=True))
        for year in demo.YEARS:
            for key in ADDITIVE:
                expected = sum(stored[(c, year)][key] for c in children)
                assert stored[(parent.code, year)][key] == expected, (parent.code, year, key)


def test_figures_are_consistent_within_each_area() -> None:
    load_base()
    units = {spec.key: spec.unit for spec in indicators.CATALOGUE}
    for (code, year), v in values().items():
        where = (code, year)
        assert v["men"] + v["women"] == v["inhabitants"], where
        assert sum(v[key] for key in AGES) == v["inhabitants"], where
        assert v["area_land"] + v["area_water"] == v["area_total"], where
        assert v["single_person_households"] + v["households_with_children"] <= v["households"]
        assert v["households"] <= v["dwellings"], where
        assert v["education_high"] + v["education_low"] <= v["inhabitants"] - v["age_0_14"]
        assert v["social_minimum_households"] <= v["low_income_households"], where
        assert v["owner_occupied"] + v["social_housing"] <= 100, where
        assert 1 <= v["urbanity"] <= 5, where
        assert abs(v["household_size"] - v["inhabitants"] / v["households"]) < Decimal("0.01")
        for key, value in v.items():
            assert value >= 0, (where, key)
            if units[key] == "%":
                assert 0 <= value <= 100, (where, key, value)


def test_neighbourhoods_differ_so_strengths_and_needs_show() -> None:
    load_base()
    stored = values()
    year = demo.YEARS[-1]
    neighbourhoods = Area.objects.filter(
        level=Level.NEIGHBOURHOOD, municipality__code=demo.MUNICIPALITY_CODE
    )
    for spec in indicators.CATALOGUE:
        if spec.reading == "neutral" or spec.unit == "aantal":
            continue  # counts differ with size anyway
        figures = [stored[(n.code, year)][spec.key] for n in neighbourhoods]
        assert max(figures) >= Decimal("1.5") * min(figures), spec.key


def test_the_two_years_differ_but_the_figures_are_deterministic() -> None:
    first, last = (demo.figures_by_area(year) for year in demo.YEARS)
    assert first != last
    assert demo.figures_by_area(demo.YEARS[0]) == first
    load_base()
    stored = values()
    for code, figures in last.items():
        assert stored[(code, demo.YEARS[-1])] == figures


# --- People -----------------------------------------------------------------------------------


def test_there_is_a_demo_person_for_every_role() -> None:
    load_base()
    emails = [email for email, _description in demo.demo_users()]
    assert all(email.endswith("@demo.buurtbasis.nl") for email in emails)
    roles = set(
        Membership.objects.filter(
            user__email__in=emails, area__municipality__code=demo.MUNICIPALITY_CODE
        ).values_list("role", flat=True)
    )
    assert roles == set(Role.values)
    professional = Membership.objects.get(role=Role.PROFESSIONAL, user__email__in=emails)
    assert professional.organisation is not None
    assert professional.organisation.name == "Welzijn Lindewaard"


def test_demo_people_sign_in_with_the_published_password() -> None:
    load_base()
    for email, _description in demo.demo_users():
        assert authenticate(username=email, password=demo.DEMO_PASSWORD) is not None, email
    assert authenticate(username=email, password="wrong-password") is None


def test_the_assisted_account_has_no_email_and_recorded_consent() -> None:
    load_base()
    professional = User.objects.get(email="professional@demo.buurtbasis.nl")
    assisted = User.objects.get(assisted_by=professional)
    assert assisted.email is None
    assert not assisted.has_usable_password()
    assert assisted.is_assisted
    consent = assisted.consents.get(purpose=Consent.Purpose.ASSISTED_ACCOUNT)
    assert consent.given
    assert consent.recorded_by == professional
    assert consent.method in {Consent.Method.PAPER, Consent.Method.IN_PERSON}
    assert Membership.objects.filter(
        user=assisted, role=Role.RESIDENT, area=assisted.home_neighbourhood
    ).exists()
    assert AuditEvent.objects.filter(
        action="accounts.register_assisted", actor=professional, object_id=str(assisted.pk)
    ).exists()


def test_demo_logins_lists_the_people_once_loaded() -> None:
    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert "bewoner@demo.buurtbasis.nl" not in out.getvalue()
    load_base()
    out = StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    assert demo.DEMO_PASSWORD in text
    for email, description in demo.demo_users():
        assert email in text and description in text


# --- Loading again ----------------------------------------------------------------------------


def snapshot() -> dict[str, int]:
    """The number of rows of every model."""
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


def test_load_demo_loads_every_domain_once() -> None:
    out = load_demo("--if-empty")
    assert "Loaded" in out and "Lindewaard" in out
    loaded = snapshot()
    assert loaded["areas.Area"] >= 14 and loaded["accounts.User"] >= 8
    # Every domain after the base added something of its own.
    base_apps = {"areas", "accounts", "core", "auth", "contenttypes", "sessions", "admin"}
    assert any(n for label, n in loaded.items() if label.split(".")[0] not in base_apps)
    # The initiatives come after places and the agenda, so some are at a demo place and
    # work towards a goal of the published agenda of their district.
    linked = Initiative.objects.filter(
        place__isnull=False, agenda_goals__agenda__status=Agenda.Status.PUBLISHED
    ).distinct()
    assert linked.count() >= 2
    for initiative in linked:
        assert initiative.place is not None
        assert initiative.place.area.municipality_id == initiative.area.municipality_id
        district = initiative.area.parent_id
        assert all(g.agenda.area_id == district for g in initiative.agenda_goals.all())
    # Running it again (without --if-empty) finds everything and changes nothing.
    assert "already present" in load_demo()
    assert snapshot() == loaded
    # And with --if-empty it does not even look.
    assert "not loaded" in load_demo("--if-empty")
    assert snapshot() == loaded
    # The demo's money went through the ledger and every ledger invariant holds.
    assert loaded["ledger.Transaction"] > 0
    ledger_report = StringIO()
    call_command("check_ledger", stdout=ledger_report)
    assert "Grootboek klopt" in ledger_report.getvalue()


def test_if_empty_does_nothing_when_any_area_exists() -> None:
    upsert_area("GM0344", "Utrecht")
    before = snapshot()
    out = load_demo("--if-empty")
    assert "not loaded" in out
    assert snapshot() == before
    assert not Area.objects.filter(code=demo.MUNICIPALITY_CODE).exists()


def test_demo_completes_a_partly_loaded_database() -> None:
    """An earlier demo without the people (e.g. from an older version) is completed."""
    demo_instance = demo.Demo()
    demo.load_areas(demo_instance)
    assert not User.objects.exists()
    load_base()
    assert User.objects.filter(email__endswith="@demo.buurtbasis.nl").count() == len(demo.PEOPLE)
