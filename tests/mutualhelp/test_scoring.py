"""The matching rule, piece by piece (docs/mutualhelp.md)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from buurtbasis.mutualhelp import matching
from buurtbasis.mutualhelp.models import ALL_MOMENTS, Moment

AMS = ZoneInfo("Europe/Amsterdam")


def test_distance_points_fall_linearly_to_zero_at_the_radius() -> None:
    assert matching.distance_points(0, 1000) == 40
    assert matching.distance_points(500, 1000) == 20
    assert matching.distance_points(999, 1000) == 0
    assert matching.distance_points(1000, 1000) == 0
    assert matching.distance_points(1001, 1000) == 0


def test_fit_points() -> None:
    assert matching.fit_points("task", "task") == 30
    assert matching.fit_points("task", "lend") == 20
    assert matching.fit_points("task", None) == 15


@pytest.mark.parametrize(
    ("days", "points"), [(None, 0), (0, 10), (7, 10), (8, 6), (30, 6), (31, 3), (90, 3), (91, 0)]
)
def test_activity_points(days: int | None, points: int) -> None:
    assert matching.activity_points(days) == points


def test_moment_of_uses_local_time() -> None:
    saturday_morning = datetime(2025, 6, 7, 9, 30, tzinfo=AMS)
    assert matching.moment_of(saturday_morning) == Moment.WEEKEND_MORNING
    tuesday_evening = datetime(2025, 6, 3, 19, 0, tzinfo=AMS)
    assert matching.moment_of(tuesday_evening) == Moment.WEEKDAY_EVENING
    # 13:00 UTC on a Monday is 15:00 in Amsterdam: afternoon.
    assert matching.moment_of(datetime(2025, 6, 2, 13, 0, tzinfo=ZoneInfo("UTC"))) == 2


def test_time_points_with_two_dates() -> None:
    t = datetime(2025, 6, 7, 10, 0, tzinfo=AMS)
    assert matching.time_points(0, t, 0, t + timedelta(hours=2)) == 20
    assert matching.time_points(0, t, 0, t + timedelta(hours=20)) == 12
    assert matching.time_points(0, t, 0, t - timedelta(days=3)) == 5
    assert matching.time_points(0, t, 0, t + timedelta(days=4)) == 0


def test_time_points_with_parts_of_the_week() -> None:
    wd = Moment.WEEKDAY_MORNING | Moment.WEEKDAY_AFTERNOON
    assert matching.time_points(0, None, wd, None) == 20  # asker: any time
    assert matching.time_points(wd, None, 0, None) == 20  # helper: any time
    assert matching.time_points(wd, None, Moment.WEEKDAY_MORNING, None) == 10
    assert matching.time_points(wd, None, Moment.WEEKEND_EVENING, None) == 0
    saturday = datetime(2025, 6, 7, 10, 0, tzinfo=AMS)
    assert matching.time_points(0, saturday, Moment.WEEKEND_MORNING, None) == 20
    assert matching.time_points(0, saturday, Moment.WEEKDAY_MORNING, None) == 0


@given(
    st.integers(0, 5000),
    st.sampled_from([500, 1000, 2000, 5000]),
    st.sampled_from(["task", "lend", "ride", "skill", "time"]),
    st.sampled_from(["task", "lend", "ride", "skill", "time", None]),
    st.integers(0, ALL_MOMENTS),
    st.integers(0, ALL_MOMENTS),
    st.one_of(st.none(), st.integers(0, 400)),
)
def test_score_is_the_sum_and_stays_within_0_and_100(
    d: int, r: int, kind: str, cand: str | None, m1: int, m2: int, days: int | None
) -> None:
    s = matching.score(
        distance_m=d,
        radius_m=r,
        subject_kind=kind,
        candidate_kind=cand,
        subject_moments=m1,
        candidate_moments=m2,
        days_inactive=days,
    )
    assert 0 <= s <= 100
    assert s == (
        matching.distance_points(d, r)
        + matching.fit_points(kind, cand)
        + matching.time_points(m1, None, m2, None)
        + matching.activity_points(days)
    )
    # Nearer never scores lower, all else equal.
    nearer = matching.score(
        distance_m=max(d - 100, 0),
        radius_m=r,
        subject_kind=kind,
        candidate_kind=cand,
        subject_moments=m1,
        candidate_moments=m2,
        days_inactive=days,
    )
    assert nearer >= s


def test_top_keeps_each_person_once_with_their_best_item() -> None:
    c = matching.Candidate
    items = [
        c(1, "capability", None, None, 300, 50, False),
        c(1, "post", 10, "task", 300, 70, False),
        c(2, "post", 11, "task", 100, 70, False),
        c(3, "post", 12, "lend", 900, 20, False),
    ]
    result = matching.top(items, 2)
    assert [(x.user_id, x.post_id) for x in result] == [(2, 11), (1, 10)]
