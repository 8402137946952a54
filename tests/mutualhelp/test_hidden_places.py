"""A vulnerable person's post never shows where it is — not its neighbourhood and not a ride's
from/to — except to the post's own side and, once contact details were exchanged by mutual
agreement, to the helper in that conversation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client

from buurtbasis.accounts.models import User
from buurtbasis.mutualhelp import pdf, services
from buurtbasis.mutualhelp.models import Post

from .conftest import World

pytestmark = pytest.mark.django_db

FROM, TO = "Kerkstraat 12", "Ziekenhuis Oost"


@pytest.fixture
def ride(
    world: World, make_person: Callable[..., User], make_post: Callable[..., Post]
) -> dict[str, Any]:
    sanne = make_person("Sanne")
    kees = make_person("Kees", north=300, categories=["transport"])
    other = make_person("Ali", north=-300, categories=["transport"])
    post = make_post(
        sanne,
        category="transport",
        kind="ride",
        title="Rit naar de dokter",
        ride_from=FROM,
        ride_to=TO,
        seats=1,
        hide_location=True,
    )
    return {"sanne": sanne, "kees": kees, "other": other, "post": post}


def page(client: Client, user: User, post: Post) -> str:
    client.force_login(user)
    response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def api(client: Client, user: User, post: Post) -> dict[str, Any]:
    client.force_login(user)
    response = client.get(f"/api/v1/help/posts/{post.pk}")
    assert response.status_code == 200
    return response.json()


def shows_places(html: str) -> bool:
    return FROM in html or TO in html


def test_ride_places_are_hidden_from_others_until_contact_is_shared(
    client: Client, world: World, ride: dict[str, Any]
) -> None:
    sanne, kees, other, post = ride["sanne"], ride["kees"], ride["other"], ride["post"]
    main = page(client, kees, post).split("<main", 1)[1]
    assert not shows_places(main) and world.bu.name not in main
    assert "contactgegevens hebt gedeeld" in main
    data = api(client, kees, post)
    assert data["ride_from"] == "" and data["ride_to"] == "" and data["neighbourhood"] is None
    # Nor the community worker: the places are for the post's side and the matched helper.
    assert not shows_places(page(client, world.worker, post))

    # The post's own side sees them.
    assert shows_places(page(client, sanne, post))
    data = api(client, sanne, post)
    assert (data["ride_from"], data["ride_to"]) == (FROM, TO)
    assert data["neighbourhood"]["code"] == world.bu.code
    client.force_login(sanne)
    mine = client.get("/api/v1/help/mine").json()
    assert mine[0]["ride_to"] == TO

    # A conversation alone is not enough; one side sharing is not enough either.
    conversation, _m = services.start_conversation(kees, post, body="Ik kan u rijden.")
    services.start_conversation(other, post, body="Ik ook.")
    assert not shows_places(page(client, kees, post))
    services.share_contact(kees, conversation, True)
    assert not shows_places(page(client, kees, post))
    assert api(client, kees, post)["ride_to"] == ""
    # Both shared: now the helper in that conversation sees where the ride goes.
    services.share_contact(sanne, conversation, True)
    assert shows_places(page(client, kees, post))
    assert api(client, kees, post)["ride_from"] == FROM
    # Another helper still does not.
    assert not shows_places(page(client, other, post))
    assert api(client, other, post)["ride_to"] == ""


def test_ride_places_never_in_the_digest_or_on_paper(
    world: World, ride: dict[str, Any], make_post: Callable[..., Post]
) -> None:
    sanne = ride["sanne"]
    call_command("send_help_digest", "--site-url", "https://buurt.example", stdout=None)
    assert mail.outbox, "the candidates are told by e-mail"
    for message in mail.outbox:
        for text in (message.body, str(message.alternatives[0][0])):  # type: ignore[index]
            assert "Rit naar de dokter" in text
            assert FROM not in text and TO not in text and world.bu.name not in text
    # A ride offer whose location may be shown is on paper (title only); a vulnerable one not.
    make_post(
        sanne,
        direction="offer",
        category="transport",
        kind="ride",
        title="Rijd mee",
        ride_from=FROM,
        ride_to=TO,
        seats=2,
        hide_location=True,
    )
    for size in ("a4", "a6"):
        html = pdf.render_html(world.bu, size)
        assert "Rijd mee" not in html and not shows_places(html)
