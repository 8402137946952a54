"""Rounded distances cannot pin down a post: they are measured to a secretly moved point
(``geo.jittered``), and a person's own point — from which they see distances — may change only
once per ``POINT_CHANGE_COOLDOWN_HOURS``."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from buurtbasis.accounts.models import User
from buurtbasis.core.models import AuditEvent
from buurtbasis.mutualhelp import geo, services
from buurtbasis.mutualhelp.demo import offset
from buurtbasis.mutualhelp.models import HelpProfile, Post

from .conftest import CENTRE, World


def probe(post: Post) -> tuple[int, int]:
    """What someone who can read "± N m" from many own points learns: the place (on a 10 m
    grid around the post) that fits all readings best (least squares)."""
    viewers = [
        offset((post.lat_e6, post.lon_e6), r * math.cos(a), r * math.sin(a))
        for r in (450, 800, 1300)
        for a in (k * math.pi / 4 for k in range(8))
    ]
    readings = [geo.round_distance_m(services.visible_distance(post, v) or 0) or 0 for v in viewers]
    best: tuple[float, tuple[int, int]] | None = None
    for north in range(-400, 401, 10):
        for east in range(-400, 401, 10):
            q = offset((post.lat_e6, post.lon_e6), north, east)
            cost = sum(
                (geo.distance_m(*v, *q) - r) ** 2 for v, r in zip(viewers, readings, strict=True)
            )
            if best is None or cost < best[0]:
                best = (cost, q)
    assert best is not None
    return best[1]


def probing_errors(count: int = 12) -> list[int]:
    errors = []
    for i in range(count):
        point = offset(CENTRE, 137 * i, -211 * i)
        post = Post(lat_e6=point[0], lon_e6=point[1], hide_location=False)
        found = probe(post)
        errors.append(geo.distance_m(*found, *point))
    return errors


def test_probing_from_many_points_finds_the_moved_point_not_the_real_one(settings: Any) -> None:
    settings.MUTUALHELP = {"DISTANCE_JITTER_M": 0}
    assert statistics.median(probing_errors()) < 40  # without the offset: pinned
    settings.MUTUALHELP = {"DISTANCE_JITTER_M": 250}
    errors = probing_errors()
    assert statistics.median(errors) > 100, errors
    assert max(errors) <= 250 + 60


def test_the_offset_is_stable_secret_and_the_same_for_one_place(settings: Any) -> None:
    settings.MUTUALHELP = {"DISTANCE_JITTER_M": 250}
    point = offset(CENTRE, 300, 300)
    a = Post(pk=1, lat_e6=point[0], lon_e6=point[1], hide_location=False)
    b = Post(pk=2, lat_e6=point[0] + 3, lon_e6=point[1] - 2, hide_location=False)  # same cell
    viewer = offset(CENTRE, -500, 0)
    assert services.visible_distance(a, viewer) == services.visible_distance(a, viewer)
    # Two posts at the same place move the same way: averaging them gains nothing.
    moved_a = geo.jittered(a.lat_e6, a.lon_e6, 250)
    moved_b = geo.jittered(b.lat_e6, b.lon_e6, 250)
    assert geo.distance_m(*moved_a, *moved_b) <= 1
    # Offsets are spread over the disc and never larger than the setting.
    radii = [
        geo.distance_m(*p, *geo.jittered(*p, 250))
        for p in (offset(CENTRE, 150 * i, 90 * i) for i in range(200))
    ]
    assert max(radii) <= 251
    assert 140 < statistics.fmean(radii) < 200  # 2/3 of the radius for a uniform disc
    # Keyed on the secret key: another key moves the point elsewhere.
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    assert geo.jittered(a.lat_e6, a.lon_e6, 250) != moved_a


@pytest.mark.django_db
def test_candidate_distances_are_jittered_too(
    settings: Any, world: World, make_person: Callable[..., User], make_post: Callable[..., Post]
) -> None:
    settings.MUTUALHELP = {"DISTANCE_JITTER_M": 250}
    sanne = make_person("Sanne")
    kees = make_person("Kees", north=700, categories=["moving"])
    post = make_post(sanne)
    [candidate] = services.candidates_for(sanne, post)
    profile = HelpProfile.objects.get(user=kees)
    moved = geo.jittered(profile.lat_e6 or 0, profile.lon_e6 or 0, 250)
    assert services.candidate_distance(post, candidate) == geo.distance_m(
        post.lat_e6, post.lon_e6, *moved
    )
    assert candidate.distance_m == geo.distance_m(
        post.lat_e6, post.lon_e6, profile.lat_e6 or 0, profile.lon_e6 or 0
    )  # ranking stays exact


def _move(user: User, north: float, **extra: Any) -> HelpProfile:
    point = offset(CENTRE, north, 0)
    return services.save_profile(
        user,
        actor=user,
        categories=["moving"],
        neighbourhood=extra.pop("area", None) or user.home_neighbourhood,
        lat=f"{point[0] / 1e6:.6f}",
        lon=f"{point[1] / 1e6:.6f}",
        **extra,
    )


@pytest.mark.django_db
def test_the_own_point_changes_at_most_once_a_day(
    world: World, make_person: Callable[..., User]
) -> None:
    kees = make_person("Kees")  # the first point is free
    profile = _move(kees, 100)  # a change: allowed, starts the cool-down
    assert profile.point_changed_at is not None
    before = (profile.lat_e6, profile.lon_e6)
    with pytest.raises(ValidationError) as error:
        _move(kees, 300)
    assert "kort geleden" in error.value.message_dict["lat"][0]
    profile.refresh_from_db()
    assert (profile.lat_e6, profile.lon_e6) == before
    assert AuditEvent.objects.filter(
        action="mutualhelp.profile_change", result=AuditEvent.Result.DENIED
    ).exists()
    # The centre of the neighbourhood is a change too, and so is another neighbourhood.
    with pytest.raises(ValidationError):
        services.save_profile(
            kees, actor=kees, categories=[], neighbourhood=world.bu, use_centre=True
        )
    with pytest.raises(ValidationError):
        services.save_profile(kees, actor=kees, categories=[], neighbourhood=world.bu2)
    # Leaving the point out keeps it: other changes are always possible.
    services.save_profile(kees, actor=kees, categories=["garden"], neighbourhood=world.bu)
    profile.refresh_from_db()
    assert (profile.lat_e6, profile.lon_e6) == before
    assert list(profile.capabilities.values_list("category", flat=True)) == ["garden"]
    # A day later it may move again.
    HelpProfile.objects.filter(pk=profile.pk).update(
        point_changed_at=profile.point_changed_at - timedelta(hours=24, seconds=1)
    )
    assert _move(kees, 300).lat_e6 != before[0]


@pytest.mark.django_db
def test_the_cool_down_is_a_setting_and_the_page_explains_it(
    client: Client, settings: Any, world: World, make_person: Callable[..., User]
) -> None:
    kees = make_person("Kees")
    client.force_login(kees)
    url = reverse("mutualhelp:profile")
    data = {"categories": ["moving"], "neighbourhood": world.bu.pk, "radius_m": 2000}
    assert client.post(url, {**data, "lat": "52,0901", "lon": "5,1201"}).status_code == 302
    response = client.post(url, {**data, "lat": "52,0903", "lon": "5,1201"})
    assert response.status_code == 400
    assert "U hebt uw plek kort geleden al veranderd" in response.content.decode()
    response = client.post(
        url, {**data, "lat": "52,0903", "lon": "5,1201"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert HelpProfile.objects.get(user=kees).lat_e6 == 52_090_100
    settings.MUTUALHELP = {"POINT_CHANGE_COOLDOWN_HOURS": 0}
    assert client.post(url, {**data, "lat": "52,0903", "lon": "5,1201"}).status_code == 302
    assert HelpProfile.objects.get(user=kees).lat_e6 == 52_090_300


@pytest.mark.django_db
def test_two_moves_at_the_same_time_cannot_both_pass_the_cool_down(
    world: World, make_person: Callable[..., User]
) -> None:
    """The cool-down is checked on the locked row inside the saving transaction. Here another
    save moves the point just before ours takes the lock (as a second request at the same
    moment would): ours must then see that move and be refused, not overwrite it."""
    kees = make_person("Kees")
    profile = _move(kees, 100)  # a free change so far: no cool-down running yet
    HelpProfile.objects.filter(pk=profile.pk).update(point_changed_at=None)
    theirs = offset(CENTRE, 200, 0)
    fired: list[str] = []

    def other_request_first(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        # The moment our transaction starts (the savepoint before the lock), the other
        # request has just committed its own move.
        if not fired and sql.upper().startswith(("SAVEPOINT", "BEGIN")):
            fired.append(sql)
            HelpProfile.objects.filter(pk=profile.pk).update(
                lat_e6=theirs[0], lon_e6=theirs[1], point_changed_at=timezone.now()
            )
        return execute(sql, params, many, context)

    with connection.execute_wrapper(other_request_first), pytest.raises(ValidationError) as error:
        _move(kees, 300)
    assert fired
    assert "kort geleden" in error.value.message_dict["lat"][0]
    profile.refresh_from_db()
    assert (profile.lat_e6, profile.lon_e6) == theirs  # the first move stands, ours is refused
    assert AuditEvent.objects.filter(
        action="mutualhelp.profile_change", result=AuditEvent.Result.DENIED
    ).exists()
