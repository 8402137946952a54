"""Property tests of matching against the real database.

For random neighbourhoods of people, offers, requests, capabilities and blocks, the candidates
the search returns must be exactly the best ones by the documented rule (recomputed here by
brute force over every row, without the bounding box), in rank order, each within the radius
of the post and of the candidate, and never in a blocked relation in either direction.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from buurtbasis.accounts.models import User
from buurtbasis.mutualhelp import geo, matching
from buurtbasis.mutualhelp.demo import offset
from buurtbasis.mutualhelp.models import (
    ALL_MOMENTS,
    Block,
    Capability,
    HelpProfile,
    Post,
)

from .conftest import CENTRE, World

CATEGORIES = ["moving", "garden"]
KINDS = ["task", "lend", "ride", "skill", "time"]
RADII = [500, 1000, 2000, 5000]

person_st = st.fixed_dictionaries(
    {
        "north": st.integers(-3500, 3500),
        "east": st.integers(-3500, 3500),
        "inactive_user": st.integers(0, 9).map(lambda n: n == 0),
        "days": st.integers(0, 200),
        "radius": st.sampled_from(RADII),
        "moments": st.integers(0, ALL_MOMENTS),
        "caps": st.lists(st.sampled_from(CATEGORIES), max_size=2, unique=True),
        "posts": st.lists(
            st.fixed_dictionaries(
                {
                    "direction": st.sampled_from(["request", "offer"]),
                    "category": st.sampled_from(CATEGORIES),
                    "kind": st.sampled_from(KINDS),
                    "status": st.sampled_from(["open", "open", "open", "closed", "hidden"]),
                    "radius": st.sampled_from(RADII),
                    "moments": st.integers(0, ALL_MOMENTS),
                    "dn": st.integers(-300, 300),
                    "de": st.integers(-300, 300),
                }
            ),
            max_size=2,
        ),
        # Block relation with the asker: none, the asker blocked them, they blocked the asker.
        "block": st.sampled_from(["none", "none", "none", "by_asker", "by_them"]),
    }
)

world_st = st.fixed_dictionaries(
    {
        "people": st.lists(person_st, min_size=0, max_size=14),
        "direction": st.sampled_from(["request", "request", "offer"]),
        "category": st.sampled_from(CATEGORIES),
        "kind": st.sampled_from(KINDS),
        "radius": st.sampled_from(RADII),
        "moments": st.integers(0, ALL_MOMENTS),
        "limit": st.integers(1, 12),
    }
)


def _build(world: World, spec: dict[str, Any], now: Any) -> tuple[Post, dict[int, dict[str, Any]]]:
    asker = User.objects.create_user(None, None, display_name="Vrager")
    subject = Post.objects.create(
        direction=spec["direction"],
        kind=spec["kind"],
        category=spec["category"],
        title="Onderwerp",
        owner=asker,
        created_by=asker,
        neighbourhood=world.bu,
        lat_e6=CENTRE[0],
        lon_e6=CENTRE[1],
        radius_m=spec["radius"],
        moments=spec["moments"],
    )
    people: dict[int, dict[str, Any]] = {}
    for i, p in enumerate(spec["people"]):
        user = User.objects.create_user(
            None, None, display_name=f"P{i}", is_active=not p["inactive_user"]
        )
        point = offset(CENTRE, p["north"], p["east"])
        profile = HelpProfile.objects.create(
            user=user,
            neighbourhood=world.bu,
            lat_e6=point[0],
            lon_e6=point[1],
            radius_m=p["radius"],
            moments=p["moments"],
            last_active_at=now - timedelta(days=p["days"]),
        )
        for category in p["caps"]:
            Capability.objects.create(
                profile=profile,
                user=user,
                category=category,
                lat_e6=point[0],
                lon_e6=point[1],
                radius_m=p["radius"],
                moments=p["moments"],
                last_active_at=profile.last_active_at,
            )
        for q in p["posts"]:
            ppoint = offset(point, q["dn"], q["de"])
            Post.objects.create(
                direction=q["direction"],
                kind=q["kind"],
                category=q["category"],
                title="x",
                owner=user,
                created_by=user,
                neighbourhood=world.bu,
                lat_e6=ppoint[0],
                lon_e6=ppoint[1],
                radius_m=q["radius"],
                moments=q["moments"],
                status=q["status"],
                seats=1 if q["kind"] == "ride" else None,
                owner_active_at=profile.last_active_at,
            )
        if p["block"] == "by_asker":
            Block.objects.create(blocker=asker, blocked=user)
        elif p["block"] == "by_them":
            Block.objects.create(blocker=user, blocked=asker)
        people[user.pk] = p
    return subject, people


def _brute_force(subject: Post, now: Any, limit: int) -> list[matching.Candidate]:
    """Every eligible candidate by the documented rule, without any index or bounding box."""
    side = {subject.owner_id}
    blocked = {b.blocked_id for b in Block.objects.filter(blocker_id__in=side)} | {
        b.blocker_id for b in Block.objects.filter(blocked_id__in=side)
    }
    wanted = "offer" if subject.direction == "request" else "request"
    found = []
    for p in Post.objects.select_related("owner", "owner__help_profile"):
        if (
            p.pk == subject.pk
            or p.status != "open"
            or p.direction != wanted
            or p.category != subject.category
            or not p.owner.is_active
            or p.owner_id in side
            or p.owner_id in blocked
        ):
            continue
        d = geo.distance_m(subject.lat_e6, subject.lon_e6, p.lat_e6, p.lon_e6)
        if d > subject.radius_m or d > p.radius_m:
            continue
        active = p.owner.help_profile.last_active_at
        s = matching.score(
            distance_m=d,
            radius_m=subject.radius_m,
            subject_kind=subject.kind,
            candidate_kind=p.kind,
            subject_moments=subject.moments,
            candidate_moments=p.moments,
            days_inactive=(now - active).days,
        )
        found.append(matching.Candidate(p.owner_id, "post", p.pk, p.kind, d, s, False))
    if subject.direction == "request":
        for c in Capability.objects.select_related("user", "profile"):
            if (
                c.category != subject.category
                or not c.user.is_active
                or c.user_id in side
                or c.user_id in blocked
            ):
                continue
            assert c.lat_e6 is not None and c.lon_e6 is not None
            d = geo.distance_m(subject.lat_e6, subject.lon_e6, c.lat_e6, c.lon_e6)
            if d > subject.radius_m or d > c.radius_m:
                continue
            s = matching.score(
                distance_m=d,
                radius_m=subject.radius_m,
                subject_kind=subject.kind,
                candidate_kind=None,
                subject_moments=subject.moments,
                candidate_moments=c.profile.moments,
                days_inactive=(now - c.profile.last_active_at).days,
            )
            found.append(matching.Candidate(c.user_id, "capability", None, None, d, s, False))
    best: dict[int, matching.Candidate] = {}
    for c in found:
        if c.user_id not in best or c.rank_key < best[c.user_id].rank_key:
            best[c.user_id] = c
    return sorted(best.values(), key=lambda c: c.rank_key)[:limit]


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=world_st)
def test_candidates_follow_the_rule_radius_and_blocks(world: World, spec: dict[str, Any]) -> None:
    now = timezone.now()
    with transaction.atomic():
        subject, people = _build(world, spec, now)
        result = matching.find_candidates(subject, limit=spec["limit"], now=now)
        expected = _brute_force(subject, now, spec["limit"])

        key = [(c.user_id, c.post_id, c.score, c.distance_m) for c in result]
        assert key == [(c.user_id, c.post_id, c.score, c.distance_m) for c in expected]
        # Ordered by the rule: score down, then distance, then person.
        assert [c.rank_key for c in result] == sorted(c.rank_key for c in result)
        assert len({c.user_id for c in result}) == len(result)
        for c in result:
            p = people[c.user_id]
            assert c.distance_m <= subject.radius_m
            assert p["block"] == "none"
            assert not p["inactive_user"]
            assert not Block.objects.filter(blocker=subject.owner, blocked_id=c.user_id).exists()
            assert not Block.objects.filter(blocker_id=c.user_id, blocked=subject.owner).exists()
            if c.post_id is not None:
                theirs = Post.objects.get(pk=c.post_id)
                assert theirs.status == "open" and theirs.category == subject.category
                assert theirs.direction != subject.direction
                assert c.distance_m <= theirs.radius_m
            else:
                assert subject.direction == "request"
                assert c.distance_m <= HelpProfile.objects.get(user_id=c.user_id).radius_m
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_a_candidate_at_the_far_edge_of_the_box_is_found(world: World) -> None:
    """A helper just inside the radius diagonally (box corner region) is found; just outside
    the radius is not, although still inside the bounding box."""
    asker = User.objects.create_user(None, None, display_name="Vrager")
    subject = Post.objects.create(
        direction="request",
        category="moving",
        title="t",
        owner=asker,
        created_by=asker,
        neighbourhood=world.bu,
        lat_e6=CENTRE[0],
        lon_e6=CENTRE[1],
        radius_m=1000,
    )
    made = {}
    for name, metres in (("in", 995), ("out", 1010)):
        user = User.objects.create_user(None, None, display_name=name)
        point = offset(CENTRE, metres * math.sin(0.7), metres * math.cos(0.7))
        profile = HelpProfile.objects.create(
            user=user, lat_e6=point[0], lon_e6=point[1], radius_m=5000
        )
        Capability.objects.create(
            profile=profile,
            user=user,
            category="moving",
            lat_e6=point[0],
            lon_e6=point[1],
            radius_m=5000,
        )
        made[name] = user.pk
    result = matching.find_candidates(subject)
    assert [c.user_id for c in result] == [made["in"]]


@pytest.mark.django_db
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    seed=st.integers(0, 10_000),
    radius=st.sampled_from([1000, 2000, 5000]),
    limit=st.sampled_from([1, 3, 10]),
)
def test_the_ring_search_stops_early_without_losing_anyone(
    world: World, seed: int, radius: int, limit: int
) -> None:
    """A busy area (hundreds of rows over several rings): the early stop must give exactly the
    brute-force top."""
    import random

    rng = random.Random(seed)
    now = timezone.now()
    with transaction.atomic():
        asker = User.objects.create_user(None, None, display_name="Vrager")
        subject = Post.objects.create(
            direction="request",
            kind=rng.choice(KINDS),
            category="moving",
            title="t",
            owner=asker,
            created_by=asker,
            neighbourhood=world.bu,
            lat_e6=CENTRE[0],
            lon_e6=CENTRE[1],
            radius_m=radius,
            moments=rng.choice([0, 3, 24]),
        )
        users = User.objects.bulk_create(
            [User(display_name=f"P{i}", password="!") for i in range(240)]
        )
        if users[0].pk is None:
            users = list(User.objects.exclude(pk=asker.pk).filter(display_name__startswith="P"))
        for i, user in enumerate(users):
            point = offset(CENTRE, rng.uniform(-4000, 4000), rng.uniform(-4000, 4000))
            profile = HelpProfile.objects.create(
                user=user,
                lat_e6=point[0],
                lon_e6=point[1],
                radius_m=rng.choice(RADII),
                moments=rng.choice([0, 1, 24, ALL_MOMENTS]),
                last_active_at=now - timedelta(days=rng.randrange(0, 120)),
            )
            if i % 2:
                Capability.objects.create(
                    profile=profile,
                    user=user,
                    category="moving",
                    lat_e6=point[0],
                    lon_e6=point[1],
                    radius_m=profile.radius_m,
                    moments=profile.moments,
                    last_active_at=profile.last_active_at,
                )
            if i % 3 == 0:
                Post.objects.create(
                    direction="offer",
                    kind=rng.choice(KINDS),
                    category="moving",
                    title="x",
                    owner=user,
                    created_by=user,
                    neighbourhood=world.bu,
                    lat_e6=point[0],
                    lon_e6=point[1],
                    radius_m=rng.choice(RADII),
                    moments=rng.choice([0, 3, 24]),
                    seats=1,
                    owner_active_at=profile.last_active_at,
                )
        result = matching.find_candidates(subject, limit=limit, now=now)
        expected = _brute_force(subject, now, limit)
        assert [(c.user_id, c.post_id, c.score) for c in result] == [
            (c.user_id, c.post_id, c.score) for c in expected
        ]
        transaction.set_rollback(True)


def test_ring_edges() -> None:
    assert matching.ring_edges(500) == [400, 500]
    assert matching.ring_edges(1000) == [400, 800, 1000]
    assert matching.ring_edges(5000) == [400, 800, 1600, 3200, 5000]
    assert matching.ring_edges(300) == [300]
    # The farthest distance that still earns the points needed.
    assert matching.reach_m(1000, 0) == 1000
    assert matching.reach_m(1000, 30) == 250
    assert matching.distance_points(250, 1000) == 30
    assert matching.distance_points(251, 1000) == 29
    assert matching.reach_m(1000, 41) == -1


@pytest.mark.django_db
def test_copies_for_matching_stay_in_step(world: World, make_person: Any, make_post: Any) -> None:
    from buurtbasis.mutualhelp import services

    kees = make_person("Kees", categories=["moving"])
    offer = make_post(kees, direction="offer")
    profile = HelpProfile.objects.get(user=kees)
    cap = Capability.objects.get(user=kees)
    assert cap.last_active_at == profile.last_active_at == offer.owner_active_at
    HelpProfile.objects.filter(user=kees).update(last_active_at=timezone.now() - timedelta(days=40))
    services.touch_active(kees)
    profile.refresh_from_db()
    cap.refresh_from_db()
    offer.refresh_from_db()
    assert cap.last_active_at == profile.last_active_at == offer.owner_active_at
    assert (timezone.now() - profile.last_active_at).total_seconds() < 60
    services.set_person_vulnerable(kees, kees, True)
    cap.refresh_from_db()
    assert cap.vulnerable
    services.save_profile(
        kees,
        actor=kees,
        categories=["moving"],
        neighbourhood=world.bu,
        radius_m=500,
        moments=9,
    )
    cap.refresh_from_db()
    assert (cap.radius_m, cap.moments) == (500, 9)


@pytest.mark.django_db
def test_people_who_left_are_not_candidates(world: World, make_person: Any, make_post: Any) -> None:
    asker = make_person()
    kees = make_person(categories=["moving"])
    post = make_post(asker)
    assert [c.user_id for c in matching.find_candidates(post)] == [kees.pk]
    User.objects.filter(pk=kees.pk).update(is_active=False)
    assert matching.find_candidates(post) == []
