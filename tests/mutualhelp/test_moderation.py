"""Reports and the moderation queue; unanswered requests go to the community worker only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from buurtbasis.accounts.models import User
from buurtbasis.core.models import AuditEvent
from buurtbasis.mutualhelp import services
from buurtbasis.mutualhelp.models import Message, Post, Report

from .conftest import World

pytestmark = pytest.mark.django_db


def test_report_and_decide_with_a_reason(
    world: World, make_person: Callable[..., User], make_post: Callable[..., Post]
) -> None:
    seller, sanne, other = make_person(), make_person(), make_person()
    spam = make_post(seller, direction="offer", category="other", title="Koop zonnepanelen")
    first = services.report(sanne, post=spam, reason="commercial", text="verkoop")
    assert services.report(sanne, post=spam, reason="spam") == first  # no double report
    second = services.report(other, post=spam, reason="spam")
    assert set(services.open_reports_for(world.worker)) == {first, second}
    assert list(services.open_reports_for(world.other_worker)) == []
    assert list(services.open_reports_for(sanne)) == []

    with pytest.raises(PermissionDenied):
        services.decide_report(world.other_worker, first, "hide", "verkoop")
    with pytest.raises(ValidationError) as info:
        services.decide_report(world.worker, first, "hide", "  ")
    assert "waarom" in str(info.value).lower()
    assert Post.objects.get(pk=spam.pk).status == "open"

    services.decide_report(world.worker, first, "hide", "Verkoop hoort hier niet.")
    spam.refresh_from_db()
    assert spam.status == "hidden"
    # The sibling report about the same post is decided along with it.
    second.refresh_from_db()
    assert second.status == "decided" and second.decision_reason == "Verkoop hoort hier niet."
    event = AuditEvent.objects.get(action="mutualhelp.moderate", result="ok")
    assert (
        event.detail["reason"] == "Verkoop hoort hier niet." and event.detail["decision"] == "hide"
    )
    with pytest.raises(ValidationError):
        services.decide_report(world.worker, first, "no_action", "toch niet")
    # Hidden posts are gone for everyone but the side and the worker.
    assert not services.can_view_post(other, spam)
    assert services.can_view_post(world.worker, spam)


def test_report_a_message_only_from_your_own_conversation(
    world: World, make_person: Callable[..., User], make_post: Callable[..., Post]
) -> None:
    sanne, rude, stranger = make_person(), make_person(), make_person()
    post = make_post(sanne)
    conversation, message = services.start_conversation(rude, post, body="Onaardig bericht")
    with pytest.raises(PermissionDenied):
        services.report(stranger, message=message, reason="offensive")
    with pytest.raises(ValidationError):
        services.report(sanne, reason="offensive")  # nothing reported
    with pytest.raises(ValidationError):
        services.report(sanne, message=message, reason="")
    item = services.report(sanne, message=message, reason="offensive")
    services.decide_report(world.worker, item, "hide", "Kwetsend.")
    assert Message.objects.get(pk=message.pk).hidden
    assert Report.objects.filter(status="open").count() == 0


def test_unanswered_requests_are_flagged_to_the_community_worker_only(
    world: World, make_person: Callable[..., User], client: Client
) -> None:
    asker, helper = make_person(), make_person()
    now = timezone.now()
    old = services.create_post(
        asker,
        direction="request",
        category="odd_jobs",
        title="Lamp ophangen",
        neighbourhood=world.bu,
        now=now - timedelta(days=6),
    )
    answered = services.create_post(
        asker,
        direction="request",
        category="odd_jobs",
        title="Schilderij ophangen",
        neighbourhood=world.bu,
        now=now - timedelta(days=6),
    )
    services.start_conversation(helper, answered, body="Ik kom!")
    fresh = services.create_post(
        asker, direction="request", category="odd_jobs", title="Nieuw", neighbourhood=world.bu
    )
    flagged = services.flag_unanswered(now)
    assert [p.pk for p in flagged] == [old.pk]
    assert services.flag_unanswered(now) == []  # once
    assert list(services.unanswered_for(world.worker)) == [old]
    assert list(services.unanswered_for(world.other_worker)) == []
    assert list(services.unanswered_for(asker)) == []
    assert fresh.flagged_unanswered_at is None

    # Not public: the neighbourhood page and the post do not say "unanswered".
    page = client.get(reverse("mutualhelp:neighbourhood", args=[world.bu.code])).content.decode()
    assert "Lamp ophangen" in page and "zonder reactie" not in page
    client.force_login(world.worker)
    queue = client.get(reverse("mutualhelp:moderation")).content.decode()
    assert "Lamp ophangen" in queue and "Schilderij ophangen" not in queue
    client.force_login(asker)
    assert client.get(reverse("mutualhelp:moderation")).status_code == 403


def test_a_warning_tells_the_writer_with_the_reason_and_not_the_reporter(
    world: World, make_person: Callable[..., User], make_post: Callable[..., Post]
) -> None:
    from django.core import mail

    sanne = make_person("Sanne")
    rude = make_person("Ruud")
    post = make_post(sanne)
    conversation, message = services.start_conversation(rude, post, body="Wat een onzin")
    item = services.report(sanne, message=message, reason="offensive")
    services.decide_report(world.worker, item, "warn", "Blijf vriendelijk tegen buren.")
    assert len(mail.outbox) == 1
    notice = mail.outbox[0]
    assert notice.to == [rude.email]
    assert "waarschuwing" in notice.subject
    assert "Blijf vriendelijk tegen buren." in notice.body
    assert "Kast tillen" in notice.body and "Wendy Werker" in notice.body
    assert "Sanne" not in notice.body  # never who reported
    assert not Message.objects.get(pk=message.pk).hidden  # a warning hides nothing
    event = AuditEvent.objects.get(action="mutualhelp.moderation_notice")
    assert event.detail["told"] == [rude.pk] and event.detail["decision"] == "warn"


def test_hiding_tells_the_poster_and_whoever_placed_it_for_them(
    world: World, assisted: User, make_person: Callable[..., User], make_post: Callable[..., Post]
) -> None:
    from django.core import mail

    post = services.create_post(
        world.worker,
        owner=assisted,
        direction="request",
        category="shopping",
        title="Boodschappen doen",
        neighbourhood=world.bu,
    )
    reporter = make_person("Piet")
    item = services.report(reporter, post=post, reason="other")
    services.decide_report(world.worker, item, "hide", "Graag zonder telefoonnummer in de titel.")
    # Mevrouw Jansen has no e-mail: her mail goes to the worker who helps her (once).
    assert [m.to for m in mail.outbox] == [[world.worker.email]]
    body = mail.outbox[0].body
    assert "verborgen" in body and "Graag zonder telefoonnummer in de titel." in body
    assert "Mevrouw Jansen" in body and "Piet" not in body

    # A decision of "no action" tells nobody.
    other = make_post(reporter, title="Tuin")
    services.decide_report(
        world.worker, services.report(make_person(), post=other, reason="spam"), "no_action", "ok"
    )
    assert len(mail.outbox) == 1


def test_the_worker_is_told_when_nobody_can_be_reached(
    client: Client, world: World, make_person: Callable[..., User], make_post: Callable[..., Post]
) -> None:
    offline = make_person("Zonder Mail", email=False)
    post = make_post(offline, title="Hulp gezocht")
    item = services.report(make_person(), post=post, reason="spam")
    client.force_login(world.worker)
    response = client.post(
        reverse("mutualhelp:report_decide", args=[item.pk]),
        {"decision": "warn", "reason": "Alleen burenhulp, geen verkoop."},
        follow=True,
    )
    assert "Zonder Mail heeft geen e-mail" in response.content.decode()
    event = AuditEvent.objects.get(action="mutualhelp.moderation_notice")
    assert event.detail["not_reached"] == [offline.pk] and event.detail["told"] == []
