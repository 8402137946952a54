"""The daily e-mail (``send_help_digest``): batched per person, with an opt-out, never an
exact location; the community worker hears about unanswered requests."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from buurtbasis.accounts import services as accounts
from buurtbasis.accounts.models import Consent, User
from buurtbasis.mutualhelp import services
from buurtbasis.mutualhelp.models import DigestEntry, HelpProfile, Post

from .conftest import World

pytestmark = pytest.mark.django_db


def run() -> str:
    out = StringIO()
    call_command("send_help_digest", "--site-url", "https://buurt.example", stdout=out)
    return out.getvalue()


def test_candidates_get_one_batched_mail_with_an_opt_out(
    world: World,
    make_person: Callable[..., User],
    make_post: Callable[..., Post],
    exact_distances: None,
) -> None:
    asker = make_person("Sanne")
    kees = make_person("Kees", north=300, categories=["moving", "garden"])
    far = make_person("Ver weg", area=world.other_bu, categories=["moving"])
    make_post(asker, title="Kast tillen", category="moving")
    make_post(asker, title="Heg knippen", category="garden")
    output = run()
    assert "sent=1" in output
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [kees.email]
    assert "Kast tillen" in message.body and "Heg knippen" in message.body
    assert "± 300 m" in message.body
    # No coordinates, in text or HTML.
    post = Post.objects.get(title="Kast tillen")
    html = message.alternatives[0][0]  # type: ignore[index]
    for text in (message.body, str(html)):
        assert str(post.lat_e6)[:5] not in text and f"{post.lat_e6 / 1e6:.3f}" not in text
    assert far.email not in [m.to[0] for m in mail.outbox]
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    url = re.search(r"https://buurt\.example(\S+)>", unsubscribe)
    assert url is not None

    # Sent once: running again sends nothing new.
    run()
    assert len(mail.outbox) == 1

    # Opting out through the link (GET asks, POST does it).
    client = Client()
    path = url.group(1)
    assert "afmelden" in client.get(path).content.decode().lower()
    assert client.post(path).status_code == 200
    assert HelpProfile.objects.get(user=kees).digest_opt_out
    make_post(asker, title="Bank tillen", category="moving")
    run()
    assert len(mail.outbox) == 1
    assert DigestEntry.objects.filter(user=kees, sent_at__isnull=False).count() == 3


def test_a_bad_opt_out_token_changes_nothing(client: Client) -> None:
    response = client.post("/burenhulp/afmelden/nonsense:abc/")
    assert response.status_code == 400


def test_withdrawn_e_mail_consent_means_no_mail(
    world: World, make_person: Callable[..., User], make_post: Callable[..., Post]
) -> None:
    asker = make_person()
    kees = make_person(categories=["moving"])
    accounts.record_consent(
        kees, Consent.Purpose.CONTACT_BY_EMAIL, False, method="online", actor=kees
    )
    make_post(asker)
    assert "skipped=1" in run()
    assert mail.outbox == []


def test_new_offers_reach_people_with_a_matching_request(
    world: World, make_person: Callable[..., User], make_post: Callable[..., Post]
) -> None:
    asker = make_person("Sanne")
    make_post(asker, title="Ladder nodig", category="things")
    run()
    assert mail.outbox == []  # nobody could help yet
    bram = make_person("Bram", north=200)
    make_post(bram, direction="offer", title="Ladder te leen", category="things", kind="lend")
    run()
    assert [m.to for m in mail.outbox] == [[asker.email]]
    assert "Ladder te leen" in mail.outbox[0].body


def test_someone_without_e_mail_is_reached_through_their_helper(
    world: World, assisted: User, make_person: Callable[..., User], make_post: Callable[..., Post]
) -> None:
    services.save_profile(
        assisted, actor=world.worker, categories=["company"], neighbourhood=world.bu
    )
    asker = make_person()
    make_post(asker, category="company", title="Samen wandelen")
    run()
    assert [m.to for m in mail.outbox] == [[world.worker.email]]
    assert "Mevrouw Jansen" in mail.outbox[0].body


def test_unanswered_requests_go_to_the_community_worker(
    world: World, make_person: Callable[..., User]
) -> None:
    asker = make_person()
    services.create_post(
        asker,
        direction="request",
        category="paperwork",
        title="Formulier invullen",
        neighbourhood=world.bu,
        now=timezone.now() - timedelta(days=10),
    )
    output = run()
    assert "flagged=1" in output
    recipients = [m.to[0] for m in mail.outbox]
    assert world.worker.email in recipients and world.other_worker.email not in recipients
    worker_mail = next(m for m in mail.outbox if m.to == [world.worker.email])
    assert "Formulier invullen" in worker_mail.body and "zonder reactie" in worker_mail.body
