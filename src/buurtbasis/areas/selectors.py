"""Read-side queries for the area pages and the API.

Every function here runs a fixed number of queries, whatever the number of areas or values in
the database: the neighbourhood page costs two queries (the area with its parents, and all
values of the area and its municipality), a district or municipality page one or two more
(its children, with their number of inhabitants as a subquery).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.urls import reverse

from .models import Area, Indicator, IndicatorValue, Level

INHABITANTS = "inhabitants"
HOUSEHOLDS = "households"

# Counts that are only comparable between areas as a share of a base count in the same area
# and year: key -> (base indicator key, multiplier, kind of share).
SHARE_OF_INHABITANTS = "inhabitants_pct"
SHARE_OF_HOUSEHOLDS = "households_pct"
PER_1000_INHABITANTS = "inhabitants_per_1000"
SHARES: dict[str, tuple[str, int, str]] = {
    "men": (INHABITANTS, 100, SHARE_OF_INHABITANTS),
    "women": (INHABITANTS, 100, SHARE_OF_INHABITANTS),
    "age_0_14": (INHABITANTS, 100, SHARE_OF_INHABITANTS),
    "age_15_24": (INHABITANTS, 100, SHARE_OF_INHABITANTS),
    "age_25_44": (INHABITANTS, 100, SHARE_OF_INHABITANTS),
    "age_45_64": (INHABITANTS, 100, SHARE_OF_INHABITANTS),
    "age_65_plus": (INHABITANTS, 100, SHARE_OF_INHABITANTS),
    "education_high": (INHABITANTS, 100, SHARE_OF_INHABITANTS),
    "education_low": (INHABITANTS, 100, SHARE_OF_INHABITANTS),
    "social_assistance": (INHABITANTS, 100, SHARE_OF_INHABITANTS),
    "single_person_households": (HOUSEHOLDS, 100, SHARE_OF_HOUSEHOLDS),
    "households_with_children": (HOUSEHOLDS, 100, SHARE_OF_HOUSEHOLDS),
    "businesses": (INHABITANTS, 1000, PER_1000_INHABITANTS),
    "registered_crimes": (INHABITANTS, 1000, PER_1000_INHABITANTS),
}
# Differences smaller than this (relative) read as "about the same as the municipality".
SAME_TOLERANCE = Decimal("0.02")

COORDINATE_DECIMALS = 6
# Douglas–Peucker tolerance in degrees (about 2 metres): invisible at neighbourhood scale,
# removes most points of detailed boundaries.
SIMPLIFY_TOLERANCE = 0.00002


# --- Figures ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """A value, and when it is a count, its share of a base (e.g. % of the inhabitants)."""

    value: Decimal
    year: int
    share: Decimal | None = None


@dataclass(frozen=True)
class Figure:
    indicator: Indicator
    own: Measure
    municipal: Measure | None = None
    share_kind: str = ""  # one of SHARE_OF_INHABITANTS, … or "" (compare the values)
    direction: str = ""  # "higher", "lower", "same" or "" (not comparable)

    @property
    def compared_share(self) -> bool:
        return bool(self.share_kind) and self.own.share is not None

    @property
    def municipal_differs_in_year(self) -> bool:
        return self.municipal is not None and self.municipal.year != self.own.year


@dataclass
class FigureGroups:
    strengths: list[Figure] = field(default_factory=list)
    needs: list[Figure] = field(default_factory=list)
    neutral: list[Figure] = field(default_factory=list)
    compared: bool = False

    def __bool__(self) -> bool:
        return bool(self.strengths or self.needs or self.neutral)

    def get(self, key: str) -> Figure | None:
        for figure in (*self.strengths, *self.needs, *self.neutral):
            if figure.indicator.key == key:
                return figure
        return None


def _latest(
    values: Iterable[IndicatorValue],
) -> tuple[dict[int, dict[str, IndicatorValue]], dict[tuple[int, str, int], Decimal]]:
    """Per area id: the latest value per indicator key; and every value by (area, key, year)."""
    latest: dict[int, dict[str, IndicatorValue]] = {}
    every: dict[tuple[int, str, int], Decimal] = {}
    for v in values:
        key = v.indicator.key
        every[(v.area_id, key, v.year)] = v.value
        current = latest.setdefault(v.area_id, {}).get(key)
        if current is None or v.year > current.year:
            latest[v.area_id][key] = v
    return latest, every


def _share(
    every: dict[tuple[int, str, int], Decimal], area_id: int, key: str, year: int, value: Decimal
) -> Decimal | None:
    spec = SHARES.get(key)
    if spec is None:
        return None
    base = every.get((area_id, spec[0], year))
    if not base:
        return None
    return value * spec[1] / base


def _direction(own: Decimal | None, other: Decimal | None) -> str:
    if own is None or other is None:
        return ""
    if other == 0:
        return "same" if own == 0 else "higher"
    if abs(own - other) <= abs(other) * SAME_TOLERANCE:
        return "same"
    return "higher" if own > other else "lower"


# Values that are not "more" or "less" than the municipality's in a meaningful way: counts and
# surfaces without a share (an area is smaller than its municipality), and classes (urbanity 1
# is the most urban). The municipal value is shown for reference only.
NO_DIRECTION_UNITS = {"aantal", "ha", "klasse"}


def figures(area: Area) -> FigureGroups:
    """The latest figure of every indicator of ``area``, compared with its municipality (same
    year where the municipality has it), grouped by how to read them. One query."""
    municipality_id = area.municipality_id if area.level != Level.MUNICIPALITY else None
    ids = [area.pk] + ([municipality_id] if municipality_id else [])
    values = (
        IndicatorValue.objects.filter(area_id__in=ids)
        .select_related("indicator")
        .order_by("indicator__position", "indicator__key", "-year")
    )
    latest, every = _latest(values)
    groups = FigureGroups(compared=municipality_id is not None)
    own_values = latest.get(area.pk, {})
    municipal_values = latest.get(municipality_id, {}) if municipality_id else {}
    ordered = sorted(own_values.values(), key=lambda v: (v.indicator.position, v.indicator.key))
    for v in ordered:
        key = v.indicator.key
        own = Measure(v.value, v.year, _share(every, area.pk, key, v.year, v.value))
        municipal: Measure | None = None
        if municipality_id:
            year = v.year if (municipality_id, key, v.year) in every else None
            if year is None and key in municipal_values:
                year = municipal_values[key].year
            if year is not None:
                m_value = every[(municipality_id, key, year)]
                municipal = Measure(
                    m_value, year, _share(every, municipality_id, key, year, m_value)
                )
        share_kind = SHARES[key][2] if key in SHARES else ""
        direction = ""
        if municipal is not None:
            if share_kind and own.share is not None:
                direction = _direction(own.share, municipal.share)
            elif not share_kind and v.indicator.unit not in NO_DIRECTION_UNITS:
                direction = _direction(own.value, municipal.value)
        figure = Figure(v.indicator, own, municipal, share_kind, direction)
        if v.indicator.reading == Indicator.Reading.STRENGTH:
            groups.strengths.append(figure)
        elif v.indicator.reading == Indicator.Reading.NEED:
            groups.needs.append(figure)
        else:
            groups.neutral.append(figure)
    return groups


# --- Areas --------------------------------------------------------------------------------------


def get_area(code: str) -> Area:
    """The area with CBS ``code`` (any case) with its parent and grandparent; raises
    :class:`Area.DoesNotExist`. One query."""
    return Area.objects.select_related("parent", "parent__parent", "municipality").get(
        code=code.strip().upper()
    )


def ancestors(area: Area) -> list[Area]:
    """Municipality first, then district (for a neighbourhood); uses the loaded parents."""
    chain: list[Area] = []
    parent = area.parent
    while parent is not None:
        chain.insert(0, parent)
        parent = parent.parent
    return chain


def _latest_inhabitants() -> Subquery:
    return Subquery(
        IndicatorValue.objects.filter(area=OuterRef("pk"), indicator__key=INHABITANTS)
        .order_by("-year")
        .values("value")[:1]
    )


def children(area: Area, *, with_boundary: bool = True) -> QuerySet[Area]:
    """The areas directly in ``area``, by name, annotated with ``inhabitants`` (latest year)."""
    qs = Area.objects.filter(parent=area).annotate(inhabitants=_latest_inhabitants())
    if not with_boundary:
        qs = qs.defer("boundary")
    return qs.order_by("name", "code")


@dataclass
class DistrictListing:
    district: Area
    neighbourhoods: list[Area]


def neighbourhoods_by_district(
    municipality: Area, districts: Sequence[Area], query: str = ""
) -> list[DistrictListing]:
    """The neighbourhoods of ``municipality`` grouped under ``districts`` (already loaded), each
    annotated with ``inhabitants``. With ``query``, only neighbourhoods whose name or code, or
    whose district's name, contains it (districts without a match are left out). One query."""
    qs = (
        Area.objects.filter(municipality=municipality, level=Level.NEIGHBOURHOOD)
        .defer("boundary")
        .annotate(inhabitants=_latest_inhabitants())
        .order_by("name", "code")
    )
    query = query.strip()
    if query:
        qs = qs.filter(
            Q(name__icontains=query) | Q(code__icontains=query) | Q(parent__name__icontains=query)
        )
    by_parent: dict[int, list[Area]] = {}
    for n in qs:
        assert n.parent_id is not None
        by_parent.setdefault(n.parent_id, []).append(n)
    listing = [DistrictListing(d, by_parent.get(d.pk, [])) for d in districts]
    if query:
        listing = [entry for entry in listing if entry.neighbourhoods]
    return listing


