"""Map data: boundaries are rounded to 6 decimals and simplified, and stay closed shapes."""

from __future__ import annotations

import math
from typing import Any

from buurtbasis.areas.selectors import simplify_geometry


def circle(n: int, r: float = 0.01) -> list[list[float]]:
    ring = [
        [
            5.1 + r * math.cos(2 * math.pi * i / n),
            52.1 + r * math.sin(2 * math.pi * i / n),
        ]
        for i in range(n)
    ]
    return [*ring, ring[0]]


def test_polygon_is_rounded_simplified_and_closed() -> None:
    ring = circle(5000)
    out = simplify_geometry({"type": "Polygon", "coordinates": [ring]})
    assert out is not None and out["type"] == "Polygon"
    simple = out["coordinates"][0]
    assert 8 < len(simple) < len(ring) / 5
    assert simple[0] == simple[-1]
    for x, y in simple:
        assert round(x, 6) == x and round(y, 6) == y
        # every kept point lies on the original circle (within rounding)
        assert abs(math.hypot(x - 5.1, y - 52.1) - 0.01) < 1e-6


def test_multipolygon_keeps_its_parts_and_holes() -> None:
    square = [[5.0, 52.0], [5.01, 52.0], [5.01, 52.01], [5.0, 52.01], [5.0, 52.0]]
    hole = [[5.004, 52.004], [5.006, 52.004], [5.006, 52.006], [5.004, 52.006], [5.004, 52.004]]
    other = [[5.02, 52.0], [5.03, 52.0], [5.03, 52.01], [5.02, 52.01], [5.02, 52.0]]
    geometry: dict[str, Any] = {"type": "MultiPolygon", "coordinates": [[square, hole], [other]]}
    out = simplify_geometry(geometry)
    assert out == geometry  # nothing to simplify: corners only


def test_unusable_geometry_gives_none() -> None:
    assert simplify_geometry(None) is None
    assert simplify_geometry({"type": "Polygon"}) is None
    assert simplify_geometry({"type": "Polygon", "coordinates": [[["a", "b"]]]}) is None
    assert simplify_geometry({"type": "GeometryCollection", "geometries": []}) is None


def test_large_maps_are_simplified_more_than_small_ones() -> None:
    from buurtbasis.areas.models import Area
    from buurtbasis.areas.selectors import map_data

    big = {"type": "Polygon", "coordinates": [circle(5000, r=0.1)]}
    small = {"type": "Polygon", "coordinates": [circle(5000, r=0.001)]}
    big_map = map_data(Area(code="GM9999", name="Groot", level="GM", boundary=big))
    small_map = map_data(Area(code="BU99990101", name="Klein", level="BU", boundary=small))
    assert big_map is not None and small_map is not None
    big_ring = big_map["features"][0]["geometry"]["coordinates"][0]
    small_ring = small_map["features"][0]["geometry"]["coordinates"][0]
    fine_ring = simplify_geometry(big)["coordinates"][0]  # type: ignore[index]
    # at municipality scale details under ~10 metres go, at neighbourhood scale under ~2 metres
    assert len(big_ring) < len(fine_ring)
    assert big_ring[0] == big_ring[-1] and small_ring[0] == small_ring[-1]
    assert len(small_ring) >= 8
    assert big_map["features"][0]["properties"] == {
        "code": "GM9999",
        "name": "Groot",
        "role": "self",
        "url": "/gebieden/GM9999/",
    }
