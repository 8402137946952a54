"""Rate limits of posts, reports and blocks (pages answer 429, the API a JSON 429) and the audit
events of blocks, reports, contact sharing, reopening and hiding a location."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from buurtbasis.accounts.models import User
from buurtbasis.core.models import AuditEvent
from buurtbasis.mutualhelp import services
from buurtbasis.mutualhelp.models import Block, Conversation, Post, Report

from .conftest import World

pytestmark = pytest.mark.django_db


def post_data(world: World, title: str) -> dict[str, Any]:
    return {
        "direction": "request",
        "category": "moving",
        "title": title,
        "neighbourhood": world.bu.pk,
        "radius_m": 1000,
        "recurrence": "once",
        "kind": "task",
    }


def test_posting_is_rate_limited_on_the_page_and_in_the_api(
    client: Client, settings: Any, world: World, make_person: Callable[..., User]
) -> None:
    settings.MUTUALHELP = {"POST_RATE": "2/h"}
    sanne = make_person("Sanne")
    client.force_login(sanne)
    url = reverse("mutualhelp:post_create")
    for i in range(2):
        assert client.post(url, post_data(world, f"Kast {i}")).status_code == 302
    response = client.post(url, post_data(world, "Kast te veel"))
    assert response.status_code == 429
    assert Post.objects.count() == 2
    # Posting for someone else counts against the same limit.
    assert client.post(reverse("mutualhelp:post_create_on_behalf"), {}).status_code == 429

    cache.clear()
    api_data = {"direction": "request", "category": "moving", "neighbourhood": world.bu.code}
    for i in range(2):
        response = client.post(
            "/api/v1/help/posts", {**api_data, "title": f"API {i}"}, content_type="application/json"
        )
        assert response.status_code == 201
    response = client.post(
        "/api/v1/help/posts", {**api_data, "title": "API te veel"}, content_type="application/json"
    )
    assert response.status_code == 429
    assert response.json()["error"] == "Te veel berichten achter elkaar. Probeer het later opnieuw."
    assert not Post.objects.filter(title="API te veel").exists()
    assert Post.objects.count() == 4


@pytest.fixture
def conversations(
    world: World, make_person: Callable[..., User], make_post: Callable[..., Post]
) -> dict[str, Any]:
    sanne = make_person("Sanne")
    kees, bram = make_person("Kees"), make_person("Bram")
    post = make_post(sanne)
    with_kees, _m = services.start_conversation(kees, post, body="Ik help")
    with_bram, _m = services.start_conversation(bram, post, body="Ik ook")
    return {
        "sanne": sanne,
        "kees": kees,
        "bram": bram,
        "post": post,
        "k": with_kees,
        "b": with_bram,
    }


def test_reporting_is_rate_limited(
    client: Client, settings: Any, conversations: dict[str, Any], make_post: Callable[..., Post]
) -> None:
    settings.MUTUALHELP = {"REPORT_RATE": "1/h"}
    client.force_login(conversations["kees"])
    other = make_post(conversations["bram"], title="Ladder")
    first = client.post(
        reverse("mutualhelp:report_post", args=[conversations["post"].pk]), {"reason": "spam"}
    )
    assert first.status_code == 302
    second = client.post(reverse("mutualhelp:report_post", args=[other.pk]), {"reason": "spam"})
    assert second.status_code == 429
    assert Report.objects.count() == 1


def test_blocking_is_rate_limited(
    client: Client, settings: Any, conversations: dict[str, Any]
) -> None:
    settings.MUTUALHELP = {"BLOCK_RATE": "1/h"}
    client.force_login(conversations["sanne"])
    k, b = conversations["k"], conversations["b"]
    assert client.post(reverse("mutualhelp:conversation_block", args=[k.pk])).status_code == 302
    assert client.post(reverse("mutualhelp:conversation_block", args=[b.pk])).status_code == 429
    assert list(Block.objects.values_list("blocked_id", flat=True)) == [conversations["kees"].pk]


def event(action: str, **filters: Any) -> AuditEvent:
    return AuditEvent.objects.filter(action=f"mutualhelp.{action}", **filters).latest("pk")


def test_blocks_reports_contact_reopen_and_hide_location_are_audit_logged(
    world: World, conversations: dict[str, Any]
) -> None:
    sanne, kees, post = conversations["sanne"], conversations["kees"], conversations["post"]
    conversation: Conversation = conversations["k"]

    services.share_contact(kees, conversation, True)
    e = event("contact_share")
    assert (e.actor_id, e.detail["side"], e.detail["value"]) == (kees.pk, "participant", True)
    services.share_contact(sanne, conversation, False)
    e = event("contact_share")
    assert (e.actor_id, e.detail["side"], e.detail["value"]) == (sanne.pk, "post", False)

    services.agree(sanne, conversation)
    services.reopen_post(sanne, post)
    e = event("post_reopen")
    assert e.actor_id == sanne.pk and e.object_id == str(post.pk) and e.result == "ok"
    with pytest.raises(PermissionDenied):
        services.reopen_post(kees, post)
    assert event("post_reopen", result="denied").actor_id == kees.pk

    services.set_post_hidden_location(sanne, post, True)
    e = event("post_hide_location")
    assert e.actor_id == sanne.pk and e.detail["value"] is True and e.result == "ok"
    with pytest.raises(PermissionDenied):
        services.set_post_hidden_location(kees, post, False)
    assert event("post_hide_location", result="denied").actor_id == kees.pk

    item = services.report(kees, post=post, reason="spam")
    e = event("report")
    assert e.actor_id == kees.pk and e.object_id == str(item.pk)
    assert e.detail == {"target": "mutualhelp.post", "target_id": post.pk, "reason": "spam"}

    services.block(kees, sanne)
    e = event("block")
    assert e.actor_id == kees.pk and e.detail["blocked"] == sanne.pk
    services.unblock(kees, sanne)
    assert event("unblock").detail["blocked"] == sanne.pk
