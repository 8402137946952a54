"""A professional of the area records a key person's consent given on paper or by phone (and
its withdrawal): the page the "no consent" error points to."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from buurtbasis.accounts import services as accounts
from buurtbasis.accounts.models import Consent, Role
from buurtbasis.core.models import AuditEvent
from buurtbasis.wijkbeeld import services
from buurtbasis.wijkbeeld.models import KeyPerson
from tests.places.helpers import Town, person

pytestmark = pytest.mark.django_db


def test_service_records_paper_and_phone_consent(town: Town) -> None:
    worker = person(town.wk, Role.PROFESSIONAL, name="Sanne")
    wijkbeeld = services.create_wijkbeeld(worker, town.wk)
    keeper = person(town.bu, Role.RESIDENT, name="Henk")
    outsider = person(town.other_bu, Role.RESIDENT)
    resident = person(town.bu2, Role.RESIDENT)
    # Only a professional of the area (or an administrator).
    for actor in (resident, person(town.other_wk, Role.PROFESSIONAL)):
        with pytest.raises(PermissionDenied):
            services.record_key_person_consent(actor, wijkbeeld, keeper, given=True, method="paper")
    # Bad input: someone from elsewhere, "online" (that the person does themselves), no one.
    for who, method, field in (
        (outsider, "paper", "person"),
        (keeper, "online", "method"),
        (None, "phone", "person"),
    ):
        with pytest.raises(ValidationError) as info:
            services.record_key_person_consent(worker, wijkbeeld, who, given=True, method=method)
        assert field in info.value.message_dict
    assert not Consent.objects.filter(purpose=Consent.Purpose.KEY_PERSON).exists()

    consent = services.record_key_person_consent(
        worker, wijkbeeld, keeper, given=True, method="paper", note="formulier in de buurtkamer"
    )
    assert (consent.method, consent.recorded_by, consent.given) == ("paper", worker, True)
    assert services.has_key_person_consent(keeper)
    assert AuditEvent.objects.filter(
        action="wijkbeeld.record_key_person_consent", actor=worker
    ).exists()
    assert AuditEvent.objects.filter(action="accounts.give_consent", actor=worker).exists()
    services.add_key_person(
        worker, wijkbeeld, keeper, kind="bridge_builder", description="Kent iedereen"
    )
    # Withdrawn by phone: hidden at once.
    services.record_key_person_consent(worker, wijkbeeld, keeper, given=False, method="phone")
    assert not services.has_key_person_consent(keeper)
    assert services.visible_key_people(resident, wijkbeeld) == []
    assert accounts.current_consents(keeper)["key_person"].method == "phone"  # type: ignore[union-attr]


def test_consent_page(client: Client, town: Town) -> None:
    worker = person(town.wk, Role.PROFESSIONAL, name="Sanne")
    wijkbeeld = services.create_wijkbeeld(worker, town.wk)
    keeper = person(town.bu, Role.RESIDENT, name="Henk de Sterkhouder")
    url = reverse("wijkbeeld:key_person_consent", args=[town.wk.code])

    # A resident may not record consent for others (nothing changes).
    client.force_login(keeper)
    assert client.get(url).status_code == 403
    assert client.post(url, {"person": keeper.pk, "given": "1", "method": "paper"}).status_code == (
        403
    )
    assert not Consent.objects.filter(purpose=Consent.Purpose.KEY_PERSON).exists()

    client.force_login(worker)
    # The add page, refused for lack of consent, points to the consent page.
    add = client.get(reverse("wijkbeeld:key_person_add", args=[town.wk.code])).content.decode()
    assert url in add
    page = client.get(url).content.decode()
    assert "Henk de Sterkhouder" in page and 'type="radio"' in page
    # Bad input: no way of giving chosen -> an error, nothing recorded.
    bad = client.post(url, {"person": keeper.pk, "given": "1", "method": ""})
    assert bad.status_code == 400
    assert "op papier of telefonisch" in bad.content.decode()
    assert not Consent.objects.filter(purpose=Consent.Purpose.KEY_PERSON).exists()
    # Record the consent given on paper (a plain form POST, no JavaScript).
    response = client.post(
        url, {"person": keeper.pk, "given": "1", "method": "paper", "note": "getekend"}
    )
    assert response.status_code == 302
    consent = Consent.objects.get(user=keeper, purpose=Consent.Purpose.KEY_PERSON)
    assert consent.given and consent.method == "paper" and consent.recorded_by == worker
    # Now the key person can be named.
    client.post(
        reverse("wijkbeeld:key_person_add", args=[town.wk.code]),
        {"person": keeper.pk, "kind": "bridge_builder", "description": "Kent iedereen"},
    )
    assert KeyPerson.objects.filter(person=keeper).exists()
    page = client.get(wijkbeeld.get_absolute_url()).content.decode()
    assert "Henk de Sterkhouder" in page and url in page
    # Withdrawn by phone: no longer shown.
    client.post(url, {"person": keeper.pk, "given": "0", "method": "phone"})
    assert not services.has_key_person_consent(keeper)
    page = client.get(wijkbeeld.get_absolute_url()).content.decode()
    assert "Henk de Sterkhouder" not in page
    assert AuditEvent.objects.filter(action="wijkbeeld.record_key_person_consent").count() == 2
