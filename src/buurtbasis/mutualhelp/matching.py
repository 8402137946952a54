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
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

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


def find_candidates(
    post: Post, *, limit: int = 10, now: datetime | None = None, exclude: Iterable[int] = ()
) -> list[Candidate]:
    """The best ``limit`` candidates for ``post``, each person once, in rank order.

    For a request: open offers and people who can help with its category. For an offer: open
    requests. Blocks are respected in both directions, for everyone who speaks for the post."""
    now = now or timezone.now()
    side = post.side_user_ids()
    blocked = blocked_user_ids(side)
    skip = side | blocked | set(exclude)
    box = geo.bbox(post.lat_e6, post.lon_e6, post.radius_m)
    in_box = {
        "lat_e6__gte": box.lat_min,
        "lat_e6__lte": box.lat_max,
        "lon_e6__gte": box.lon_min,
        "lon_e6__lte": box.lon_max,
    }
    wanted = Direction.OFFER if post.is_request else Direction.REQUEST
    found: list[Candidate] = []

    rows = (
        Post.objects.filter(
            current_posts_q(now),
            status=Post.Status.OPEN,
            direction=wanted,
            category=post.category,
            owner__is_active=True,
            **in_box,
        )
        .values_list(
            "id",
            "owner_id",
            "kind",
            "lat_e6",
            "lon_e6",
            "radius_m",
            "moments",
            "starts_at",
            "hide_location",
            "owner__help_profile__last_active_at",
            "created_by_id",
        )
        .iterator(chunk_size=2000)
    )
    for pid, uid, kind, lat, lon, radius, moments, starts, hidden, active, by in rows:
        if uid in skip or by in blocked:
            continue
        d = geo.distance_m(post.lat_e6, post.lon_e6, lat, lon)
        if d > post.radius_m or d > radius:
            continue
        s = score(
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
        found.append(Candidate(uid, SOURCE_POST, pid, kind, d, s, hidden))

    if post.is_request:
        caps = (
            Capability.objects.filter(category=post.category, user__is_active=True, **in_box)
            .values_list(
                "user_id",
                "lat_e6",
                "lon_e6",
                "radius_m",
                "profile__moments",
                "profile__last_active_at",
                "profile__vulnerable",
            )
            .iterator(chunk_size=2000)
        )
        for uid, cap_lat, cap_lon, radius, moments, active, hidden in caps:
            if uid in skip or cap_lat is None or cap_lon is None:
                continue
            d = geo.distance_m(post.lat_e6, post.lon_e6, cap_lat, cap_lon)
            if d > post.radius_m or d > radius:
                continue
            s = score(
                distance_m=d,
                radius_m=post.radius_m,
                subject_kind=post.kind,
                candidate_kind=None,
                subject_moments=post.moments,
                subject_starts_at=post.starts_at,
                candidate_moments=moments,
                days_inactive=_days(now, active),
            )
            found.append(Candidate(uid, SOURCE_CAPABILITY, None, None, d, s, hidden))
    return top(found, limit)
