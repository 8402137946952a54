""" "Download my data" gathers every app's section through one registry
(``buurtbasis.core.personal_data``), and "delete my account" removes the person while records
that must be kept stay whole, handed to a nameless stand-in."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client
from django.urls import reverse

from buurtbasis.accounts import services
from buurtbasis.accounts.models import User
from buurtbasis.core import demo, personal_data
from buurtbasis.core.models import AuditEvent

from .conftest import PASSWORD


def _points_at_people(model: Any) -> bool:
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    return any(
        field.is_relation and field.concrete and field.related_model is user_model
        for field in model._meta.get_fields()
    )


def test_every_model_that_points_at_a_person_is_exported_or_says_why_not() -> None:
    """A new app (or model) with a foreign key to the user model must register what it holds
    about a person, or say why it holds nothing to download."""
    exported: set[str] = set()
    explained: set[str] = set()
    for exporter in personal_data.exporters():
        exported |= exporter.models
        explained |= set(exporter.not_exported)
    ours = {
        model._meta.label_lower
        for model in apps.get_models()
        if model.__module__.startswith("buurtbasis.") and _points_at_people(model)
    }
    forgotten = ours - exported - explained
    assert not forgotten, f"register these in the app's personal_data: {sorted(forgotten)}"
    every_label = {model._meta.label_lower for model in apps.get_models()}
    assert (exported | explained) <= every_label, "a registered model does not exist"
    assert not exported & explained
    assert all(
        reason.strip() for e in personal_data.exporters() for reason in e.not_exported.values()
    )


@pytest.fixture
def full_demo(db: Any, settings: Any) -> demo.Demo:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return demo.load()


def _first(label: str, **filters: Any) -> Any:
    obj = apps.get_model(label).objects.filter(**filters).order_by("pk").first()
    assert obj is not None, f"the demo has no {label}"
    return obj


def _person_everywhere() -> tuple[User, User]:
    """A person with data in every app (built on the demo's places, initiatives, …)."""
    home = _first("areas.area", level="BU", code__startswith="BU9901")
    me = services.register_user(
        email="alles@example.org", display_name="Alle Data", home_neighbourhood=home
    )
    other = services.register_user(email="buur@example.org", display_name="Buurman Bart")
    get = apps.get_model
    # mutualhelp: profile, a post, a message in a conversation, a block.
    get("mutualhelp", "HelpProfile").objects.create(user=me, radius_m=800)
    post = get("mutualhelp", "Post").objects.create(
        direction="request", category="garden", title="Hulp bij de heg", owner=me, created_by=me,
        neighbourhood=home, lat_e6=52_000_000, lon_e6=5_000_000,
    )  # fmt: skip
    their_post = get("mutualhelp", "Post").objects.create(
        direction="offer", category="garden", title="Ik snoei graag", owner=other,
        created_by=other, neighbourhood=home, lat_e6=52_000_000, lon_e6=5_000_000,
    )  # fmt: skip
    conversation = get("mutualhelp", "Conversation").objects.create(post=their_post, participant=me)
    get("mutualhelp", "Message").objects.create(
        conversation=conversation, sender=me, from_post_side=False, body="Kunt u zaterdag?"
    )
    get("mutualhelp", "Block").objects.create(blocker=me, blocked=other)
    # initiatives: owner, participant, comment, story, a grant request, a vote cast.
    initiative = _first("initiatives.initiative")
    get("initiatives", "Owner").objects.create(initiative=initiative, user=me)
    get("initiatives", "Participant").objects.create(initiative=initiative, user=me)
    get("initiatives", "Comment").objects.create(initiative=initiative, author=me, text="Mooi!")
    get("initiatives", "Story").objects.create(
        initiative=initiative, author=me, text="Wat een middag"
    )
    get("initiatives", "GrantRequest").objects.filter(
        pk=_first("initiatives.grantrequest").pk
    ).update(submitted_by=me)
    get("initiatives", "VoterRecord").objects.create(
        vote=_first("initiatives.vote"), user=me, method="online"
    )
    # places: a place I keep.
    get("places", "PlaceKeeper").objects.create(place=_first("places.place"), user=me)
    # wijkbeeld: a key-person entry about me, a comment.
    get("wijkbeeld", "KeyPerson").objects.create(
        wijkbeeld=_first("wijkbeeld.wijkbeeld"), person=me, kind="everyday_doer",
        description="Zet elke week de stoelen klaar",
    )  # fmt: skip
    part = _first("wijkbeeld.part")
    get("wijkbeeld", "Comment").objects.create(
        part=part, round=_first("wijkbeeld.conversationround", wijkbeeld=part.wijkbeeld),
        part_version=part.version, author=me, body="Klopt, de speeltuin is te klein",
    )  # fmt: skip
    # agenda: a BuurtTop registration.
    get("agenda", "Registration").objects.create(
        buurttop=_first("agenda.buurttop"), user=me, name="Alle Data", needs="rolstoel"
    )
    # ... and one I entered for a neighbour: that one is the neighbour's, not mine.
    get("agenda", "Registration").objects.create(
        buurttop=_first("agenda.buurttop"), name="Mevrouw Hoek", needs="gehoorlus", entered_by=me
    )
    # budgets: hours I confirmed for my residents' group.
    delivery = _first("budgets.hoursdelivery")
    get("budgets", "HoursDelivery").objects.filter(pk=delivery.pk).update(
        status="confirmed", confirmed_by=me, confirmed_at=delivery.recorded_at
    )
    assert post.pk
    return me, other


@pytest.mark.django_db
def test_download_holds_each_apps_data(client: Client, full_demo: demo.Demo) -> None:
    me, _other = _person_everywhere()
    client.force_login(me)
    response = client.post(reverse("accounts:my_data"))
    data = json.loads(response.content)
    body = response.content.decode()

    assert data["accounts"]["profile"]["email"] == "alles@example.org"
    help_data = data["mutualhelp"]
    assert help_data["help_profile"][0]["radius_m"] == 800
    assert [p["title"] for p in help_data["posts"]] == ["Hulp bij de heg"]
    assert [m["body"] for m in help_data["messages_sent"]] == ["Kunt u zaterdag?"]
    assert [b["blocked_name"] for b in help_data["blocks_made"]] == ["Buurman Bart"]
    assert "Ik snoei graag" in body  # the conversation I take part in

    ini = data["initiatives"]
    assert len(ini["ownerships"]) == 1 and len(ini["participations"]) == 1
    assert [c["text"] for c in ini["comments"]] == ["Mooi!"]
    assert [s["text"] for s in ini["stories"]] == ["Wat een middag"]
    assert len(ini["grant_requests"]) == 1
    # Only that I voted, never how: no ballot content in the download.
    assert [set(v) for v in ini["votes_cast"]] == [{"method", "cast_at", "vote_title"}]
    assert '"approvals"' not in body and '"voter_key"' not in body and '"ballot' not in body

    assert len(data["places"]["places_kept"]) == 1
    wb = data["wijkbeeld"]
    assert [k["description"] for k in wb["key_person_entries_about_me"]] == [
        "Zet elke week de stoelen klaar"
    ]
    assert [c["body"] for c in wb["comments"]] == ["Klopt, de speeltuin is te klein"]
    assert [r["needs"] for r in data["agenda"]["buurttop_registrations"]] == ["rolstoel"]
    assert "gehoorlus" not in body and "Mevrouw Hoek" not in body
    assert [h["status"] for h in data["budgets"]["hours_recorded_or_confirmed"]] == ["confirmed"]
    assert "ledger" in data
    assert set(data) >= {e.app_label for e in personal_data.exporters()}


@pytest.mark.django_db
def test_delete_removes_the_person_and_keeps_needed_records_without_their_name(
    client: Client, full_demo: demo.Demo
) -> None:
    me, other = _person_everywhere()
    me.set_password(PASSWORD)
    me.save()
    pk = me.pk
    get = apps.get_model
    group = _first("budgets.residentgroup")
    get("budgets", "ResidentGroup").objects.filter(pk=group.pk).update(contact=me)
    client.force_login(me)

    response = client.post(reverse("accounts:delete"), {"password": PASSWORD})

    assert response.status_code == 302, (
        list(AuditEvent.objects.filter(action="accounts.delete_account").values("detail")),
        response.context["form"].errors,
    )
    assert not User.objects.filter(pk=pk).exists()
    assert not User.objects.filter(email="alles@example.org").exists()
    # What was the person's own goes with them.
    assert not get("mutualhelp", "Post").objects.filter(title="Hulp bij de heg").exists()
    assert not get("mutualhelp", "Message").objects.filter(body="Kunt u zaterdag?").exists()
    assert not get("wijkbeeld", "KeyPerson").objects.filter(person_id=pk).exists()
    # Kept records stay whole and point at a stand-in without anything personal.
    delivery = _first("budgets.hoursdelivery")
    stand_in = delivery.confirmed_by
    assert stand_in.pk != pk and not stand_in.is_active
    assert stand_in.email is None and stand_in.phone == "" and not stand_in.has_usable_password()
    assert stand_in.display_name == services.DELETED_NAME
    assert not stand_in.memberships.exists()
    assert get("budgets", "ResidentGroup").objects.get(pk=group.pk).contact == stand_in
    event = AuditEvent.objects.get(action="accounts.delete_account", object_id=str(pk))
    assert event.result == "ok"
    assert event.detail == {
        "kept": ["budgets.hoursdelivery", "budgets.residentgroup"],
        "stand_in": stand_in.pk,
    }
    assert other.pk and User.objects.filter(pk=other.pk).exists()
