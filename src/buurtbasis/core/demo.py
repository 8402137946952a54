"""The demo data: the project's own invented municipality Lindewaard (GM9901, a code CBS does
not use), its districts and neighbourhoods with boundaries and two years of figures, and one
demo person for every role.

Nothing here is copied from real data: names are invented, figures are drawn from a seeded
random generator around a profile per neighbourhood (old centre, family suburb, post-war
social housing, village …) so every run gives the same numbers and neighbourhoods differ
enough to show strengths beside needs.

:func:`load` calls one small function per domain, in order (:data:`STEPS`): places, figures
and people here (:data:`BASE_STEPS`), then each later domain's own ``<app>/demo.py`` (budgets;
wijkbeeld with places and agenda; initiatives, at those places and towards those goals;
neighbour help). Everything goes through the
services, so the demo exercises the same rules as real use. Loading twice changes nothing the
second time.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from buurtbasis.accounts import services as accounts
from buurtbasis.accounts.models import Consent, Role, User
from buurtbasis.areas import services as areas
from buurtbasis.areas.models import Area

DEMO_PASSWORD = "buurtbasis-demo"  # noqa: S105 (published demo password)
DEMO_EMAIL_DOMAIN = "demo.buurtbasis.nl"
MUNICIPALITY_CODE = "GM9901"
MUNICIPALITY_NAME = "Lindewaard"
YEARS = (2023, 2024)
SEED = "buurtbasis-lindewaard"

# --- Places -----------------------------------------------------------------------------------
#
# The municipality is a grid of 8 × 6 cells east of Utrecht (around 52.05 N, 5.6 E).
# Cells are narrow in the centre and wide at the edges; grid nodes are shifted a little
# (seeded) so the shapes look drawn, not ruled. A neighbourhood is a block of cells, a district
# a block of neighbourhoods: neighbouring areas share their nodes, so neighbourhoods tile their
# district and districts tile the municipality, without gaps or overlaps.

WEST, SOUTH = 5.545, 52.035
COLUMN_WIDTHS = (0.024, 0.010, 0.008, 0.007, 0.007, 0.008, 0.010, 0.024)  # degrees longitude
ROW_HEIGHTS = (0.012, 0.006, 0.0045, 0.0045, 0.006, 0.012)  # degrees latitude, south to north

# A block of cells: columns c0..c1 and rows r0..r1 (end exclusive; row 0 is the south).
Block = tuple[int, int, int, int]


@dataclass(frozen=True)
class NeighbourhoodSpec:
    code: str
    name: str
    profile: str
    block: Block


@dataclass(frozen=True)
class DistrictSpec:
    code: str
    name: str
    block: Block
    neighbourhoods: tuple[NeighbourhoodSpec, ...]


# The town in the middle (centre, north, south), villages and farmland west and east.
DISTRICTS: tuple[DistrictSpec, ...] = (
    DistrictSpec("WK990101", "Centrum", (1, 7, 2, 4), (
        NeighbourhoodSpec("BU99010101", "Oude Kern", "old_centre", (3, 4, 2, 4)),
        NeighbourhoodSpec("BU99010102", "Lindeplein", "old_centre", (4, 5, 2, 4)),
        NeighbourhoodSpec("BU99010103", "Stationskwartier", "young", (1, 3, 2, 4)),
        NeighbourhoodSpec("BU99010104", "Kloosterhof", "seniors", (5, 7, 2, 4)),
    )),
    DistrictSpec("WK990102", "Noord", (1, 7, 4, 6), (
        NeighbourhoodSpec("BU99010201", "De Beemden", "family", (1, 3, 4, 6)),
        NeighbourhoodSpec("BU99010202", "Vogelbuurt", "post_war", (3, 5, 4, 6)),
        NeighbourhoodSpec("BU99010203", "Kastanjehof", "new_build", (5, 7, 4, 6)),
    )),
    DistrictSpec("WK990103", "Zuid", (1, 7, 0, 2), (
        NeighbourhoodSpec("BU99010301", "Rozendaal", "post_war", (1, 3, 0, 2)),
        NeighbourhoodSpec("BU99010302", "Schildersbuurt", "mixed", (3, 5, 0, 2)),
        NeighbourhoodSpec("BU99010303", "Zonnehof", "seniors", (5, 7, 0, 2)),
    )),
    DistrictSpec("WK990104", "Westerbroek", (0, 1, 0, 6), (
        NeighbourhoodSpec("BU99010401", "Linde-Dorp", "village", (0, 1, 3, 6)),
        NeighbourhoodSpec("BU99010402", "Westerbroek", "rural", (0, 1, 0, 3)),
    )),
    DistrictSpec("WK990105", "Hooilanden", (7, 8, 0, 6), (
        NeighbourhoodSpec("BU99010501", "Eikenburg", "village", (7, 8, 3, 6)),
        NeighbourhoodSpec("BU99010502", "Hooilanden", "rural", (7, 8, 0, 3)),
    )),
)  # fmt: skip

MUNICIPALITY_BLOCK: Block = (0, len(COLUMN_WIDTHS), 0, len(ROW_HEIGHTS))


def _grid_nodes() -> list[list[tuple[float, float]]]:
    """nodes[row][column] = (longitude, latitude), each shifted a little at random."""
    rng = random.Random(f"{SEED}-grid")
    xs = [WEST + sum(COLUMN_WIDTHS[:i]) for i in range(len(COLUMN_WIDTHS) + 1)]
    ys = [SOUTH + sum(ROW_HEIGHTS[:j]) for j in range(len(ROW_HEIGHTS) + 1)]
    nodes = []
    for j, y in enumerate(ys):
        row = []
        for i, x in enumerate(xs):
            # At most a fifth of the narrowest neighbouring cell: shapes stay simple.
            dx = 0.2 * min(COLUMN_WIDTHS[max(i - 1, 0)], COLUMN_WIDTHS[min(i, len(xs) - 2)])
            dy = 0.2 * min(ROW_HEIGHTS[max(j - 1, 0)], ROW_HEIGHTS[min(j, len(ys) - 2)])
            row.append((x + rng.uniform(-dx, dx), y + rng.uniform(-dy, dy)))
        nodes.append(row)
    return nodes


def block_ring(nodes: list[list[tuple[float, float]]], block: Block) -> list[tuple[float, float]]:
    """The outline of a block of cells through every grid node on its edge, counter-clockwise
    (GeoJSON's right-hand rule), closed."""
    c0, c1, r0, r1 = block
    ring = [nodes[r0][c] for c in range(c0, c1)]  # south edge, west to east
    ring += [nodes[r][c1] for r in range(r0, r1)]  # east edge, south to north
    ring += [nodes[r1][c] for c in range(c1, c0, -1)]  # north edge, east to west
    ring += [nodes[r][c0] for r in range(r1, r0, -1)]  # west edge, north to south
    return [*ring, ring[0]]


def block_polygon(nodes: list[list[tuple[float, float]]], block: Block) -> dict[str, Any]:
    ring = block_ring(nodes, block)
    return {"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]]}


def polygon_hectares(polygon: dict[str, Any]) -> float:
    """Area of a small WGS84 polygon in hectares (local equirectangular projection)."""
    ring = polygon["coordinates"][0]
    lat0 = math.radians(sum(p[1] for p in ring) / len(ring))
    km_x, km_y = 111.320 * math.cos(lat0), 110.574
    twice = sum(
        (a[0] * km_x) * (b[1] * km_y) - (b[0] * km_x) * (a[1] * km_y)
        for a, b in zip(ring, ring[1:], strict=False)
    )
    return abs(twice) / 2 * 100


# --- Figures ----------------------------------------------------------------------------------
#
# A profile gives the typical figures of a kind of neighbourhood; each neighbourhood draws its
# own figures around them. Shares are fractions; "per_1000" figures are per 1,000 inhabitants.

PROFILES: dict[str, dict[str, Any]] = {
    "old_centre": {
        "inhabitants": 3400, "growth": 1.004, "ages": (0.09, 0.16, 0.33, 0.24, 0.18),
        "household_size": 1.65, "single": 0.58, "children": 0.13, "woz": 395, "owner": 38,
        "social": 30, "high": 0.44, "low": 0.20, "labour": 68.5, "income": 36.5,
        "low_income": 10.5, "minimum": 8.2, "assistance_per_1000": 26, "youth_care": 9.5,
        "wmo_per_1000": 85, "businesses_per_1000": 190, "gp": 0.4, "supermarket": 0.5,
        "schools": 9.5, "water": 0.04, "crimes_per_1000": 95,
    },
    "young": {
        "inhabitants": 2900, "growth": 1.012, "ages": (0.07, 0.27, 0.41, 0.16, 0.09),
        "household_size": 1.55, "single": 0.64, "children": 0.10, "woz": 305, "owner": 24,
        "social": 35, "high": 0.48, "low": 0.17, "labour": 70.5, "income": 27.5,
        "low_income": 14.0, "minimum": 10.5, "assistance_per_1000": 22, "youth_care": 8.0,
        "wmo_per_1000": 45, "businesses_per_1000": 120, "gp": 0.5, "supermarket": 0.4,
        "schools": 9.0, "water": 0.02, "crimes_per_1000": 80,
    },
    "seniors": {
        "inhabitants": 2300, "growth": 1.002, "ages": (0.07, 0.07, 0.14, 0.26, 0.46),
        "household_size": 1.6, "single": 0.55, "children": 0.09, "woz": 340, "owner": 55,
        "social": 32, "high": 0.28, "low": 0.34, "labour": 52.0, "income": 33.0,
        "low_income": 8.5, "minimum": 7.0, "assistance_per_1000": 12, "youth_care": 7.0,
        "wmo_per_1000": 190, "businesses_per_1000": 45, "gp": 0.6, "supermarket": 0.7,
        "schools": 7.5, "water": 0.03, "crimes_per_1000": 28,
    },
    "family": {
        "inhabitants": 6200, "growth": 1.006, "ages": (0.22, 0.13, 0.25, 0.28, 0.12),
        "household_size": 2.65, "single": 0.21, "children": 0.44, "woz": 435, "owner": 78,
        "social": 12, "high": 0.45, "low": 0.16, "labour": 75.5, "income": 38.5,
        "low_income": 3.5, "minimum": 3.0, "assistance_per_1000": 6, "youth_care": 10.5,
        "wmo_per_1000": 48, "businesses_per_1000": 70, "gp": 1.1, "supermarket": 0.9,
        "schools": 6.5, "water": 0.05, "crimes_per_1000": 22,
    },
    "post_war": {
        "inhabitants": 4800, "growth": 1.003, "ages": (0.19, 0.14, 0.27, 0.23, 0.17),
        "household_size": 2.1, "single": 0.44, "children": 0.30, "woz": 245, "owner": 24,
        "social": 61, "high": 0.18, "low": 0.42, "labour": 61.0, "income": 23.5,
        "low_income": 15.5, "minimum": 13.0, "assistance_per_1000": 58, "youth_care": 15.5,
        "wmo_per_1000": 135, "businesses_per_1000": 45, "gp": 0.7, "supermarket": 0.6,
        "schools": 7.0, "water": 0.03, "crimes_per_1000": 62,
    },
    "mixed": {
        "inhabitants": 4100, "growth": 1.005, "ages": (0.16, 0.12, 0.27, 0.27, 0.18),
        "household_size": 2.2, "single": 0.38, "children": 0.31, "woz": 320, "owner": 52,
        "social": 33, "high": 0.31, "low": 0.28, "labour": 68.0, "income": 30.5,
        "low_income": 8.0, "minimum": 6.5, "assistance_per_1000": 24, "youth_care": 11.0,
        "wmo_per_1000": 88, "businesses_per_1000": 65, "gp": 0.8, "supermarket": 0.7,
        "schools": 7.5, "water": 0.04, "crimes_per_1000": 38,
    },
    "new_build": {
        "inhabitants": 3600, "growth": 1.045, "ages": (0.25, 0.09, 0.36, 0.22, 0.08),
        "household_size": 2.55, "single": 0.24, "children": 0.45, "woz": 470, "owner": 71,
        "social": 17, "high": 0.52, "low": 0.12, "labour": 79.0, "income": 35.5,
        "low_income": 4.0, "minimum": 3.5, "assistance_per_1000": 9, "youth_care": 9.0,
        "wmo_per_1000": 30, "businesses_per_1000": 55, "gp": 1.6, "supermarket": 1.3,
        "schools": 4.5, "water": 0.09, "crimes_per_1000": 18,
    },
    "village": {
        "inhabitants": 1900, "growth": 1.001, "ages": (0.16, 0.11, 0.20, 0.30, 0.23),
        "household_size": 2.35, "single": 0.27, "children": 0.32, "woz": 455, "owner": 76,
        "social": 15, "high": 0.33, "low": 0.27, "labour": 71.0, "income": 36.0,
        "low_income": 4.5, "minimum": 3.5, "assistance_per_1000": 7, "youth_care": 8.5,
        "wmo_per_1000": 72, "businesses_per_1000": 110, "gp": 2.4, "supermarket": 3.1,
        "schools": 2.5, "water": 0.02, "crimes_per_1000": 12,
    },
    "rural": {
        "inhabitants": 650, "growth": 0.996, "ages": (0.15, 0.12, 0.19, 0.33, 0.21),
        "household_size": 2.6, "single": 0.20, "children": 0.33, "woz": 560, "owner": 84,
        "social": 5, "high": 0.29, "low": 0.30, "labour": 72.5, "income": 39.0,
        "low_income": 3.0, "minimum": 2.5, "assistance_per_1000": 4, "youth_care": 6.5,
        "wmo_per_1000": 55, "businesses_per_1000": 230, "gp": 4.2, "supermarket": 4.8,
        "schools": 1.5, "water": 0.03, "crimes_per_1000": 9,
    },
}  # fmt: skip

# Changes from one year to the next (besides each profile's own population growth).
YEARLY_PRICE_RISE = {"woz": 1.045, "income": 1.055}

COUNT_KEYS = (
    "inhabitants", "men", "women", "age_0_14", "age_15_24", "age_25_44", "age_45_64",
    "age_65_plus", "households", "single_person_households", "households_with_children",
    "dwellings", "education_high", "education_low", "social_assistance", "businesses",
    "area_total", "area_land", "area_water", "registered_crimes",
)  # fmt: skip
AGE_KEYS = ("age_0_14", "age_15_24", "age_25_44", "age_45_64", "age_65_plus")

# Averages and percentages of a district or the municipality: means of its neighbourhoods,
# weighted by what the figure is about, rounded like CBS publishes them.
WEIGHTED: dict[str, tuple[str | tuple[str, ...], int]] = {
    "woz_value": ("dwellings", 0),
    "owner_occupied": ("dwellings", 0),
    "social_housing": ("dwellings", 0),
    "labour_participation": (("age_15_24", "age_25_44", "age_45_64"), 1),
    "income_per_inhabitant": ("inhabitants", 1),
    "low_income_households": ("households", 1),
    "social_minimum_households": ("households", 1),
    "youth_care": (("age_0_14", "age_15_24"), 1),
    "wmo_clients": ("inhabitants", 0),
    "distance_gp": ("inhabitants", 1),
    "distance_supermarket": ("inhabitants", 1),
    "schools_within_3km": ("inhabitants", 1),
}

Figures = dict[str, Decimal]


def _dec(value: float, places: int) -> Decimal:
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def split_whole(total: int, shares: Iterable[float]) -> list[int]:
    """Split ``total`` into whole parts in proportion to ``shares`` that add up to exactly
    ``total`` (largest remainder)."""
    shares = list(shares)
    scale = sum(shares)
    exact = [total * s / scale for s in shares]
    parts = [math.floor(e) for e in exact]
    by_remainder = sorted(range(len(shares)), key=lambda i: exact[i] - parts[i], reverse=True)
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


def urbanity_class(addresses_per_km2: float) -> int:
    """CBS's degree of urbanity from address density (1 = very strongly urban)."""
    for cls, lower in ((1, 2500), (2, 1500), (3, 1000), (4, 500)):
        if addresses_per_km2 >= lower:
            return cls
    return 5


def _finish(fig: Figures) -> Figures:
    """Figures that follow from the counts: household size, density, urbanity."""
    land_km2 = fig["area_land"] / 100
    fig["household_size"] = _dec(float(fig["inhabitants"] / fig["households"]), 2)
    fig["density"] = _dec(float(fig["inhabitants"] / land_km2), 0)
    addresses = float((fig["dwellings"] + fig["businesses"]) / land_km2)
    fig["urbanity"] = Decimal(urbanity_class(addresses))
    return fig


def neighbourhood_figures(
    spec: NeighbourhoodSpec, hectares: float, year: int
) -> Figures:  # fmt: skip
    """Every catalogue figure of one neighbourhood in one year, drawn around its profile."""
    p = PROFILES[spec.profile]
    base = random.Random(f"{SEED}-{spec.code}")  # the neighbourhood's own character
    yearly = random.Random(f"{SEED}-{spec.code}-{year}")  # small changes from year to year
    years_on = year - YEARS[0]

    def draw(key: str, spread: float = 0.08) -> float:
        return float(p[key]) * base.uniform(1 - spread, 1 + spread) * yearly.uniform(0.98, 1.02)

    fig: Figures = {}
    inhabitants = round(
        p["inhabitants"] * base.uniform(0.8, 1.2) * p["growth"] ** years_on
    )  # fmt: skip
    ages = [share * base.uniform(0.9, 1.1) for share in p["ages"]]
    ages[-1] *= 1.01**years_on  # ageing
    men = round(inhabitants * base.uniform(0.48, 0.51))
    households = round(inhabitants / draw("household_size", 0.05))
    single = round(households * min(draw("single"), 0.8))
    children = min(round(households * draw("children")), households - single)
    dwellings = round(households * base.uniform(1.01, 1.05))
    total_ha = round(hectares)
    water_ha = round(total_ha * draw("water", 0.5))

    fig["inhabitants"] = Decimal(inhabitants)
    fig["men"], fig["women"] = Decimal(men), Decimal(inhabitants - men)
    for key, part in zip(AGE_KEYS, split_whole(inhabitants, ages), strict=True):
        fig[key] = Decimal(part)
    fig["households"] = Decimal(households)
    fig["single_person_households"] = Decimal(single)
    fig["households_with_children"] = Decimal(children)
    fig["dwellings"] = Decimal(dwellings)
    fig["woz_value"] = _dec(draw("woz") * YEARLY_PRICE_RISE["woz"] ** years_on, 0)
    owner = min(draw("owner"), 95.0)
    fig["owner_occupied"] = _dec(owner, 0)
    fig["social_housing"] = _dec(min(draw("social"), 99.0 - owner), 0)
    # Education is counted over people of 15 to 75 years.
    adults = int(fig["age_15_24"] + fig["age_25_44"] + fig["age_45_64"]) + round(
        int(fig["age_65_plus"]) * 0.5
    )
    high_share = min(draw("high"), 0.6)
    low_share = min(draw("low"), 0.85 - high_share)
    fig["education_high"] = Decimal(round(adults * high_share))
    fig["education_low"] = Decimal(round(adults * low_share))
    fig["labour_participation"] = _dec(min(draw("labour", 0.05), 90.0), 1)
    fig["income_per_inhabitant"] = _dec(
        draw("income") * YEARLY_PRICE_RISE["income"] ** years_on, 1
    )  # fmt: skip
    low_income = min(draw("low_income", 0.15), 40.0)
    fig["low_income_households"] = _dec(low_income, 1)
    fig["social_minimum_households"] = _dec(min(draw("minimum", 0.15), low_income), 1)
    # CBS rounds counts of people on benefits to tens.
    assistance = inhabitants * draw("assistance_per_1000", 0.2) / 1000
    fig["social_assistance"] = Decimal(round(assistance / 10) * 10)
    fig["youth_care"] = _dec(min(draw("youth_care", 0.15), 40.0), 1)
    fig["wmo_clients"] = _dec(draw("wmo_per_1000", 0.15), 0)
    fig["businesses"] = Decimal(round(inhabitants * draw("businesses_per_1000", 0.2) / 1000))
    fig["distance_gp"] = _dec(draw("gp", 0.25), 1)
    fig["distance_supermarket"] = _dec(draw("supermarket", 0.25), 1)
    fig["schools_within_3km"] = _dec(draw("schools", 0.15), 1)
    fig["area_total"] = Decimal(total_ha)
    fig["area_water"] = Decimal(water_ha)
    fig["area_land"] = Decimal(total_ha - water_ha)
    fig["registered_crimes"] = Decimal(round(inhabitants * draw("crimes_per_1000", 0.2) / 1000))
    return _finish(fig)


def aggregate(children: list[Figures]) -> Figures:
    """The figures of an area made of ``children``: counts add up, averages and percentages
    are weighted means, household size, density and urbanity follow from the sums."""
    fig: Figures = {key: sum((c[key] for c in children), Decimal(0)) for key in COUNT_KEYS}
    for key, (weight, places) in WEIGHTED.items():
        weight_keys = (weight,) if isinstance(weight, str) else weight
        weights = [sum(c[w] for w in weight_keys) for c in children]
        mean = sum(c[key] * w for c, w in zip(children, weights, strict=True)) / sum(weights)
        fig[key] = _dec(float(mean), places)
    return _finish(fig)


# --- People -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoPerson:
    key: str
    local_part: str
    display_name: str
    role: str
    area_code: str
    description: Any  # lazy translated text
    home: str | None = None
    organisation: tuple[str, str] | None = None

    @property
    def email(self) -> str:
        return f"{self.local_part}@{DEMO_EMAIL_DOMAIN}"


WELFARE_ORGANISATION = ("Welzijn Lindewaard", "welzijnsorganisatie")
FUND_ORGANISATION = ("Stichting Lindefonds", "fonds")

PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson("resident", "bewoner", "Sanne de Wit", Role.RESIDENT, "BU99010202",
               _("bewoner van de Vogelbuurt"), home="BU99010202"),
    DemoPerson("initiator", "initiatiefnemer", "Mehmet Yilmaz", Role.INITIATOR, "BU99010301",
               _("initiatiefnemer in Rozendaal"), home="BU99010301"),
    DemoPerson("professional", "professional", "Anouk Bakker", Role.PROFESSIONAL, "WK990102",
               _("buurtwerker van Welzijn Lindewaard in wijk Noord"),
               organisation=WELFARE_ORGANISATION),
    DemoPerson("civil_servant", "ambtenaar", "Joost van Dam", Role.CIVIL_SERVANT, "GM9901",
               _("ambtenaar van de gemeente Lindewaard")),
    DemoPerson("council_member", "raadslid", "Ingrid Mulder", Role.COUNCIL_MEMBER, "GM9901",
               _("raadslid in Lindewaard")),
    DemoPerson("funder", "fonds", "Karim El Amrani", Role.FUNDER, "GM9901",
               _("fonds: Stichting Lindefonds"), organisation=FUND_ORGANISATION),
    DemoPerson("administrator", "beheerder", "Petra Smit", Role.ADMINISTRATOR, "GM9901",
               _("beheerder van Buurtbasis in Lindewaard")),
)  # fmt: skip

ASSISTED_NAME = "Mevrouw Jansen"
ASSISTED_HOME = "BU99010202"
ASSISTED_NOTE = "Toestemming op papier gegeven bij het buurthuis; formulier in het dossier."


def demo_users() -> list[tuple[str, str]]:
    """The demo log-ins: (e-mail, what this person does), one for every role."""
    return [(p.email, str(p.description)) for p in PEOPLE]


# --- Loading ----------------------------------------------------------------------------------


@dataclass
class Demo:
    """What the demo built so far; later steps find their places and people here."""

    municipality: Area | None = None
    districts: dict[str, Area] = field(default_factory=dict)
    neighbourhoods: dict[str, Area] = field(default_factory=dict)
    people: dict[str, User] = field(default_factory=dict)
    created: bool = True

    def area(self, code: str) -> Area:
        if self.municipality is not None and code == self.municipality.code:
            return self.municipality
        return self.districts.get(code) or self.neighbourhoods[code]


def load_areas(demo: Demo) -> None:
    """The municipality, its districts and neighbourhoods, with boundaries."""
    nodes = _grid_nodes()
    demo.municipality = areas.upsert_area(
        MUNICIPALITY_CODE, MUNICIPALITY_NAME, boundary=block_polygon(nodes, MUNICIPALITY_BLOCK)
    )
    for d in DISTRICTS:
        district = areas.upsert_area(
            d.code, d.name, parent=demo.municipality, boundary=block_polygon(nodes, d.block)
        )
        demo.districts[d.code] = district
        for n in d.neighbourhoods:
            demo.neighbourhoods[n.code] = areas.upsert_area(
                n.code, n.name, parent=district, boundary=block_polygon(nodes, n.block)
            )


def figures_by_area(year: int) -> dict[str, Figures]:
    """Every area's figures for ``year``, keyed by code (also used by the tests)."""
    nodes = _grid_nodes()
    result: dict[str, Figures] = {}
    everything: list[Figures] = []
    for d in DISTRICTS:
        children = []
        for n in d.neighbourhoods:
            hectares = polygon_hectares(block_polygon(nodes, n.block))
            result[n.code] = neighbourhood_figures(n, hectares, year)
            children.append(result[n.code])
        result[d.code] = aggregate(children)
        everything += children
    result[MUNICIPALITY_CODE] = aggregate(everything)
    return result


def load_statistics(demo: Demo) -> None:
    """Figures for every catalogue indicator, for every area and demo year."""
    areas.ensure_catalogue()
    for year in YEARS:
        for code, figures in figures_by_area(year).items():
            areas.set_values(demo.area(code), year, dict(figures))


def load_people(demo: Demo) -> None:
    """One person per role, and an assisted account registered by the professional."""
    password_hash = ""  # hashed once, when needed: hashing is slow on purpose
    for person in PEOPLE:
        user = User.objects.filter(email=person.email).first()
        if user is None:
            home = demo.neighbourhoods[person.home] if person.home else None
            user = accounts.register_user(
                email=person.email, display_name=person.display_name, home_neighbourhood=home
            )
            password_hash = password_hash or make_password(DEMO_PASSWORD)
            user.password = password_hash
            user.save(update_fields=["password"])
        organisation = (
            accounts.get_or_create_organisation(*person.organisation)
            if person.organisation
            else None
        )
        accounts.grant_role(
            user, demo.area(person.area_code), person.role, organisation=organisation
        )
        demo.people[person.key] = user

    professional = demo.people["professional"]
    assisted = User.objects.filter(
        assisted_by=professional, display_name=ASSISTED_NAME, email__isnull=True
    ).first()
    if assisted is None:
        assisted = accounts.register_assisted(
            professional=professional,
            display_name=ASSISTED_NAME,
            home_neighbourhood=demo.neighbourhoods[ASSISTED_HOME],
            consent_given=True,
            consent_method=Consent.Method.PAPER,
            consent_note=ASSISTED_NOTE,
            languages="Nederlands, Papiaments",
        )
    demo.people["assisted"] = assisted


# The domains built on places and people keep their demo beside their code (``<app>/demo.py``,
# one idempotent function of the municipality); imported here, late, to keep layers apart.


def load_budgets(demo: Demo) -> None:
    """A four-year budget framework, adopted, with a commitment and a drawing right."""
    from buurtbasis.budgets.demo import load_demo_budgets

    assert demo.municipality is not None
    load_demo_budgets(demo.municipality)


def load_initiatives(demo: Demo) -> None:
    """Initiatives in every state, grants (small and panel), a vote, funds and stories; some
    at the places and towards the agenda goals of :func:`load_wijkbeeld`."""
    from buurtbasis.initiatives.demo import load_demo_initiatives

    assert demo.municipality is not None
    load_demo_initiatives(demo.municipality)


def load_wijkbeeld(demo: Demo) -> None:
    """Places, a wijkbeeld of the professional's district, BuurtTop and agenda."""
    from buurtbasis.wijkbeeld.demo import load_demo_wijkbeeld

    assert demo.municipality is not None
    load_demo_wijkbeeld(demo.municipality)


def load_mutualhelp(demo: Demo) -> None:
    """Requests and offers of neighbour help in every neighbourhood."""
    from buurtbasis.mutualhelp.demo import load_demo_mutualhelp

    assert demo.municipality is not None
    load_demo_mutualhelp(demo.municipality)


#: Places, figures and people: what every other domain's demo builds on.
BASE_STEPS: tuple[Callable[[Demo], None], ...] = (load_areas, load_statistics, load_people)
#: The steps of :func:`load`, in order. A new domain adds its own step.
STEPS: tuple[Callable[[Demo], None], ...] = (
    *BASE_STEPS,
    load_budgets,
    # Places and the agenda before the initiatives, which are linked to them when created.
    load_wijkbeeld,
    load_initiatives,
    load_mutualhelp,
)


def is_loaded() -> bool:
    return Area.objects.filter(code=MUNICIPALITY_CODE).exists()


def load(steps: Iterable[Callable[[Demo], None]] = STEPS) -> Demo:
    """Load (or complete) the demo data in one transaction: every step by default, or only
    ``steps`` (e.g. :data:`BASE_STEPS` for a test that needs places and people only)."""
    demo = Demo(created=not is_loaded())
    with transaction.atomic():
        for step in steps:
            step(demo)
    return demo