def neighbourhood_count(municipality: Area) -> int:
    return Area.objects.filter(municipality=municipality, level=Level.NEIGHBOURHOOD).count()


def municipalities() -> QuerySet[Area]:
    """All municipalities by name (without boundaries), for the home page. One query."""
    return Area.objects.filter(level=Level.MUNICIPALITY).only("code", "name").order_by("name")


# --- Map data -----------------------------------------------------------------------------------


def _simplify_line(points: list[list[float]], tolerance: float) -> list[list[float]]:
    """Douglas–Peucker, iterative (no recursion limit on long rings)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        start, end = stack.pop()
        ax, ay = points[start]
        bx, by = points[end]
        dx, dy = bx - ax, by - ay
        norm = (dx * dx + dy * dy) ** 0.5
        best, index = 0.0, -1
        for i in range(start + 1, end):
            px, py = points[i]
            if norm == 0:
                d = ((px - ax) ** 2 + (py - ay) ** 2) ** 0.5
            else:
                d = abs(dy * px - dx * py + bx * ay - by * ax) / norm
            if d > best:
                best, index = d, i
        if index != -1 and best > tolerance:
            keep[index] = True
            stack.append((start, index))
            stack.append((index, end))
    return [p for p, k in zip(points, keep, strict=True) if k]


def _round(c: object) -> float:
    return round(float(c), COORDINATE_DECIMALS)  # type: ignore[arg-type]


def _dedupe_rounded(points: Iterable[Sequence[float]]) -> list[list[float]]:
    """Points rounded to 6 decimals, without consecutive repeats."""
    out: list[list[float]] = []
    for x, y in points:
        p = [round(x, COORDINATE_DECIMALS), round(y, COORDINATE_DECIMALS)]
        if not out or out[-1] != p:
            out.append(p)
    return out


def _ring(ring: Sequence[Sequence[float]], tolerance: float) -> list[list[float]] | None:
    points = [[float(point[0]), float(point[1])] for point in ring]
    if len(points) < 3:
        return None
    body = points[:-1] if points[0] == points[-1] else points
    if len(body) < 4:
        simple = body
    else:
        # Split the ring at its first point and at the point farthest from it, so that
        # Douglas–Peucker keeps the shape of the whole ring.
        fx, fy = body[0]
        far = max(range(len(body)), key=lambda i: (body[i][0] - fx) ** 2 + (body[i][1] - fy) ** 2)
        half1 = _simplify_line(body[: far + 1], tolerance)
        half2 = _simplify_line([*body[far:], body[0]], tolerance)
        simple = half1[:-1] + half2[:-1]
    result = _dedupe_rounded(simple)
    if len(result) > 1 and result[0] == result[-1]:
        result.pop()
    if len(result) < 3:
        return None  # not an area any more at this precision
    return [*result, result[0]]  # closed, as GeoJSON rings are


def simplify_geometry(
    geometry: dict[str, Any] | None, tolerance: float = SIMPLIFY_TOLERANCE
) -> dict[str, Any] | None:
    """A (Multi)Polygon with coordinates rounded to 6 decimals and simplified (Douglas–Peucker
    with ``tolerance`` in degrees); other geometry types are rounded only. ``None`` for
    missing or unusable geometry."""
    if not isinstance(geometry, dict):
        return None
    kind = geometry.get("type")
    coords: Any = geometry.get("coordinates") or []
    try:
        if kind == "Polygon":
            rings = [r for r in (_ring(ring, tolerance) for ring in coords) if r]
            return {"type": kind, "coordinates": rings} if rings else None
        if kind == "MultiPolygon":
            polygons = []
            for polygon in coords:
                rings = [r for r in (_ring(ring, tolerance) for ring in polygon) if r]
                if rings:
                    polygons.append(rings)
            return {"type": kind, "coordinates": polygons} if polygons else None
        if kind in ("LineString", "MultiPoint"):
            return {
                "type": kind,
                "coordinates": [[_round(c) for c in p] for p in coords],
            }
        if kind == "Point":
            return {
                "type": kind,
                "coordinates": [_round(c) for c in coords],
            }
    except (TypeError, ValueError, IndexError):
        return None
    return None


def _extent(geometry: Any) -> tuple[float, float, float, float] | None:
    """(min lon, min lat, max lon, max lat) of a GeoJSON geometry's outer rings."""
    try:
        kind = geometry["type"]
        polygons = (
            ([geometry["coordinates"]] if kind == "Polygon" else geometry["coordinates"])
            if kind in ("Polygon", "MultiPolygon")
            else []
        )
        xs = [float(p[0]) for polygon in polygons for p in polygon[0]]
        ys = [float(p[1]) for polygon in polygons for p in polygon[0]]
    except (KeyError, TypeError, ValueError, IndexError):
        return None
    if not xs:
        return None
    return min(xs), min(ys), max(xs), max(ys)


