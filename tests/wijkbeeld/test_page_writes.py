"""The write paths of the wijkbeeld pages (start a wijkbeeld, close a round) and the
initiatives part: right role changes things, wrong role is refused, bad input changes
nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from buurtbasis.accounts.models import Role
from buurtbasis.wijkbeeld import services
from buurtbasis.wijkbeeld.models import ConversationRound, Wijkbeeld
from tests.places.helpers import Town, person

pytestmark = pytest.mark.django_db


def test_create_wijkbeeld_page(client: Client, town: Town) -> None:
    worker = person(town.wk, Role.PROFESSIONAL)
    url = reverse("wijkbeeld:create", args=[town.wk.code])
    # Before: an invitation page, with the button only for who may start it.
    client.force_login(person(town.bu, Role.RESIDENT))
    page = client.get(reverse("wijkbeeld:detail", args=[town.wk.code])).content.decode()
    assert url not in page
    assert client.post(url).status_code == 403
    assert not Wijkbeeld.objects.exists()
    client.force_login(worker)
    assert client.get(url).status_code == 405
    page = client.get(reverse("wijkbeeld:detail", args=[town.wk.code])).content.decode()
    assert url in page
    # Bad input: a municipality has no wijkbeeld -> a message, nothing made.
    bad = client.post(reverse("wijkbeeld:create", args=[town.gm.code]), follow=True)
    assert "Een wijkbeeld is er voor een wijk of een buurt." in bad.content.decode()
    assert not Wijkbeeld.objects.exists()
    response = client.post(url)
    wijkbeeld = Wijkbeeld.objects.get()
    assert response.status_code == 302 and response["Location"] == wijkbeeld.get_absolute_url()
    assert wijkbeeld.area == town.wk and wijkbeeld.created_by == worker
    assert wijkbeeld.parts.count() == 2
    # A second time: a message, still one.
    again = client.post(url, follow=True)
    assert again.status_code == 200 and Wijkbeeld.objects.count() == 1
    assert [str(m) for m in again.context["messages"]]


def test_close_round_page(client: Client, town: Town) -> None:
    worker = person(town.wk, Role.PROFESSIONAL)
    wijkbeeld = services.create_wijkbeeld(worker, town.wk)
    conversation = services.open_round(worker, wijkbeeld, {"title": "Eerste duiding"})
    url = reverse("wijkbeeld:round_close", args=[conversation.pk])
    client.force_login(person(town.bu, Role.RESIDENT))
    assert client.post(url).status_code == 403
    conversation.refresh_from_db()
    assert conversation.is_open
    client.force_login(worker)
    assert client.get(url).status_code == 405
    assert (
        client.post(reverse("wijkbeeld:round_close", args=[conversation.pk + 99])).status_code
        == 404
    )
    assert ConversationRound.objects.get().is_open
    response = client.post(url)
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert not conversation.is_open
    # A closed round takes no more reactions.
    part = wijkbeeld.parts.first()
    assert part is not None
    client.force_login(person(town.bu, Role.RESIDENT))
    client.post(
        reverse("wijkbeeld:comment", args=[part.pk]), {"round": conversation.pk, "body": "Laat"}
    )
    assert not conversation.comments.exists()


def test_initiatives_part_lists_the_initiatives(client: Client, town: Town) -> None:
    from buurtbasis.initiatives import services as initiatives

    worker = person(town.wk, Role.PROFESSIONAL)
    wijkbeeld = services.create_wijkbeeld(worker, town.wk)
    services.add_part(
        worker,
        wijkbeeld,
        {"kind": "initiatives", "title": "Wat bewoners doen", "body": "Veel!"},
    )
    url = wijkbeeld.get_absolute_url()
    assert "Er staan nog geen initiatieven op Buurtbasis." in client.get(url).content.decode()
    resident = person(town.bu, Role.RESIDENT)
    made = []
    for name, area in (("Buurtmoestuin", town.bu), ("Taalmaatjes", town.bu2)):
        made.append(
            initiatives.create_initiative(
                resident,
                name=name,
                description="Samen iets doen.",
                area=area,
                contact="06-12345678",
                needs_text="Handen.",
            )
        )
    elsewhere = initiatives.create_initiative(
        resident,
        name="Havenfeest",
        description="Feest.",
        area=town.other_bu,
        contact="06-12345678",
        needs_text="Muziek.",
    )
    page = client.get(url).content.decode()
    for initiative in made:
        assert initiative.name in page and initiative.get_absolute_url() in page
    assert elsewhere.name not in page
    assert "Er staan nog geen initiatieven" not in page
