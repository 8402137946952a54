"""Fixtures for the initiative tests: an invented town (two districts, three neighbourhoods)
with an adopted budget for this year, people in every role, a host organisation, and a few
helpers. Everything goes through the real services and the real database."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import pytest
from django.utils import timezone

from buurtbasis.accounts.models import Membership, Organisation, Role, User
from buurtbasis.accounts.services import (
    get_or_create_organisation,
    grant_role,
    register_user,
    verify_resident,
)
from buurtbasis.areas.models import Area
from buurtbasis.areas.services import ensure_catalogue, set_values, upsert_area
from buurtbasis.budgets import services as budgets
from buurtbasis.budgets.models import BudgetFramework, BudgetLine
from buurtbasis.initiatives import services
from buurtbasis.initiatives.models import Initiative

STAT_YEAR = 2024
_counter = itertools.count(1)


@dataclass
class Town:
    municipality: Area
    north: Area  # the district where most things happen
    south: Area
    bu_a: Area  # neighbourhoods of north
    bu_b: Area
    bu_south: Area


@dataclass
class People:
    resident: User  # lives in bu_a
    neighbour: User  # lives in bu_b
    owner: User  # an initiator in bu_a
    professional: User  # of north
    professional_south: User
    official: User  # civil servant of the municipality
    admin: User
    council: User
    funder: User
    outsider: User  # no role at all
    southerner: User  # resident of the other district
    jurors: list[User] = field(default_factory=list)  # residents of north
    host: Organisation | None = None


def make_user(name: str, home: Area | None = None, *, verified: bool = True) -> User:
    """A person; with a home neighbourhood a resident there, confirmed by an administrator of
    the municipality (unless ``verified=False``: a self-declared resident)."""
    user = register_user(
        email=f"ini-{name}-{next(_counter)}@example.org",
        display_name=name.replace("-", " ").title(),
        home_neighbourhood=home,
    )
    if home is not None and verified:
        verify(user, home)
    return user


def verify(user: User, home: Area) -> None:
    """Confirm through the accounts service that ``user`` lives in ``home``."""
    municipality = home.municipality or home
    email = f"ini-verifier-{municipality.code.lower()}@example.org"
    verifier = User.objects.filter(email=email).first()
    if verifier is None:
        verifier = register_user(email=email, display_name="Verifier")
        grant_role(verifier, municipality, Role.ADMINISTRATOR)
    membership = Membership.objects.get(user=user, area=home, role=Role.RESIDENT)
    verify_resident(membership, actor=verifier)


def square(west: float, south: float, size: float) -> dict[str, object]:
    ring = [
        [west, south],
        [west + size, south],
        [west + size, south + size],
        [west, south + size],
        [west, south],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture
def town(db: None) -> Town:
    ensure_catalogue()
    gm = upsert_area("GM9977", "Initiatiefdorp")
    north = upsert_area("WK997701", "Noord", parent=gm, boundary=square(5.60, 52.10, 0.02))
    south = upsert_area("WK997702", "Zuid", parent=gm)
    for district, inhabitants in ((north, 6_000), (south, 4_000)):
        set_values(
            district, STAT_YEAR, {"inhabitants": inhabitants, "households": inhabitants // 2}
        )
    set_values(gm, STAT_YEAR, {"inhabitants": 10_000, "households": 5_000})
    bu_a = upsert_area("BU99770101", "Vogelbuurt", parent=north, boundary=square(5.60, 52.10, 0.01))
    bu_b = upsert_area(
        "BU99770102", "Bloemenbuurt", parent=north, boundary=square(5.61, 52.10, 0.01)
    )
    bu_south = upsert_area("BU99770201", "Zuidhoek", parent=south)
    return Town(gm, north, south, bu_a, bu_b, bu_south)


@pytest.fixture
def people(town: Town) -> People:
    welfare = get_or_create_organisation("Welzijn Initiatiefdorp", "welzijn")
    fund = get_or_create_organisation("Dorpsfonds", "fonds")
    professional = make_user("opbouwwerker")
    grant_role(professional, town.north, Role.PROFESSIONAL, organisation=welfare)
    professional_south = make_user("opbouwwerker-zuid")
    grant_role(professional_south, town.south, Role.PROFESSIONAL, organisation=welfare)
    official = make_user("ambtenaar")
    grant_role(official, town.municipality, Role.CIVIL_SERVANT)
    admin = make_user("beheerder")
    grant_role(admin, town.municipality, Role.ADMINISTRATOR)
    council = make_user("raadslid")
    grant_role(council, town.municipality, Role.COUNCIL_MEMBER)
    funder = make_user("fonds")
    grant_role(funder, town.municipality, Role.FUNDER, organisation=fund)
    owner = make_user("initiatiefnemer", town.bu_a)
    grant_role(owner, town.bu_a, Role.INITIATOR)
    return People(
        resident=make_user("bewoner", town.bu_a),
        neighbour=make_user("buurvrouw", town.bu_b),
        owner=owner,
        professional=professional,
        professional_south=professional_south,
        official=official,
        admin=admin,
        council=council,
        funder=funder,
        outsider=make_user("buitenstaander"),
        southerner=make_user("zuiderling", town.bu_south),
        jurors=[make_user(f"jurylid-{i}", town.bu_b if i % 2 else town.bu_a) for i in range(5)],
        host=welfare,
    )


@pytest.fixture
def framework(town: Town, people: People) -> BudgetFramework:
    """An adopted one-year framework for this year; every theme line gets money."""
    year = timezone.localdate().year
    fw = budgets.create_framework(
        town.municipality,
        actor=people.official,
        name=f"Wijkbudgetten {year}",
        start_year=year,
        end_year=year,
    )
    rows = []
    for source in fw.sources.all():
        cents = {"Wmo": 40_000_000, "Fondsen": 2_000_000}.get(source.name, 0)
        rows.append(
            budgets.SourceInput(
                pk=source.pk,
                name=source.name,
                kind=source.kind,
                amounts=dict.fromkeys(fw.years, cents),
                public_totals=dict.fromkeys(fw.years, cents * 10),
            )
        )
    budgets.set_sources(fw, rows, actor=people.official)
    return budgets.adopt(fw, people.official)


def theme_line(framework: BudgetFramework, district: Area, position: int = 0) -> BudgetLine:
    lines = BudgetLine.objects.filter(
        district_budget__framework=framework, district_budget__district=district, is_support=False
    ).order_by("theme__position", "pk")
    return lines[position]


@pytest.fixture
def line(framework: BudgetFramework, town: Town, people: People) -> BudgetLine:
    """A theme line of the north district, with the welfare organisation as host."""
    found = theme_line(framework, town.north)
    services.update_line_settings(found, people.official, host=people.host)
    return BudgetLine.objects.select_related("account", "district_budget__district").get(
        pk=found.pk
    )


def new_initiative(
    owner: User, area: Area, name: str = "Buurtmoestuin", **extra: object
) -> Initiative:
    values: dict[str, object] = {
        "name": name,
        "description": "Samen groente kweken op het braakliggende stuk.",
        "area": area,
        "contact": "06-12345678",
        "needs_text": "Zaden en gereedschap.",
    }
    values.update(extra)
    return services.create_initiative(owner, **values)


@pytest.fixture
def initiative(town: Town, people: People) -> Initiative:
    return new_initiative(people.owner, town.bu_a)


@pytest.fixture
def jury(town: Town, people: People) -> list[User]:
    """Five appointed panel members in the north district."""
    for juror in people.jurors:
        services.appoint_member(town.north, people.official, juror)
    return people.jurors
