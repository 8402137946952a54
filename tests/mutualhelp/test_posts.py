"""Posting requests and offers: few required fields, clear errors on bad input (and nothing
changed), posting on behalf only with recorded consent, locations never shown."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from buurtbasis.accounts import services as accounts
from buurtbasis.accounts.models import Consent, User
from buurtbasis.core.models import AuditEvent
from buurtbasis.mutualhelp import geo, services
from buurtbasis.mutualhelp.models import AssistedHelper, Post

from .conftest import World

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, int]:
    return Post.objects.count(), AuditEvent.objects.filter(action="mutualhelp.post_create").count()


def test_a_request_with_only_the_required_fields(
    world: World, make_person: Callable[..., User]
) -> None:
    sanne = make_person("Sanne")
    post = services.create_post(
        sanne, direction="request", category="moving", title=" Kast tillen ", neighbourhood=world.bu
    )
    profile = services.get_profile(sanne)
    assert post.title == "Kast tillen"
    assert (post.lat_e6, post.lon_e6) == (profile.lat_e6, profile.lon_e6)  # own point
    assert post.status == Post.Status.OPEN and post.radius_m == 1000
    event = AuditEvent.objects.get(action="mutualhelp.post_create")
    assert event.object_id == str(post.pk) and event.actor == sanne
    # The audit log never holds the point.
    assert str(post.lat_e6) not in str(event.detail)


def test_without_own_point_the_neighbourhood_centre_is_used(world: World) -> None:
    user = accounts.register_user(email="a@example.org", display_name="A")
    post = services.create_post(
        user, direction="offer", category="garden", title="Gras maaien", neighbourhood=world.bu2
    )
    assert (post.lat_e6, post.lon_e6) == geo.centre_of(world.bu2.boundary)


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"category": ""}, "category", "Kies een categorie"),
        ({"category": "rocket"}, "category", "uit de lijst"),
        ({"neighbourhood": None}, "neighbourhood", "Kies de buurt"),
        ({"title": "   "}, "title", "in een paar woorden"),
        ({"direction": "maybe"}, "direction", "vraagt of aanbiedt"),
        ({"kind": "ride", "seats": 0, "ride_to": "Station"}, "seats", "minstens één plaats"),
        ({"kind": "ride", "seats": None, "ride_to": "Station"}, "seats", "minstens één plaats"),
        ({"kind": "ride", "seats": 2, "ride_to": ""}, "ride_to", "naartoe"),
        ({"radius_m": 123}, "radius_m", "afstanden"),
        ({"moments": 999}, "moments", "dagdelen"),
        ({"lat": "abc", "lon": "5.1"}, "lat", "geen geldige plek"),
        ({"lat": "52.5", "lon": "5.9"}, "lat", "niet in of bij de gekozen buurt"),
        ({"starts_at": "past"}, "starts_at", "verleden"),
        ({"kind": "lend", "return_by": "past"}, "return_by", "verleden"),
    ],
)
def test_bad_input_gives_a_clear_error_and_changes_nothing(
    world: World, make_person: Callable[..., User], changes: dict[str, Any], field: str, text: str
) -> None:
    user = make_person()
    kwargs: dict[str, Any] = {
        "direction": "request",
        "category": "moving",
        "title": "Kast tillen",
        "neighbourhood": world.bu,
    }
    now = timezone.now()
    if changes.get("starts_at") == "past":
        changes = {"starts_at": now - timedelta(days=2)}
    if changes.get("return_by") == "past":
        changes = {**changes, "return_by": (now - timedelta(days=2)).date()}
    kwargs.update(changes)
    before = _counts()
    with pytest.raises(ValidationError) as info:
        services.create_post(user, **kwargs)
    assert field in info.value.message_dict
    assert text in " ".join(info.value.message_dict[field])
    assert _counts() == before


def test_a_neighbourhood_without_a_map_needs_a_point(world: World) -> None:
    user = accounts.register_user(email="b@example.org", display_name="B")
    with pytest.raises(ValidationError) as info:
        services.create_post(
            user, direction="request", category="moving", title="x", neighbourhood=world.no_boundary
        )
    assert "kaart" in str(info.value)
    post = services.create_post(
        user,
        direction="request",
        category="moving",
        title="x",
        neighbourhood=world.no_boundary,
        lat="52.1",
        lon="5.2",
    )
    assert (post.lat_e6, post.lon_e6) == (52_100_000, 5_200_000)


def test_a_district_is_not_a_place(world: World, make_person: Callable[..., User]) -> None:
    with pytest.raises(ValidationError) as info:
        services.create_post(
            make_person(), direction="request", category="moving", title="x", neighbourhood=world.wk
        )
    assert "geen wijk" in str(info.value)


def test_a_ride_keeps_its_details_and_other_kinds_drop_them(
    world: World, make_person: Callable[..., User]
) -> None:
    user = make_person()
    ride = services.create_post(
        user,
        direction="offer",
        category="transport",
        title="Naar het ziekenhuis",
        neighbourhood=world.bu,
        kind="ride",
        ride_from="Plein",
        ride_to="Ziekenhuis",
        seats="3",
    )
    assert (ride.ride_from, ride.ride_to, ride.seats) == ("Plein", "Ziekenhuis", 3)
    task = services.create_post(
        user,
        direction="offer",
        category="moving",
        title="Tillen",
        neighbourhood=world.bu,
        ride_to="x",
        seats=2,
    )
    assert (task.ride_to, task.seats) == ("", None)


def test_the_database_refuses_a_ride_without_seats(
    world: World, make_person: Callable[..., User]
) -> None:
    from django.db import IntegrityError, transaction

    user = make_person()
    with pytest.raises(IntegrityError), transaction.atomic():
        Post.objects.create(
            direction="offer",
            kind="ride",
            category="transport",
            title="Rit",
            owner=user,
            created_by=user,
            neighbourhood=world.bu,
            lat_e6=1,
            lon_e6=1,
            seats=0,
        )


# --- On behalf of someone without internet ----------------------------------------------------


def test_the_worker_posts_for_an_assisted_resident_with_consent(
    world: World, assisted: User
) -> None:
    post = services.create_post(
        world.worker,
        owner=assisted,
        direction="request",
        category="shopping",
        title="Boodschappen",
        neighbourhood=world.bu,
    )
    assert post.owner == assisted and post.created_by == world.worker and post.on_behalf
    assert services.is_post_side(world.worker, post)
    event = AuditEvent.objects.get(action="mutualhelp.post_create", result="ok")
    assert event.detail["on_behalf_of"] == assisted.pk


def test_no_posting_on_behalf_without_consent(
    world: World, assisted: User, make_person: Callable[..., User]
) -> None:
    stranger = make_person("Vreemde")
    before = _counts()
    with pytest.raises(ValidationError) as info:
        services.create_post(
            stranger,
            owner=assisted,
            direction="request",
            category="shopping",
            title="x",
            neighbourhood=world.bu,
        )
    assert "toestemming" in str(info.value)
    assert Post.objects.count() == before[0]
    assert AuditEvent.objects.filter(action="mutualhelp.post_create", result="denied").count() == 1

    # A withdrawn consent stops even the professional who registered the resident.
    accounts.record_consent(
        assisted, Consent.Purpose.ASSISTED_ACCOUNT, False, method="paper", actor=world.worker
    )
    with pytest.raises(ValidationError):
        services.create_post(
            world.worker,
            owner=assisted,
            direction="request",
            category="shopping",
            title="x",
            neighbourhood=world.bu,
        )
    assert Post.objects.count() == before[0]


def test_a_worker_of_another_district_may_not_post_for_the_resident(
    world: World, assisted: User
) -> None:
    with pytest.raises(ValidationError):
        services.create_post(
            world.other_worker,
            owner=assisted,
            direction="request",
            category="shopping",
            title="x",
            neighbourhood=world.bu,
        )


def test_a_neighbour_added_with_consent_may_post_until_consent_is_withdrawn(
    world: World, assisted: User, make_person: Callable[..., User]
) -> None:
    kees = make_person("Kees")
    assert not services.may_act_for(kees, assisted)
    with pytest.raises(PermissionDenied):
        services.add_assisted_helper(kees, assisted, kees, method="in_person")
    with pytest.raises(ValidationError):
        services.add_assisted_helper(world.worker, assisted, kees, method="online")
    link = services.add_assisted_helper(world.worker, assisted, kees, method="in_person")
    assert link.consent.user == assisted and link.consent.given
    assert link.consent.purpose == Consent.Purpose.ASSISTED_ACCOUNT
    assert services.may_act_for(kees, assisted)
    assert [p.pk for p in services.people_helped_by(kees)] == [assisted.pk]
    post = services.create_post(
        kees,
        owner=assisted,
        direction="request",
        category="shopping",
        title="Boodschappen",
        neighbourhood=world.bu,
    )
    assert post.created_by == kees
    accounts.record_consent(
        assisted, Consent.Purpose.ASSISTED_ACCOUNT, False, method="phone", actor=world.worker
    )
    assert not services.may_act_for(kees, assisted)
    # Consent given again later does not silently revive the neighbour's link.
    accounts.record_consent(
        assisted, Consent.Purpose.ASSISTED_ACCOUNT, True, method="phone", actor=world.worker
    )
    assert services.may_act_for(world.worker, assisted)
    assert not services.may_act_for(kees, assisted)
    assert AssistedHelper.objects.count() == 1


# --- Status changes ---------------------------------------------------------------------------


def test_only_the_post_side_changes_status(
    world: World, make_person: Callable[..., User], make_post: Callable[..., Post]
) -> None:
    owner, other = make_person(), make_person()
    post = make_post(owner)
    with pytest.raises(PermissionDenied):
        services.withdraw_post(other, post)
    assert Post.objects.get(pk=post.pk).status == "open"
    services.withdraw_post(owner, post)
    assert post.status == "withdrawn" and post.closed_at is not None
    with pytest.raises(ValidationError):
        services.close_post(owner, post)
    actions = set(AuditEvent.objects.values_list("action", "result"))
    assert ("mutualhelp.post_withdraw", "denied") in actions
    assert ("mutualhelp.post_withdraw", "ok") in actions


def test_a_vulnerable_person_never_shows_a_location(
    world: World, make_person: Callable[..., User], make_post: Callable[..., Post]
) -> None:
    person, viewer = make_person(), make_person(north=500)
    services.set_person_vulnerable(world.worker, person, True)
    post = make_post(person)
    assert post.hide_location
    assert services.visible_distance(post, services.viewer_point(viewer)) is None
    assert post not in services.neighbourhood_posts(world.bu, "request")
    with pytest.raises(ValidationError):
        services.set_post_hidden_location(person, post, False)
    with pytest.raises(PermissionDenied):
        services.set_person_vulnerable(viewer, person, False)
