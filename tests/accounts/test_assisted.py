"""Assisted accounts: a professional registers a resident without e-mail; take-over by code."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from buurtbasis.accounts import services
from buurtbasis.accounts.models import Consent, Membership, Organisation, Role, User
from buurtbasis.core.models import AuditEvent

from .conftest import Areas

NEW = reverse("accounts:assisted_new")


def _form(areas: Areas, **data: Any) -> dict[str, Any]:
    base = {
        "display_name": "Mevrouw Jansen",
        "home_neighbourhood": areas.bu.code,
        "phone": "0612345678",
        "languages": "Nederlands",
        "consent_given": "on",
        "consent_method": "paper",
        "consent_note": "Formulier getekend",
    }
    base.update(data)
    return {k: v for k, v in base.items() if v is not None}


def test_professional_registers_a_resident(
    client: Client, areas: Areas, professional: User
) -> None:
    client.force_login(professional)
    response = client.post(NEW, _form(areas))
    resident = User.objects.get(display_name="Mevrouw Jansen")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:assisted_detail", args=[resident.pk])
    assert resident.email is None
    assert not resident.has_usable_password()
    assert resident.assisted_by == professional
    assert resident.is_assisted
    assert resident.phone == "0612345678"
    consent = resident.consents.get()
    assert (consent.purpose, consent.given, consent.method, consent.recorded_by) == (
        Consent.Purpose.ASSISTED_ACCOUNT,
        True,
        Consent.Method.PAPER,
        professional,
    )
    assert consent.note == "Formulier getekend"
    assert list(resident.memberships.values_list("area", "role")) == [(areas.bu.pk, "resident")]
    event = AuditEvent.objects.get(action="accounts.register_assisted", result="ok")
    assert event.actor == professional and event.object_id == str(resident.pk)
    # The professional sees the resident in their list.
    listing = client.get(reverse("accounts:assisted")).content.decode()
    assert "Mevrouw Jansen" in listing


@pytest.mark.parametrize(
    "changes",
    [
        {"consent_given": None},  # no consent
        {"consent_method": None},
        {"consent_method": "online"},  # not a way to give consent for an assisted account
        {"display_name": ""},
        {"home_neighbourhood": ""},
    ],
)
def test_refused_without_consent_or_with_bad_input(
    client: Client, areas: Areas, professional: User, changes: dict[str, Any]
) -> None:
    client.force_login(professional)
    users, consents, memberships = (
        User.objects.count(),
        Consent.objects.count(),
        Membership.objects.count(),
    )
    response = client.post(NEW, _form(areas, **changes))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="error' in body
    if "consent_given" in changes:
        assert "Zonder toestemming" in body
        assert 'id="id_consent_given_error"' in body
    assert (User.objects.count(), Consent.objects.count(), Membership.objects.count()) == (
        users,
        consents,
        memberships,
    )


def test_service_refuses_without_consent(areas: Areas, professional: User) -> None:
    with pytest.raises(ValidationError) as info:
        services.register_assisted(
            professional=professional,
            display_name="X",
            home_neighbourhood=areas.bu,
            consent_given=False,
            consent_method="paper",
        )
    assert "consent_given" in info.value.error_dict
    assert not User.objects.filter(display_name="X").exists()


def test_professional_cannot_register_outside_their_area(
    client: Client, areas: Areas, professional: User
) -> None:
    with pytest.raises(PermissionDenied):
        services.register_assisted(
            professional=professional,
            display_name="Ver weg",
            home_neighbourhood=areas.other_bu,
            consent_given=True,
            consent_method="phone",
        )
    assert not User.objects.filter(display_name="Ver weg").exists()
    assert AuditEvent.objects.filter(action="accounts.register_assisted", result="denied").exists()
    # Through the form the other neighbourhood is not even a choice.
    client.force_login(professional)
    response = client.post(NEW, _form(areas, home_neighbourhood=areas.other_bu.code))
    assert response.status_code == 200
    assert not User.objects.filter(display_name="Mevrouw Jansen").exists()


def test_non_professional_gets_403(
    client: Client, areas: Areas, make_user: Callable[..., User]
) -> None:
    resident = make_user(home_neighbourhood=areas.bu)
    client.force_login(resident)
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, _form(areas)).status_code == 403
    assert client.get(reverse("accounts:assisted")).status_code == 403
    assert not User.objects.filter(display_name="Mevrouw Jansen").exists()


def test_anonymous_is_sent_to_sign_in(client: Client, areas: Areas) -> None:
    for url in (NEW, reverse("accounts:assisted"), reverse("accounts:assisted_detail", args=[1])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


# --- take-over --------------------------------------------------------------------------------


@pytest.fixture
def resident(areas: Areas, professional: User) -> User:
    return services.register_assisted(
        professional=professional,
        display_name="Mevrouw Jansen",
        home_neighbourhood=areas.bu,
        consent_given=True,
        consent_method="in_person",
    )


def _code_from_page(client: Client, resident: User) -> str:
    response = client.post(reverse("accounts:takeover_code", args=[resident.pk]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.content.decode()
    start = body.index('class="takeover-code"><strong>') + len('class="takeover-code"><strong>')
    return body[start : body.index("</strong>", start)]


def test_take_over_with_the_right_code_works_once(
    client: Client, resident: User, professional: User
) -> None:
    client.force_login(professional)
    code = _code_from_page(client, resident)
    resident.refresh_from_db()
    assert len(code) == 14 and code.count("-") == 2
    assert resident.takeover_code and code.replace("-", "") not in resident.takeover_code
    # The detail page does not show the code again.
    detail = client.get(reverse("accounts:assisted_detail", args=[resident.pk])).content.decode()
    assert code not in detail

    visitor = Client()
    response = visitor.post(
        reverse("accounts:takeover"),
        {
            "code": code.lower().replace("-", " "),
            "email": "Jansen@Example.org",
            "password": "Zomer-2024!x",
        },
    )
    assert response.status_code == 302
    assert visitor.session["_auth_user_id"] == str(resident.pk)
    resident.refresh_from_db()
    assert resident.email == "jansen@example.org"
    assert resident.check_password("Zomer-2024!x")
    assert resident.assisted_by is None  # the professional no longer manages it
    assert resident.takeover_code == ""
    assert services.current_consents(resident)["assisted_account"].given is False  # type: ignore[union-attr]
    takeover = AuditEvent.objects.get(action="accounts.takeover", result="ok")
    assert takeover.detail == {"assisted_by": professional.pk}  # history kept in the log
    # The professional lost access.
    assert client.get(reverse("accounts:assisted_detail", args=[resident.pk])).status_code == 403

    again = Client().post(
        reverse("accounts:takeover"),
        {"code": code, "email": "ander@example.org", "password": "Zomer-2024!x"},
    )
    assert again.status_code == 200
    assert "klopt niet" in again.content.decode()
    resident.refresh_from_db()
    assert resident.email == "jansen@example.org"


def test_take_over_with_a_wrong_code_fails(resident: User, professional: User) -> None:
    code = services.create_takeover_code(resident, actor=professional)
    wrong = ("B" if code[0] != "B" else "C") + code[1:]
    with pytest.raises(ValidationError) as info:
        services.take_over(code=wrong, email="jansen@example.org", password="Zomer-2024!x")
    assert "code" in info.value.error_dict
    resident.refresh_from_db()
    assert resident.email is None and resident.assisted_by == professional
    assert AuditEvent.objects.filter(action="accounts.takeover", result="failed").exists()


def test_a_new_code_replaces_the_old_one(resident: User, professional: User) -> None:
    old = services.create_takeover_code(resident, actor=professional)
    new = services.create_takeover_code(resident, actor=professional)
    with pytest.raises(ValidationError):
        services.take_over(code=old, email="jansen@example.org", password="Zomer-2024!x")
    services.take_over(code=new, email="jansen@example.org", password="Zomer-2024!x")


def test_expired_code_fails(resident: User, professional: User) -> None:
    from django.utils import timezone

    code = services.create_takeover_code(resident, actor=professional)
    User.objects.filter(pk=resident.pk).update(takeover_code_expires=timezone.now())
    with pytest.raises(ValidationError):
        services.take_over(code=code, email="jansen@example.org", password="Zomer-2024!x")


@pytest.mark.parametrize(
    ("email", "password", "field"),
    [
        ("bestaat@example.org", "Zomer-2024!x", "email"),
        ("geen-adres", "Zomer-2024!x", "email"),
        ("jansen@example.org", "kort", "password"),
    ],
)
def test_take_over_with_bad_email_or_password_keeps_the_code(
    resident: User,
    professional: User,
    make_user: Callable[..., User],
    email: str,
    password: str,
    field: str,
) -> None:
    make_user("bestaat@example.org")
    code = services.create_takeover_code(resident, actor=professional)
    with pytest.raises(ValidationError) as info:
        services.take_over(code=code, email=email, password=password)
    assert field in info.value.error_dict
    resident.refresh_from_db()
    assert resident.email is None
    # The code still works afterwards.
    services.take_over(code=code, email="jansen@example.org", password="Zomer-2024!x")


def test_only_the_assisting_professional_makes_codes(
    client: Client,
    resident: User,
    areas: Areas,
    make_user: Callable[..., User],
    organisation: Organisation,
) -> None:
    colleague = make_user()
    services.grant_role(colleague, areas.gm, Role.PROFESSIONAL, organisation=organisation)
    client.force_login(colleague)
    assert client.post(reverse("accounts:takeover_code", args=[resident.pk])).status_code == 403
    assert client.get(reverse("accounts:assisted_detail", args=[resident.pk])).status_code == 403
    resident.refresh_from_db()
    assert resident.takeover_code == ""
    assert client.get(reverse("accounts:takeover_code", args=[resident.pk])).status_code == 405


def test_take_over_page_is_rate_limited(client: Client, areas: Areas, login_rate: str) -> None:
    data = {"code": "AAAA-BBBB-CCCC", "email": "x@example.org", "password": "Zomer-2024!x"}
    for _n in range(3):
        assert client.post(reverse("accounts:takeover"), data).status_code == 200
    assert client.post(reverse("accounts:takeover"), data).status_code == 429


def test_professional_edits_and_deletes_an_assisted_account(
    client: Client, resident: User, professional: User, areas: Areas
) -> None:
    client.force_login(professional)
    edit = reverse("accounts:assisted_edit", args=[resident.pk])
    assert client.get(edit).status_code == 200
    response = client.post(
        edit,
        {
            "display_name": "Mevr. Jansen",
            "home_neighbourhood": areas.bu2.code,
            "languages": "",
            "phone": "0101234567",
        },
    )
    assert response.status_code == 302
    resident.refresh_from_db()
    assert (resident.display_name, resident.home_neighbourhood, resident.phone) == (
        "Mevr. Jansen",
        areas.bu2,
        "0101234567",
    )
    # Only neighbourhoods where the professional works can be chosen.
    client.post(edit, {"display_name": "X", "home_neighbourhood": areas.other_bu.code})
    resident.refresh_from_db()
    assert resident.home_neighbourhood == areas.bu2

    delete = reverse("accounts:assisted_delete", args=[resident.pk])
    assert client.post(delete, {"confirm": "nee"}).status_code == 200
    assert User.objects.filter(pk=resident.pk).exists()
    assert client.post(delete, {"confirm": "VERWIJDER"}).status_code == 302
    assert not User.objects.filter(pk=resident.pk).exists()
    assert User.objects.filter(pk=professional.pk).exists()
    event = AuditEvent.objects.get(action="accounts.delete_account")
    assert event.actor == professional and event.object_id == str(resident.pk)


def test_others_cannot_edit_or_delete_an_assisted_account(
    client: Client, resident: User, make_user: Callable[..., User]
) -> None:
    client.force_login(make_user())
    for name in ("assisted_edit", "assisted_delete"):
        url = reverse(f"accounts:{name}", args=[resident.pk])
        assert client.get(url).status_code == 403
        assert client.post(url, {"confirm": "VERWIJDER", "display_name": "X"}).status_code == 403
    resident.refresh_from_db()
    assert resident.display_name == "Mevrouw Jansen"
