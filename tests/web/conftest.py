"""Test data for the web tests, built with the real services (no fixtures files, no mocks)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest

from buurtbasis.areas.models import Area
from buurtbasis.areas.services import ensure_catalogue, set_values, upsert_area


def square(x: float, y: float, size: float) -> dict[str, Any]:
    """A closed square ring as a GeoJSON Polygon (lon/lat, WGS84), with extra points on the
    edges so simplification has something to remove."""
    ring = []
    for i in range(10):
        ring.append([x + size * i / 10, y])
    for i in range(10):
        ring.append([x + size, y + size * i / 10])
    for i in range(10):
        ring.append([x + size - size * i / 10, y + size])
    for i in range(10):
        ring.append([x, y + size - size * i / 10])
    ring.append([x, y])
    return {"type": "Polygon", "coordinates": [ring]}


@dataclass
class Town:
    municipality: Area
    districts: list[Area] = field(default_factory=list)
    neighbourhoods: list[Area] = field(default_factory=list)


def neighbourhood_values(i: int) -> dict[str, Decimal | int | None]:
    inhabitants = 1000 + 37 * i
    return {
        "inhabitants": inhabitants,
        "age_65_plus": inhabitants // 5,
        "households": inhabitants // 2,
        "single_person_households": inhabitants // 5,
        "labour_participation": Decimal("68.2") + i % 5,
        "low_income_households": Decimal("8.5"),
        "income_per_inhabitant": Decimal("32.5"),
        "registered_crimes": 40 + i,
        "distance_gp": Decimal("0.8"),
        "dwellings": inhabitants // 2,
    }


def build_town(
    digits: str = "9001",
    name: str = "Oosterdal",
    *,
    districts: int = 2,
    per_district: int = 5,
    boundaries: bool = True,
    year: int = 2024,
) -> Town:
    """A municipality GM<digits> with ``districts`` districts of ``per_district``
    neighbourhoods each, boundaries on a grid and figures for every area."""
    ensure_catalogue()
    size = 0.01
    municipality = upsert_area(
        f"GM{digits}",
        name,
        boundary=square(5.0, 52.0, size * per_district) if boundaries else None,
    )
    town = Town(municipality)
    total = districts * per_district
    set_values(
        municipality,
        year,
        {
            "inhabitants": sum(1000 + 37 * i for i in range(total)),
            "age_65_plus": sum((1000 + 37 * i) // 5 for i in range(total)),
            "households": sum((1000 + 37 * i) // 2 for i in range(total)),
            "single_person_households": sum((1000 + 37 * i) // 4 for i in range(total)),
            "labour_participation": Decimal("70.1"),
            "low_income_households": Decimal("10.0"),
            "income_per_inhabitant": Decimal("30.0"),
            "registered_crimes": 50 * total,
            "distance_gp": Decimal("1.1"),
            "dwellings": 480 * total,
        },
    )
    i = 0
    for d in range(districts):
        district = upsert_area(
            f"WK{digits}{d:02d}",
            f"Wijk {d + 1}",
            parent=municipality,
            boundary=square(5.0 + d * size, 52.0, size) if boundaries else None,
        )
        town.districts.append(district)
        set_values(district, year, {"inhabitants": 5000 + d, "labour_participation": 69})
        for n in range(per_district):
            hood = upsert_area(
                f"BU{digits}{d:02d}{n:02d}",
                f"Buurt {d + 1}-{n + 1}",
                parent=district,
                boundary=square(5.0 + d * size, 52.0 + n * size / per_district, size / 5)
                if boundaries
                else None,
            )
            set_values(hood, year, neighbourhood_values(i))
            set_values(hood, year - 1, {"inhabitants": 900})
            town.neighbourhoods.append(hood)
            i += 1
    return town


@pytest.fixture
def town(db: None) -> Town:
    return build_town()
