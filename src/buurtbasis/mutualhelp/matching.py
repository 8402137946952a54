"""Matching: who could help with a request, and which requests suit an offer.

The ranking rule is one pure function, :func:`score` (documented in docs/mutualhelp.md); the
database only narrows the search to a bounding box on indexed integer columns. Ties are broken
by distance, then by the person's id, so the order is total and repeatable.

Score (0–100):

* distance — up to 40: ``40 × (radius − distance) ÷ radius`` (rounded down);
* fit — 30 for an open post of the same kind, 20 for an open post of another kind in the same
  category, 15 for someone who only said they can help with this category;
* time — up to 20 (see :func:`time_points`);
* recent activity — 10 if active in the last 7 days, 6 within 30 days, 3 within 90 days.

A candidate is only eligible when the distance is within the radius of the post *and* within
the candidate's own radius, when the candidate is another, active person, and when no block
exists between them and anyone who speaks for the post (in either direction).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from buurtbasis.accounts.models import User

from . import geo
from .models import Block, Capability, Direction, Moment, Post, Recurrence

DISTANCE_POINTS = 40
FIT_SAME_KIND = 30
FIT_OTHER_KIND = 20
FIT_CAPABILITY = 15
TIME_POINTS = 20
#: (at most this many days inactive, points)
ACTIVITY_STEPS = ((7, 10), (30, 6), (90, 3))

SOURCE_POST = "post"
SOURCE_CAPABILITY = "capability"

WEEKDAY_BITS = (Moment.WEEKDAY_MORNING, Moment.WEEKDAY_AFTERNOON, Moment.WEEKDAY_EVENING)
WEEKEND_BITS = (Moment.WEEKEND_MORNING, Moment.WEEKEND_AFTERNOON, Moment.WEEKEND_EVENING)


# --- The rule (pure functions) ---------------------------------------------------------------


def distance_points(distance_m: int, radius_m: int) -> int:
    if radius_m <= 0 or distance_m > radius_m:
        return 0
    return DISTANCE_POINTS * (radius_m - max(distance_m, 0)) // radius_m


def fit_points(subject_kind: str, candidate_kind: str | None) -> int:
    """``candidate_kind`` is ``None`` for someone who only said they can help."""
    if candidate_kind is None:
        return FIT_CAPABILITY
    return FIT_SAME_KIND if candidate_kind == subject_kind else FIT_OTHER_KIND


def moment_of(moment: datetime) -> int:
    """The part of the week (one :class:`Moment` bit) a date and time falls in, local time."""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    bits = WEEKEND_BITS if local.weekday() >= 5 else WEEKDAY_BITS
    if local.hour < 12:
        return int(bits[0])
    if local.hour < 18:
        return int(bits[1])
    return int(bits[2])


def time_points(
    subject_moments: int,
    subject_starts_at: datetime | None,
    candidate_moments: int,
    candidate_starts_at: datetime | None,
) -> int:
    """How well the times fit, 0–20.

    * Both have a date and time: 20 within 2 hours of each other, 12 within a day, 5 within
      three days, else 0.
    * Otherwise the parts of the week (a date counts as its own part of the week when no parts
      were chosen): 20 when either side is "any time", else 20 × the share of the subject's
      parts that the candidate also has (rounded down).
    """
    if subject_starts_at is not None and candidate_starts_at is not None:
        hours = abs((subject_starts_at - candidate_starts_at).total_seconds()) / 3600
        if hours <= 2:
            return TIME_POINTS
        if hours <= 24:
            return 12
        if hours <= 72:
            return 5
        return 0
    wanted = subject_moments or (moment_of(subject_starts_at) if subject_starts_at else 0)
    offered = candidate_moments or (moment_of(candidate_starts_at) if candidate_starts_at else 0)
    if not wanted or not offered:
        return TIME_POINTS
    return TIME_POINTS * (wanted & offered).bit_count() // wanted.bit_count()


def activity_points(days_inactive: int | None) -> int:
    if days_inactive is None:
        return 0
    for limit, points in ACTIVITY_STEPS:
        if days_inactive <= limit:
            return points
    return 0


def score(
    *,
    distance_m: int,
    radius_m: int,
    subject_kind: str,
    candidate_kind: str | None,
    subject_moments: int = 0,
    subject_starts_at: datetime | None = None,
    candidate_moments: int = 0,
    candidate_starts_at: datetime | None = None,
    days_inactive: int | None = None,
) -> int:
    """The matching score of one candidate for one post (0–100). See the module docstring."""
    return (
        distance_points(distance_m, radius_m)
        + fit_points(subject_kind, candidate_kind)
        + time_points(subject_moments, subject_starts_at, candidate_moments, candidate_starts_at)
        + activity_points(days_inactive)
    )


@dataclass(frozen=True)
class Candidate:
    user_id: int
    source: str  # SOURCE_POST or SOURCE_CAPABILITY
    post_id: int | None  # the candidate's own open post, when source is a post
    kind: str | None
    distance_m: int
    score: int
    hide_location: bool
    # The candidate's private point (to show a jittered distance; never shown itself).
    lat_e6: int = field(default=0, compare=False, repr=False)
    lon_e6: int = field(default=0, compare=False, repr=False)

    @property
    def rank_key(self) -> tuple[int, ...]:
        return rank_key(self.score, self.distance_m, self.user_id, self.post_id)


def rank_key(score_: int, distance_m: int, user_id: int, post_id: int | None) -> tuple[int, ...]:
    """Higher score first, then nearer, then lower person id, then lower post id (a person's
    capability before their posts when everything else is equal)."""
    return (-score_, distance_m, user_id, post_id or 0)


def best_per_person(candidates: Iterable[Candidate]) -> dict[int, Candidate]:
    best: dict[int, Candidate] = {}
    for c in candidates:
        current = best.get(c.user_id)
        if current is None or c.rank_key < current.rank_key:
            best[c.user_id] = c
    return best


def top(candidates: Iterable[Candidate], limit: int) -> list[Candidate]:
    """Each person once (their best item), the best ``limit`` in rank order."""
    return heapq.nsmallest(limit, best_per_person(candidates).values(), key=lambda c: c.rank_key)


# --- The search ------------------------------------------------------------------------------


def blocked_user_ids(user_ids: Iterable[int]) -> set[int]:
    """Everyone who blocked, or was blocked by, any of ``user_ids``."""
    ids = list(set(user_ids))
    if not ids:
        return set()
    rows = Block.objects.filter(Q(blocker_id__in=ids) | Q(blocked_id__in=ids)).values_list(
        "blocker_id", "blocked_id"
    )
    found = {a for a, _b in rows} | {b for _a, b in rows}
    return found - set(ids) if found else set()


def current_posts_q(now: datetime) -> Q:
    """Posts that are still relevant: recurring, without a date, or not long past."""
    return (
        Q(starts_at__isnull=True)
        | Q(starts_at__gte=now - timedelta(days=1))
        | ~Q(recurrence=Recurrence.ONCE)
    )


def _days(now: datetime, moment: datetime | None) -> int | None:
    if moment is None:
        return None
    return max((now - moment).days, 0)


#: The most a candidate can score apart from distance (fit + time + recent activity), for an
#: open post and for someone who only said they can help.
MAX_REST = {
    SOURCE_POST: FIT_SAME_KIND + TIME_POINTS + ACTIVITY_STEPS[0][1],
    SOURCE_CAPABILITY: FIT_CAPABILITY + TIME_POINTS + ACTIVITY_STEPS[0][1],
}
#: The search looks in rings: up to 400 m, 800 m, 1.6 km … up to the radius of the post.
FIRST_RING_M = 400
#: The database computes distances with the post's own latitude for the longitude scale,
#: Python with the mean of both: a 1 % + 5 m margin keeps every SQL ring a superset of the
#: exact rule (to ~100 km, far beyond the largest radius).
SQL_MARGIN, SQL_SLACK_M = 1.01, 5.0


def reach_m(radius_m: int, needed_points: int) -> int:
    """The farthest distance that still earns ``needed_points`` distance points (−1 when no
    distance does): ``distance_points(d, R) >= needed`` exactly when ``d <= R × (40 − needed)
    ÷ 40``."""
    if needed_points <= 0:
        return radius_m
    if needed_points > DISTANCE_POINTS:
        return -1
    return radius_m * (DISTANCE_POINTS - needed_points) // DISTANCE_POINTS


def ring_edges(radius_m: int) -> list[int]:
    """The outer edges of the search rings for a radius: 400, 800, 1600, … then the radius."""
    edges, edge = [], FIRST_RING_M
    while edge < radius_m:
        edges.append(edge)
        edge *= 2
    return [*edges, radius_m]


def _sql_d2(metres: float) -> float:
    """A distance in metres as the database's squared distance (micro-degrees²), widened by
    the margin."""
    return ((metres * SQL_MARGIN + SQL_SLACK_M) / geo.M_PER_E6) ** 2


class RingQuery:
    """One source of candidates (open posts, or capabilities), searched ring by ring.

    Plain parameterised SQL, built once per search: the same text runs on SQLite and
    PostgreSQL, uses the (…, category, lat_e6, lon_e6) index for the bounding box, and lets the
    database drop rows outside the ring or outside their own radius before anything is
    fetched. The squared distance (micro-degrees²) is only used to cut; it is never returned.
    """

    def __init__(self, post: Post, source: str, now: datetime) -> None:
        self.post = post
        if source == SOURCE_POST:
            table = Post._meta.db_table
            columns = (
                "id, owner_id, kind, lat_e6, lon_e6, radius_m, moments, starts_at, "
                "hide_location, owner_active_at, created_by_id"
            )
            where = (
                "status = %s AND direction = %s AND category = %s AND "
                "(starts_at IS NULL OR starts_at >= %s OR recurrence <> %s)"
            )
            wanted = Direction.OFFER if post.is_request else Direction.REQUEST
            params: list[Any] = [
                Post.Status.OPEN,
                wanted,
                post.category,
                connection.ops.adapt_datetimefield_value(now - timedelta(days=1)),
                Recurrence.ONCE,
            ]
        else:
            table = Capability._meta.db_table
            columns = "user_id, lat_e6, lon_e6, radius_m, moments, last_active_at, vulnerable"
            where = "category = %s"
            params = [post.category]
        factor = geo.lon_factor(post.lat_e6)
        per_metre = SQL_MARGIN / geo.M_PER_E6
        slack = SQL_SLACK_M * SQL_MARGIN / geo.M_PER_E6
        # Floating point throughout (PostgreSQL would otherwise compute in slow NUMERIC):
        # the integer differences are exact, then DOUBLE PRECISION on both databases.
        dy = "CAST(lat_e6 - %s AS DOUBLE PRECISION)"
        dx = "(CAST(lon_e6 - %s AS DOUBLE PRECISION) * CAST(%s AS DOUBLE PRECISION))"
        real = "CAST(%s AS DOUBLE PRECISION)"
        self.sql = (
            f"SELECT {columns} FROM (SELECT {columns}, "  # noqa: S608 (fixed names only)
            f"{dy} * {dy} + {dx} * {dx} AS d2 "
            f"FROM {table} WHERE {where} "
            "AND lat_e6 >= %s AND lat_e6 <= %s AND lon_e6 >= %s AND lon_e6 <= %s) ring "
            f"WHERE d2 <= {real} AND d2 <= (radius_m * {real} + {real}) * (radius_m * {real} "
            f"+ {real}) AND d2 > {real}"
        )
        lat, lon = post.lat_e6, post.lon_e6
        self.head = [lat, lat, lon, factor, lon, factor, *params]
        self.own = [per_metre, slack, per_metre, slack]
        self.source = source

    def rows(self, inner_m: int | None, outer_m: int) -> list[tuple[Any, ...]]:
        """Rows beyond ``inner_m`` (exclusive) up to ``outer_m`` — a slightly wider superset of
        the exact rule, which :func:`_candidate` then applies."""
        post = self.post
        box = geo.bbox(post.lat_e6, post.lon_e6, int(outer_m * SQL_MARGIN**2 + 2 * SQL_SLACK_M) + 1)
        params = [
            *self.head,
            box.lat_min,
            box.lat_max,
            box.lon_min,
            box.lon_max,
            _sql_d2(outer_m),
            *self.own,
            _sql_d2(inner_m) if inner_m is not None else -1.0,
        ]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            fetched = cursor.fetchall()
        if connection.vendor == "postgresql":
            return fetched
        return [self._convert(row) for row in fetched]

    def _convert(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        """SQLite hands back datetimes as text and booleans as 0/1."""
        if self.source == SOURCE_POST:
            pid, uid, kind, lat, lon, radius, moments, starts, hidden, active, by = row
            return (
                pid,
                uid,
                kind,
                lat,
                lon,
                radius,
                moments,
                _aware(starts),
                bool(hidden),
                _aware(active),
                by,
            )
        uid, lat, lon, radius, moments, active, hidden = row
        return (uid, lat, lon, radius, moments, _aware(active), bool(hidden))


def _aware(value: Any) -> datetime | None:
    """A stored datetime (UTC, as SQLite hands it back: text or naive) made aware."""
    if value is None:
        return None
    parsed = value if isinstance(value, datetime) else parse_datetime(str(value))
    if parsed is not None and timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def find_candidates(
    post: Post, *, limit: int = 10, now: datetime | None = None, exclude: Iterable[int] = ()
) -> list[Candidate]:
    """The best ``limit`` candidates for ``post``, each person once, in rank order.

    For a request: open offers and people who can help with its category. For an offer: open
    requests. Blocks are respected in both directions, for everyone who speaks for the post;
    people who no longer take part are left out.

    The database searches ring by ring (bounding boxes on indexed integer columns, rows outside
    either radius dropped); :func:`score` ranks what it finds. The search stops as soon as even
    a perfect fit beyond the current ring could not beat the ``limit``-th best found so far, so
    a large radius in a busy city costs little more than a small one."""
    now = now or timezone.now()
    skip = set(exclude)
    while True:
        found = _search(post, limit, now, skip)
        inactive = set(
            User.objects.filter(pk__in=[c.user_id for c in found], is_active=False).values_list(
                "pk", flat=True
            )
        )
        if not inactive:
            return found
        skip |= inactive  # rare: search again without them


def _search(post: Post, limit: int, now: datetime, exclude: set[int]) -> list[Candidate]:
    side = post.side_user_ids()
    blocked = blocked_user_ids(side)
    skip = side | blocked | exclude
    sources = [SOURCE_CAPABILITY, SOURCE_POST] if post.is_request else [SOURCE_POST]
    queries = {source: RingQuery(post, source, now) for source in sources}
    active = set(sources)
    # Per source: the farthest distance at which a row could still enter the top.
    reach: dict[str, int] = dict.fromkeys(sources, post.radius_m)
    best: dict[int, Candidate] = {}
    inner: int | None = None
    for outer in ring_edges(post.radius_m):
        for source in sources:
            if source not in active:
                continue
            ring_outer = min(outer, reach[source])
            if inner is not None and ring_outer <= inner:
                active.discard(source)
                continue
            for row in queries[source].rows(inner, ring_outer):
                candidate = _candidate(post, source, row, skip, blocked, now)
                if candidate is None:
                    continue
                current = best.get(candidate.user_id)
                if current is None or candidate.rank_key < current.rank_key:
                    best[candidate.user_id] = candidate
            if ring_outer < outer:
                active.discard(source)  # nothing farther can matter
        inner = outer
        if len(best) >= limit:
            kth = heapq.nsmallest(limit, best.values(), key=lambda c: c.rank_key)[-1]
            for source in active:
                reach[source] = min(
                    reach[source], reach_m(post.radius_m, kth.score - MAX_REST[source])
                )
        if not active:
            break
    return heapq.nsmallest(limit, best.values(), key=lambda c: c.rank_key)


def _candidate(
    post: Post,
    source: str,
    row: tuple[Any, ...],
    skip: set[int],
    blocked: set[int],
    now: datetime,
) -> Candidate | None:
    """Score one row, or ``None`` when it is not eligible (exactly, by the rule)."""
    if source == SOURCE_POST:
        pid, uid, kind, lat, lon, radius, moments, starts, hidden, active, by = row
        if uid in skip or by in blocked:
            return None
    else:
        uid, lat, lon, radius, moments, active, hidden = row
        pid = kind = starts = None
        if uid in skip or lat is None or lon is None:
            return None
    d = geo.distance_m(post.lat_e6, post.lon_e6, lat, lon)
    if d > post.radius_m or d > radius:
        return None
    points = score(
        distance_m=d,
        radius_m=post.radius_m,
        subject_kind=post.kind,
        candidate_kind=kind,
        subject_moments=post.moments,
        subject_starts_at=post.starts_at,
        candidate_moments=moments,
        candidate_starts_at=starts,
        days_inactive=_days(now, active),
    )
    return Candidate(uid, source, pid, kind, d, points, hidden, lat, lon)