def _tolerance(areas: Sequence[Area]) -> float:
    """About a third of a pixel on a map that shows all ``areas`` 600 pixels wide: details
    smaller than that are invisible, so a municipality map drops more points than a
    neighbourhood map. Never below :data:`SIMPLIFY_TOLERANCE`."""
    extents = [e for e in (_extent(a.boundary) for a in areas if a.boundary) if e]
    if not extents:
        return SIMPLIFY_TOLERANCE
    width = max(e[2] for e in extents) - min(e[0] for e in extents)
    height = max(e[3] for e in extents) - min(e[1] for e in extents)
    return max(SIMPLIFY_TOLERANCE, max(width, height) / 1800)


def _feature(area: Area, role: str, tolerance: float) -> dict[str, Any] | None:
    geometry = simplify_geometry(area.boundary, tolerance)
    if geometry is None:
        return None
    return {
        "type": "Feature",
        "geometry": geometry,
        "properties": {
            "code": area.code,
            "name": area.name,
            "role": role,
            "url": reverse("areas:detail", kwargs={"code": area.code}),
        },
    }


def map_data(area: Area, kids: Iterable[Area] = ()) -> dict[str, Any] | None:
    """GeoJSON FeatureCollection of ``area`` (role ``self``) and its children (role ``child``),
    simplified for embedding in the page; ``None`` when none of them has a boundary."""
    children_list = list(kids)
    tolerance = _tolerance([area, *children_list])
    features = [
        _feature(area, "self", tolerance),
        *(_feature(k, "child", tolerance) for k in children_list),
    ]
    present = [f for f in features if f is not None]
    if not present:
        return None
    return {"type": "FeatureCollection", "features": present}
