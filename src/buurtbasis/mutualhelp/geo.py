"""Points, distances and how distances are shown.

Points are stored as integer micro-degrees (WGS84, ``lat_e6 = round(lat * 1_000_000)``), which
is about 0.1 m: exact enough, comparable and indexable as plain integers on SQLite and
PostgreSQL. Distances use the equirectangular approximation, which is off by far less than the
100 m rounding at neighbourhood scale. A stored point is never shown: only
:func:`format_distance` of the distance to it, measured to a secretly moved point
(:func:`jittered`) and rounded to 100 m.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.crypto import salted_hmac
from django.utils.formats import number_format
from django.utils.translation import gettext as _

EARTH_RADIUS_M = 6_371_008.8
#: Metres per micro-degree of latitude.
M_PER_E6 = EARTH_RADIUS_M * math.pi / 180 / 1_000_000

LAT_MIN_E6, LAT_MAX_E6 = -90_000_000, 90_000_000
LON_MIN_E6, LON_MAX_E6 = -180_000_000, 180_000_000


@dataclass(frozen=True)
class BBox:
    lat_min: int
    lat_max: int
    lon_min: int
    lon_max: int


def to_e6(value: Any) -> int:
    """A coordinate in degrees (str, Decimal, int or float) as integer micro-degrees.

    Raises ``ValueError`` for anything that is not a finite number."""
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("coordinate is not finite")
        value = repr(value)
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValueError(f"not a coordinate: {value!r}") from None
    if not number.is_finite():
        raise ValueError("coordinate is not finite")
    return int(number.scaleb(6).to_integral_value())


def valid_point(lat_e6: int, lon_e6: int) -> bool:
    return LAT_MIN_E6 <= lat_e6 <= LAT_MAX_E6 and LON_MIN_E6 <= lon_e6 <= LON_MAX_E6


def lon_factor(lat_e6: int) -> float:
    """cos(latitude): how much shorter a micro-degree of longitude is than one of latitude."""
    return math.cos(math.radians(lat_e6 / 1_000_000))


def distance_m(lat1_e6: int, lon1_e6: int, lat2_e6: int, lon2_e6: int) -> int:
    """Distance in whole metres (equirectangular approximation around the mean latitude)."""
    factor = lon_factor((lat1_e6 + lat2_e6) // 2)
    dy = lat2_e6 - lat1_e6
    dx = (lon2_e6 - lon1_e6) * factor
    return int(round(math.hypot(dx, dy) * M_PER_E6))


def bbox(lat_e6: int, lon_e6: int, radius_m: int) -> BBox:
    """A box (in micro-degrees) that certainly contains every point within ``radius_m``.

    One metre of slack on each side covers rounding, so the box never cuts off a point that
    :func:`distance_m` puts inside the radius."""
    dlat = int(math.ceil((radius_m + 1) / M_PER_E6))
    # The longitude span is widest at the latitude edge furthest from the equator.
    edge = max(abs(lat_e6 - dlat), abs(lat_e6 + dlat))
    factor = max(lon_factor(min(edge, 89_000_000)), 0.01)
    dlon = int(math.ceil((radius_m + 1) / (M_PER_E6 * factor)))
    return BBox(lat_e6 - dlat, lat_e6 + dlat, lon_e6 - dlon, lon_e6 + dlon)


#: The grid (micro-degrees, about 110 × 100 m in the Netherlands) on which :func:`jittered`
#: keys its offset: every point in one cell is moved the same way.
JITTER_CELL_E6 = (1000, 1500)


def jitter_offset_m(key: str, max_m: float) -> tuple[float, float]:
    """A secret but stable offset (north, east) in metres, uniform over a disc of ``max_m``.

    Derived from ``key`` with an HMAC of the project's secret key, so it cannot be computed
    from outside and is the same every time for the same key."""
    digest = salted_hmac("buurtbasis.mutualhelp.jitter", key, algorithm="sha256").digest()
    u1 = int.from_bytes(digest[:8], "big") / 2**64
    u2 = int.from_bytes(digest[8:16], "big") / 2**64
    r = max_m * math.sqrt(u1)
    angle = 2 * math.pi * u2
    return r * math.cos(angle), r * math.sin(angle)


def jittered(lat_e6: int, lon_e6: int, max_m: float) -> tuple[int, int]:
    """The point that shown distances are measured to: the stored point moved by a secret,
    stable offset of at most ``max_m`` metres.

    The offset depends only on the grid cell the point lies in (:data:`JITTER_CELL_E6`), not on
    who looks or at which post: reading rounded distances from many places can at best find
    the moved point, never the real one, and several posts at (nearly) the same place cannot
    be averaged to cancel the offset."""
    if max_m <= 0:
        return lat_e6, lon_e6
    cell = f"{lat_e6 // JITTER_CELL_E6[0]}:{lon_e6 // JITTER_CELL_E6[1]}"
    north, east = jitter_offset_m(cell, max_m)
    dlat = int(round(north / M_PER_E6))
    dlon = int(round(east / (M_PER_E6 * max(lon_factor(lat_e6), 0.01))))
    return lat_e6 + dlat, lon_e6 + dlon


def shown_distance_m(
    viewer_lat_e6: int, viewer_lon_e6: int, lat_e6: int, lon_e6: int, jitter_m: float
) -> int:
    """The distance that may be shown (through :func:`format_distance`): from the viewer's
    point to the :func:`jittered` point of the target."""
    return distance_m(viewer_lat_e6, viewer_lon_e6, *jittered(lat_e6, lon_e6, jitter_m))


def round_distance_m(d: int) -> int | None:
    """The distance that may be shown: ``None`` below 200 m ("< 200 m"), else the nearest
    100 m (half up)."""
    if d < 200:
        return None
    return ((d + 50) // 100) * 100


def format_distance(d: int | None) -> str:
    """How a distance is shown to people: "< 200 m", "± 400 m", "± 1,2 km".

    Always rounded to 100 m, so a stored point cannot be read back from it."""
    if d is None:
        return ""
    rounded = round_distance_m(d)
    if rounded is None:
        return _("< 200 m")
    if rounded < 1000:
        return _("± %(m)s m") % {"m": rounded}
    km = Decimal(rounded) / 1000
    return _("± %(km)s km") % {"km": number_format(km, decimal_pos=1)}


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    """The outer rings of a GeoJSON Polygon/MultiPolygon (or Feature/FeatureCollection)."""
    kind = geometry.get("type")
    if kind == "Feature":
        return _rings(geometry.get("geometry") or {})
    if kind == "FeatureCollection":
        return [ring for f in geometry.get("features") or [] for ring in _rings(f)]
    if kind == "Polygon":
        coords = geometry.get("coordinates") or []
        return [coords[0]] if coords else []
    if kind == "MultiPolygon":
        return [poly[0] for poly in geometry.get("coordinates") or [] if poly]
    return []


def centre_of(geometry: dict[str, Any] | None) -> tuple[int, int] | None:
    """The area-weighted centre (lat_e6, lon_e6) of a GeoJSON boundary, or ``None``.

    Used as the point of a post when someone gives only their neighbourhood."""
    if not geometry:
        return None
    total_area = cx = cy = 0.0
    vertices: list[tuple[float, float]] = []
    for ring in _rings(geometry):
        points = [(float(p[0]), float(p[1])) for p in ring if len(p) >= 2]
        vertices.extend(points)
        for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1], strict=True):
            cross = x0 * y1 - x1 * y0
            total_area += cross
            cx += (x0 + x1) * cross
            cy += (y0 + y1) * cross
    if abs(total_area) > 1e-12:
        lon, lat = cx / (3 * total_area), cy / (3 * total_area)
    elif vertices:
        lon = sum(v[0] for v in vertices) / len(vertices)
        lat = sum(v[1] for v in vertices) / len(vertices)
    else:
        return None
    point = (to_e6(round(lat, 6)), to_e6(round(lon, 6)))
    return point if valid_point(*point) else None
