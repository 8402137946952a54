"""Fixtures for the budget tests: a small invented municipality with three districts and their
statistics, people in every role, and frameworks in draft and adopted state. Everything goes
through the real services and the real database."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from buurtbasis.accounts.models import Organisation, Role, User
from buurtbasis.accounts.services import get_or_create_organisation, grant_role, register_user
from buurtbasis.areas.models import Area
from buurtbasis.areas.services import ensure_catalogue, set_values, upsert_area
from buurtbasis.budgets import services
from buurtbasis.budgets.models import BudgetFramework, ResidentGroup

STAT_YEAR = 2024
YEARS = (2026, 2027, 2028)
# Per district: inhabitants, households, % low income, inhabitants 65+, single-person households.
DISTRICTS = {
    "WK999901": ("Centrum", 10_000, 5_000, 12, 1_500, 2_500),
    "WK999902": ("Noord", 5_000, 2_000, 20, 1_000, 800),
    "WK999903": ("Zuid", 2_000, 900, 5, 200, 300),
}


@dataclass
class Town:
    municipality: Area
    districts: dict[str, Area]
    neighbourhood: Area
    other_municipality: Area


@pytest.fixture
def town(db: None) -> Town:
    ensure_catalogue()
    gm = upsert_area("GM9999", "Testdorp")
    districts = {}
    for code, (name, inh, hh, low, old, single) in DISTRICTS.items():
        district = upsert_area(code, name, parent=gm)
        set_values(
            district,
            STAT_YEAR,
            {
                "inhabitants": inh,
                "households": hh,
                "low_income_households": low,
                "age_65_plus": old,
                "single_person_households": single,
            },
        )
        districts[code] = district
    set_values(
        gm,
        STAT_YEAR,
        {
            "inhabitants": 17_000,
            "households": 7_900,
            "low_income_households": 13,
            "age_65_plus": 2_700,
            "single_person_households": 3_600,
        },
    )
    bu = upsert_area("BU99990101", "Oude kern", parent=districts["WK999901"])
    other = upsert_area("GM9998", "Buurgemeente")
    upsert_area("WK999801", "Elders", parent=other)
    return Town(gm, districts, bu, other)


@dataclass
class People:
    official: User
    admin: User
    council: User
    resident: User
    professional: User
    freelancer: User
    contact: User
    member: User
    outsider: User
    other_official: User
    welfare: Organisation
    housing: Organisation


_counter = iter(range(1, 10_000))


def _user(name: str, bu: Area | None = None) -> User:
    return register_user(
        email=f"bud-{name}-{next(_counter)}@example.org",
        display_name=f"Persoon {name.title()}",
        home_neighbourhood=bu,
    )


@pytest.fixture
def people(town: Town) -> People:
    welfare = get_or_create_organisation("Welzijn Testdorp", "welzijn")
    housing = get_or_create_organisation("Woonstichting Testdorp", "woningcorporatie")
    official = _user("ambtenaar")
    grant_role(official, town.municipality, Role.CIVIL_SERVANT)
    admin = _user("beheerder")
    grant_role(admin, town.municipality, Role.ADMINISTRATOR)
    council = _user("raadslid")
    grant_role(council, town.municipality, Role.COUNCIL_MEMBER)
    professional = _user("opbouwwerker")
    grant_role(professional, town.districts["WK999901"], Role.PROFESSIONAL, organisation=welfare)
    other_official = _user("ambtenaar-elders")
    grant_role(other_official, town.other_municipality, Role.CIVIL_SERVANT)
    return People(
        official=official,
        admin=admin,
        council=council,
        resident=_user("bewoner", town.neighbourhood),
        professional=professional,
        freelancer=_user("zzper"),
        contact=_user("contact", town.neighbourhood),
        member=_user("lid", town.neighbourhood),
        outsider=_user("buitenstaander"),
        other_official=other_official,
        welfare=welfare,
        housing=housing,
    )


# Per source name: cents per year (same every year).
SOURCE_AMOUNTS = {"Wmo": 60_000_000, "Jeugdwet": 25_000_000, "Fondsen": 5_000_033}


def fill_sources(framework: BudgetFramework, actor: User) -> None:
    rows = []
    for source in framework.sources.all():
        cents = SOURCE_AMOUNTS.get(source.name, 0)
        rows.append(
            services.SourceInput(
                pk=source.pk,
                name=source.name,
                kind=source.kind,
                amounts=dict.fromkeys(framework.years, cents),
                public_totals=dict.fromkeys(framework.years, cents * 20),
            )
        )
    services.set_sources(framework, rows, actor=actor)


@pytest.fixture
def draft(town: Town, people: People) -> BudgetFramework:
    framework = services.create_framework(
        town.municipality,
        actor=people.official,
        name="Wijkbudgetten 2026–2028",
        start_year=YEARS[0],
        end_year=YEARS[-1],
    )
    fill_sources(framework, people.official)
    return framework


@pytest.fixture
def adopted(draft: BudgetFramework, people: People) -> BudgetFramework:
    return services.adopt(draft, people.official)


@pytest.fixture
def group(town: Town, people: People) -> ResidentGroup:
    return services.create_group(
        town.districts["WK999901"],
        "Bewoners Oude Kern",
        people.contact,
        actor=people.official,
        members=[people.member],
    )
