"""Points, distances and how they are shown: never more precise than 100 m."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from buurtbasis.mutualhelp import geo
from buurtbasis.mutualhelp.demo import offset

lat_e6 = st.integers(min_value=-80_000_000, max_value=80_000_000)
lon_e6 = st.integers(min_value=-179_000_000, max_value=179_000_000)


def haversine_m(lat1: int, lon1: int, lat2: int, lon2: int) -> float:
    p1, p2 = math.radians(lat1 / 1e6), math.radians(lat2 / 1e6)
    dp, dl = p2 - p1, math.radians((lon2 - lon1) / 1e6)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * geo.EARTH_RADIUS_M * math.asin(math.sqrt(a))


@pytest.mark.parametrize(
    ("metres", "shown"),
    [
        (0, "< 200 m"),
        (149, "< 200 m"),
        (199, "< 200 m"),
        (200, "± 200 m"),
        (249, "± 200 m"),
        (250, "± 300 m"),
        (412, "± 400 m"),
        (949, "± 900 m"),
        (950, "± 1,0 km"),
        (1234, "± 1,2 km"),
        (4960, "± 5,0 km"),
    ],
)
def test_format_distance_rounds_to_100_m(metres: int, shown: str) -> None:
    assert geo.format_distance(metres) == shown


@given(st.integers(min_value=0, max_value=50_000))
def test_rounded_distance_is_a_multiple_of_100_and_close(d: int) -> None:
    rounded = geo.round_distance_m(d)
    if d < 200:
        assert rounded is None
    else:
        assert rounded is not None and rounded % 100 == 0 and abs(rounded - d) <= 50


@pytest.mark.parametrize(
    ("text", "expected"),
    [("52.0907", 52_090_700), ("5,1214", 5_121_400), (" -0.5 ", -500_000), (4, 4_000_000)],
)
def test_to_e6(text: object, expected: int) -> None:
    assert geo.to_e6(text) == expected


@pytest.mark.parametrize("bad", ["", "abc", "nan", "inf", "1e400x", None])
def test_to_e6_refuses_garbage(bad: object) -> None:
    with pytest.raises(ValueError):
        geo.to_e6(bad)


@given(lat_e6.filter(lambda v: abs(v) < 70_000_000), lon_e6, st.integers(0, 20_000))
def test_equirectangular_distance_is_close_to_haversine(lat: int, lon: int, north: int) -> None:
    other = offset((lat, lon), north * 0.6, north * 0.8)
    if not geo.valid_point(*other):
        return
    exact = haversine_m(lat, lon, *other)
    assert abs(geo.distance_m(lat, lon, *other) - exact) <= max(2.0, exact * 0.005)


@given(
    lat_e6.filter(lambda v: abs(v) < 75_000_000),
    lon_e6,
    st.integers(100, 10_000),
    st.floats(min_value=0, max_value=2 * math.pi),
    st.floats(min_value=0, max_value=1),
)
def test_bbox_contains_every_point_within_the_radius(
    lat: int, lon: int, radius: int, angle: float, share: float
) -> None:
    point = offset((lat, lon), radius * share * math.sin(angle), radius * share * math.cos(angle))
    box = geo.bbox(lat, lon, radius)
    if geo.distance_m(lat, lon, *point) <= radius:
        assert box.lat_min <= point[0] <= box.lat_max
        assert box.lon_min <= point[1] <= box.lon_max


def test_centre_of_a_square_and_of_garbage() -> None:
    square = {
        "type": "Polygon",
        "coordinates": [[[5.0, 52.0], [5.2, 52.0], [5.2, 52.2], [5.0, 52.2], [5.0, 52.0]]],
    }
    assert geo.centre_of(square) == (52_100_000, 5_100_000)
    multi = {"type": "MultiPolygon", "coordinates": [square["coordinates"]]}
    assert geo.centre_of(multi) == (52_100_000, 5_100_000)
    assert geo.centre_of(None) is None
    assert geo.centre_of({"type": "Point", "coordinates": [5, 52]}) is None
