"""The pages: they work without JavaScript, show clear errors, never an exact location, no
inline styles; the rate limits answer 429."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from buurtbasis.accounts.models import User
from buurtbasis.mutualhelp import services
from buurtbasis.mutualhelp.models import Conversation, Message, Post, Report, Thanks

from .conftest import World

pytestmark = pytest.mark.django_db


def assert_clean_page(html: str) -> None:
    """No style attributes, no inline script without a nonce, one h1, labelled inputs."""
    assert "style=" not in html
    for tag in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html):
        assert "nonce=" in tag or 'type="application/json"' in tag, tag
    assert html.count("<h1") == 1
    for input_id in re.findall(
        r'<(?:input|select|textarea)(?![^>]*type="(?:hidden|submit)")[^>]*\bid="([^"]+)"', html
    ):
        assert f'for="{input_id}"' in html, input_id


def no_coordinates(html: str, post: Post) -> None:
    for value in (post.lat_e6, post.lon_e6):
        assert str(value) not in html
        assert f"{value / 1e6:.4f}" not in html
        assert f"{value / 1e6:.3f}".replace(".", ",") not in html


@pytest.fixture
def story(
    world: World, make_person: Callable[..., User], make_post: Callable[..., Post]
) -> dict[str, Any]:
    sanne = make_person("Sanne")
    kees = make_person("Kees", north=420, categories=["moving"])
    post = make_post(sanne, title="Kast naar boven tillen")
    offer = make_post(kees, direction="offer", title="Ik help met tillen", north=420)
    return {"sanne": sanne, "kees": kees, "post": post, "offer": offer}


def test_public_pages_render_for_anonymous_visitors(
    client: Client, world: World, story: dict[str, Any]
) -> None:
    for url in (
        reverse("mutualhelp:index"),
        reverse("mutualhelp:neighbourhood", args=[world.bu.code]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert_clean_page(html)
        no_coordinates(html, story["post"])
    page = client.get(reverse("mutualhelp:neighbourhood", args=[world.bu.code])).content.decode()
    assert "Kast naar boven tillen" in page and "Ik help met tillen" in page
    assert "Sanne" not in page  # names only for signed-in people
    assert client.get(reverse("mutualhelp:neighbourhood", args=["BU00000000"])).status_code == 404
    # Creating needs a log-in.
    response = client.get(reverse("mutualhelp:post_create"))
    assert response.status_code == 302 and "inloggen" in response["Location"]


def test_the_cupboard_story_through_the_pages(
    client: Client,
    world: World,
    story: dict[str, Any],
    make_person: Callable[..., User],
    exact_distances: None,
) -> None:
    sanne, kees = story["sanne"], story["kees"]
    client.force_login(sanne)
    neighbourhood = client.get(reverse("mutualhelp:neighbourhood", args=[world.bu.code]))
    html = neighbourhood.content.decode()
    assert "± 400 m" in html  # Kees's offer, rounded
    no_coordinates(html, story["offer"])

    # Ask: few fields, then the candidates.
    response = client.post(
        reverse("mutualhelp:post_create"),
        {
            "direction": "request",
            "category": "moving",
            "title": "Tweede kast tillen",
            "neighbourhood": world.bu.pk,
            "radius_m": 1000,
            "recurrence": "once",
            "kind": "task",
        },
    )
    post = Post.objects.get(title="Tweede kast tillen")
    assert response.status_code == 302
    assert response["Location"] == reverse("mutualhelp:post_matches", args=[post.pk])
    matches = client.get(response["Location"])
    html = matches.content.decode()
    assert matches.status_code == 200 and "Kees" in html and "± 400 m" in html
    assert_clean_page(html)
    no_coordinates(html, story["offer"])

    # Message the candidate, share contact details, agree.
    url = reverse("mutualhelp:contact_candidate", args=[post.pk, kees.pk])
    assert_clean_page(client.get(url).content.decode())
    response = client.post(url, {"body": "Kun je zaterdag?", "aanbod": story["offer"].pk})
    conversation = Conversation.objects.get(post=post, participant=kees)
    assert conversation.other_post == story["offer"]
    assert response["Location"] == conversation.get_absolute_url()
    client.post(reverse("mutualhelp:conversation_contact", args=[conversation.pk]), {"share": "1"})

    client.force_login(kees)
    page = client.get(conversation.get_absolute_url())
    assert page.status_code == 200
    assert_clean_page(page.content.decode())
    assert sanne.email not in page.content.decode()
    client.post(conversation.get_absolute_url(), {"body": "Ja hoor!"})
    client.post(reverse("mutualhelp:conversation_contact", args=[conversation.pk]), {"share": "1"})
    assert sanne.email in client.get(conversation.get_absolute_url()).content.decode()

    client.force_login(sanne)
    client.post(reverse("mutualhelp:conversation_agree", args=[conversation.pk]))
    post.refresh_from_db()
    assert post.status == "agreed"
    thank_url = reverse("mutualhelp:conversation_thank", args=[conversation.pk])
    assert_clean_page(client.get(thank_url).content.decode())
    client.post(thank_url, {"text": "Dankjewel!", "nominate": "on", "reason": "Sterk"})
    client.force_login(kees)
    client.post(thank_url, {"text": "Graag gedaan"})
    post.refresh_from_db()
    assert post.status == "closed"
    assert Thanks.objects.filter(conversation=conversation).count() == 2
    profile = client.get(reverse("mutualhelp:profile")).content.decode()
    assert "Dankjewel!" in profile
    assert_clean_page(profile)


def test_a_post_without_category_or_place_shows_errors_and_saves_nothing(
    client: Client, world: World, story: dict[str, Any]
) -> None:
    client.force_login(story["sanne"])
    before = Post.objects.count()
    response = client.post(
        reverse("mutualhelp:post_create"),
        {"direction": "request", "title": "Iets"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Kies een categorie." in html and "Kies de buurt waar het om gaat." in html
    assert 'aria-invalid="true"' in html and "Er is nog niets opgeslagen" in html
    assert Post.objects.count() == before
    assert_clean_page(html)

    response = client.post(
        reverse("mutualhelp:post_create"),
        {
            "direction": "offer",
            "category": "transport",
            "title": "Rit",
            "kind": "ride",
            "ride_to": "Station",
            "seats": "0",
            "neighbourhood": world.bu.pk,
            "radius_m": 1000,
            "recurrence": "once",
        },
    )
    assert "minstens één plaats" in response.content.decode()
    assert Post.objects.count() == before


def test_the_english_error_comes_from_the_catalogue_not_the_code(
    client: Client, world: World, story: dict[str, Any]
) -> None:
    client.force_login(story["sanne"])
    response = client.post(
        reverse("mutualhelp:post_create"),
        {"direction": "request", "title": "Iets", "radius_m": 1000, "recurrence": "once"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    html = response.content.decode()
    # The English text from locale/en, not the Dutch msgid.
    assert "Choose a category." in html
    assert "Choose the neighbourhood it is about." in html
    assert "Kies een categorie." not in html and "Kies de buurt waar het om gaat." not in html


def test_message_to_someone_who_blocked_you(
    client: Client, world: World, story: dict[str, Any]
) -> None:
    sanne, kees, post = story["sanne"], story["kees"], story["post"]
    services.block(sanne, kees)
    client.force_login(kees)
    response = client.post(reverse("mutualhelp:post_reply", args=[post.pk]), {"body": "Hoi"})
    assert response.status_code == 400
    assert "geblokkeerd" in response.content.decode()
    assert Message.objects.count() == 0


def test_block_and_unblock_through_the_pages(client: Client, story: dict[str, Any]) -> None:
    sanne, kees, post = story["sanne"], story["kees"], story["post"]
    conversation, _m = services.start_conversation(kees, post, body="Hoi")
    client.force_login(sanne)
    client.post(reverse("mutualhelp:conversation_block", args=[conversation.pk]))
    blocks = client.get(reverse("mutualhelp:blocks")).content.decode()
    assert "Kees" in blocks
    assert_clean_page(blocks)
    client.post(reverse("mutualhelp:blocks"), {"user": kees.pk})
    assert "Kees" not in client.get(reverse("mutualhelp:blocks")).content.decode()


def test_others_cannot_see_a_conversation_or_the_matches(
    client: Client, story: dict[str, Any], make_person: Callable[..., User]
) -> None:
    conversation, _m = services.start_conversation(story["kees"], story["post"], body="Hoi")
    client.force_login(make_person("Vreemde"))
    assert client.get(conversation.get_absolute_url()).status_code == 404
    assert (
        client.get(reverse("mutualhelp:post_matches", args=[story["post"].pk])).status_code == 404
    )
    response = client.post(
        reverse("mutualhelp:post_status", args=[story["post"].pk]), {"action": "withdraw"}
    )
    assert response.status_code == 403
    assert Post.objects.get(pk=story["post"].pk).status == "open"


def test_report_page_and_moderation_decision(
    client: Client, world: World, story: dict[str, Any]
) -> None:
    client.force_login(story["kees"])
    url = reverse("mutualhelp:report_post", args=[story["post"].pk])
    assert_clean_page(client.get(url).content.decode())
    client.post(url, {"reason": "spam", "text": "reclame"})
    report = Report.objects.get()
    client.force_login(world.worker)
    queue = client.get(reverse("mutualhelp:moderation")).content.decode()
    assert "reclame" in queue
    assert_clean_page(queue)
    # Without a reason: an error, nothing decided.
    response = client.post(
        reverse("mutualhelp:report_decide", args=[report.pk]), {"decision": "no_action"}
    )
    assert response.status_code == 400 and "Schrijf kort waarom" in response.content.decode()
    report.refresh_from_db()
    assert report.status == "open"
    client.post(
        reverse("mutualhelp:report_decide", args=[report.pk]),
        {"decision": "no_action", "reason": "Geen reclame."},
    )
    report.refresh_from_db()
    assert report.status == "decided" and report.decided_by == world.worker


def test_posting_on_behalf_through_the_page(
    client: Client, world: World, assisted: User, story: dict[str, Any]
) -> None:
    client.force_login(world.worker)
    url = reverse("mutualhelp:post_create_on_behalf")
    page = client.get(url).content.decode()
    assert "Mevrouw Jansen" in page
    assert_clean_page(page)
    response = client.post(
        url,
        {
            "owner": assisted.pk,
            "direction": "request",
            "category": "shopping",
            "title": "Boodschappen op dinsdag",
            "neighbourhood": world.bu.pk,
            "radius_m": 1000,
            "recurrence": "weekly",
            "kind": "task",
        },
    )
    post = Post.objects.get(title="Boodschappen op dinsdag")
    assert response.status_code == 302 and post.owner == assisted
    # A neighbour without consent cannot choose her at all, nor post by forging the form.
    client.force_login(story["kees"])
    response = client.post(
        url,
        {
            "owner": assisted.pk,
            "direction": "request",
            "category": "shopping",
            "title": "Vervalst",
            "neighbourhood": world.bu.pk,
            "radius_m": 1000,
            "recurrence": "once",
            "kind": "task",
        },
    )
    assert response.status_code == 400
    assert not Post.objects.filter(title="Vervalst").exists()


def test_profile_asks_what_you_can_offer(
    client: Client, world: World, story: dict[str, Any]
) -> None:
    client.force_login(story["sanne"])
    page = client.get(reverse("mutualhelp:profile") + "?welkom=1").content.decode()
    assert "Wat kunt u bieden?" in page
    assert_clean_page(page)
    response = client.post(
        reverse("mutualhelp:profile"),
        {
            "categories": ["garden", "cooking"],
            "neighbourhood": world.bu.pk,
            "lat": "52,0905",
            "lon": "5.1201",
            "radius_m": 2000,
            "moments": ["1", "8"],
        },
    )
    assert response.status_code == 302
    profile = services.get_profile(story["sanne"])
    assert (profile.lat_e6, profile.lon_e6, profile.moments) == (52_090_500, 5_120_100, 9)
    assert sorted(profile.capabilities.values_list("category", flat=True)) == ["cooking", "garden"]
    # The stored point is never echoed back in the form.
    assert "52.0905" not in client.get(reverse("mutualhelp:profile")).content.decode()
    response = client.post(
        reverse("mutualhelp:profile"),
        {
            "categories": ["garden"],
            "neighbourhood": world.bu.pk,
            "lat": "x",
            "lon": "y",
            "radius_m": 2000,
        },
    )
    assert response.status_code == 400 and "geen geldige plek" in response.content.decode()
    profile.refresh_from_db()
    assert profile.lat_e6 == 52_090_500


def test_rate_limit_answers_429(
    client: Client, world: World, story: dict[str, Any], settings: Any
) -> None:
    settings.MUTUALHELP = {"MESSAGE_RATE": "2/h"}
    client.force_login(story["kees"])
    url = reverse("mutualhelp:post_reply", args=[story["post"].pk])
    conversation_url = None
    for i in range(2):
        response = client.post(
            url if conversation_url is None else conversation_url, {"body": f"Bericht {i}"}
        )
        conversation_url = Conversation.objects.get().get_absolute_url()
    response = client.post(conversation_url, {"body": "Te veel"})
    assert response.status_code == 429
    assert Message.objects.count() == 2


def test_print_sheet_and_card_are_pdf(client: Client, world: World, story: dict[str, Any]) -> None:
    for name in ("mutualhelp:print_sheet", "mutualhelp:print_card"):
        response = client.get(reverse(name, args=[world.bu.code]))
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
    assert client.get(reverse("mutualhelp:print_card", args=["BU00000000"])).status_code == 404


@pytest.mark.parametrize(("size", "width_mm", "height_mm"), [("a4", 210, 297), ("a6", 105, 148)])
def test_paper_has_the_right_size_the_offers_and_the_worker_phone(
    world: World, story: dict[str, Any], size: str, width_mm: int, height_mm: int
) -> None:
    from buurtbasis.mutualhelp import pdf

    document = pdf.build_document(world.bu, size)
    assert len(document.pages) == 1
    page = document.pages[0]
    px_per_mm = 96 / 25.4
    assert round(page.width / px_per_mm) == width_mm
    assert round(page.height / px_per_mm) == height_mm
    html = pdf.render_html(world.bu, size)
    assert "Ik help met tillen" in html  # the current offer
    assert "030 111 2222" in html and "Wendy Werker" in html  # the community worker
    assert "Sanne" not in html and "Kees" not in html  # no names on paper
    assert "style=" not in html


def test_post_detail_hides_the_neighbourhood_of_a_vulnerable_person(
    client: Client, world: World, story: dict[str, Any]
) -> None:
    post = story["post"]
    services.set_post_hidden_location(world.worker, post, True)
    client.force_login(story["kees"])
    html = client.get(post.get_absolute_url()).content.decode()
    assert post.title in html
    assert world.bu.name not in html.split("<main", 1)[1].split("</main>")[0]
    assert " m<" not in html and "± " not in html


def test_the_neighbourhood_page_needs_few_queries_and_pages_through(
    client: Client,
    world: World,
    story: dict[str, Any],
    make_post: Callable[..., Post],
    django_assert_max_num_queries: Any,
    settings: Any,
) -> None:
    from django.db import connection

    settings.MUTUALHELP = {"PAGE_SIZE": 2}
    sanne, kees = story["sanne"], story["kees"]
    for i in range(4):
        make_post(sanne, title=f"Vraag {i}")
        make_post(kees, direction="offer", title=f"Aanbod {i}")
    url = reverse("mutualhelp:neighbourhood", args=[world.bu.code])
    # Area, both counts, both lists (one UNION ALL where the database can), workers, bloemetje.
    lists = 1 if connection.features.supports_slicing_ordering_in_compound else 2
    with django_assert_max_num_queries(5 + lists):
        html = client.get(url).content.decode()
    assert "(5)" in html  # 5 requests and 5 offers counted
    assert "Vraag 3" in html and "Aanbod 3" in html and "Vraag 1" not in html
    # Signed in: + session, person, own point, roles for the menu.
    client.force_login(sanne)
    with django_assert_max_num_queries(9 + lists):
        html = client.get(url, {"vragen": 2, "aanbod": 3}).content.decode()
    assert "Vraag 1" in html and "Vraag 0" in html and "Vraag 2" not in html
    assert "Ik help met tillen" in html and "Aanbod 0" not in html  # the last offer page
    assert "Pagina 2 van 3" in html and "Pagina 3 van 3" in html
