"""Signing up: few required fields, bad input creates nothing, no leak of existing accounts."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from buurtbasis.accounts import services
from buurtbasis.accounts.models import Membership, Role, User
from buurtbasis.core.models import AuditEvent

from .conftest import Areas

REGISTER = reverse("accounts:register")


def _post(client: Client, **data: Any) -> Any:
    base = {"email": "nieuw@example.org", "display_name": "Nieuw", "home_neighbourhood": ""}
    return client.post(REGISTER, {**base, **data})


def test_sign_up_with_only_email_and_name(client: Client, areas: Areas) -> None:
    response = _post(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:register_done")
    user = User.objects.get(email="nieuw@example.org")
    assert user.display_name == "Nieuw"
    assert not user.has_usable_password()
    assert user.memberships.count() == 0
    assert len(mail.outbox) == 1 and "sesame=" in mail.outbox[0].body
    # Not signed in yet: the same page appears whether or not the address was new.
    assert client.session.get("_auth_user_id") is None


def test_sign_up_with_neighbourhood_and_password_makes_a_resident(
    client: Client, areas: Areas
) -> None:
    response = _post(
        client,
        email="Bewoner@Example.org",
        home_neighbourhood=areas.bu.code,
        password="Haven-2024!",
    )
    assert response.status_code == 302
    user = User.objects.get(email="bewoner@example.org")
    assert user.check_password("Haven-2024!")
    assert list(user.memberships.values_list("area__code", "role")) == [
        (areas.bu.code, Role.RESIDENT)
    ]
    login = client.post(
        reverse("accounts:login"), {"email": "bewoner@example.org", "password": "Haven-2024!"}
    )
    assert login.status_code == 302


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email": ""}, "email"),
        ({"email": "geen-e-mail"}, "email"),
        ({"display_name": ""}, "display_name"),
        ({"display_name": "   "}, "display_name"),
        ({"display_name": "x" * 101}, "display_name"),
        ({"password": "kort"}, "password"),
        ({"password": "12345678901"}, "password"),
        ({"password": "wachtwoord"}, "password"),
        ({"home_neighbourhood": "BU00000000"}, "home_neighbourhood"),
        ({"home_neighbourhood": "WK990101"}, "home_neighbourhood"),  # a district, not a buurt
    ],
)
def test_bad_input_creates_nothing(
    client: Client, areas: Areas, data: dict[str, str], field: str
) -> None:
    users, memberships, events = (
        User.objects.count(),
        Membership.objects.count(),
        AuditEvent.objects.count(),
    )
    response = _post(client, **data)
    assert response.status_code == 200
    assert f'id="id_{field}_error"' in response.content.decode()
    assert User.objects.count() == users
    assert Membership.objects.count() == memberships
    assert AuditEvent.objects.count() == events
    assert mail.outbox == []


def test_existing_address_gets_the_same_page_and_a_mail(
    client: Client, make_user: Callable[..., User], areas: Areas
) -> None:
    existing = make_user("bestaat@example.org", display_name="Oud")
    new_response = _post(client, email="nieuw@example.org")
    old_response = _post(client, email="BESTAAT@example.org", display_name="Indringer")
    assert new_response.status_code == old_response.status_code == 302
    assert new_response["Location"] == old_response["Location"]
    existing.refresh_from_db()
    assert existing.display_name == "Oud"  # nothing about the account changed
    assert User.objects.filter(email__iexact="bestaat@example.org").count() == 1
    assert [m.to for m in mail.outbox] == [["nieuw@example.org"], ["bestaat@example.org"]]
    assert "al een account" in mail.outbox[1].body


def test_sign_up_is_rate_limited_by_ip(client: Client, areas: Areas, login_rate: str) -> None:
    for n in range(3):
        assert _post(client, email=f"p{n}@example.org").status_code == 302
    assert _post(client, email="p9@example.org").status_code == 429
    assert not User.objects.filter(email="p9@example.org").exists()


def test_neighbourhood_select_is_grouped_by_municipality_and_district(
    client: Client, areas: Areas
) -> None:
    body = client.get(REGISTER).content.decode()
    assert '<optgroup label="Testgemeente — Noord">' in body
    assert f'<option value="{areas.bu.code}">Oude Haven</option>' in body
    assert "WK990101" not in re.sub(r"<optgroup[^>]*>", "", body)


def test_many_neighbourhoods_give_a_code_field(
    client: Client, areas: Areas, monkeypatch: pytest.MonkeyPatch
) -> None:
    from buurtbasis.accounts import forms

    monkeypatch.setattr(forms, "NEIGHBOURHOOD_SELECT_MAX", 1)
    body = client.get(REGISTER).content.decode()
    assert '<input type="text" name="home_neighbourhood"' in body
    response = _post(client, home_neighbourhood=areas.bu2.code.lower())
    assert response.status_code == 302
    assert User.objects.get(email="nieuw@example.org").home_neighbourhood == areas.bu2


# --- the service itself -----------------------------------------------------------------------


def test_register_user_service_validates(areas: Areas) -> None:
    with pytest.raises(ValidationError) as info:
        services.register_user(email="x@example.org", display_name="X", home_neighbourhood=areas.gm)
    assert "home_neighbourhood" in info.value.error_dict
    services.register_user(email="x@example.org", display_name="X")
    with pytest.raises(ValidationError) as info:
        services.register_user(email=" X@EXAMPLE.ORG ", display_name="Y")
    assert info.value.error_dict["email"][0].code == "unique"
    assert User.objects.count() == 1


def test_register_user_without_email(areas: Areas) -> None:
    one = services.register_user(email=None, display_name="Zonder mail")
    two = services.register_user(email="", display_name="Ook zonder")
    assert one.email is None and two.email is None
    assert not one.has_usable_password()


def test_register_user_writes_no_email_to_the_audit_log(areas: Areas) -> None:
    user = services.register_user(email="geheim@example.org", display_name="G")
    event = AuditEvent.objects.get(action="accounts.register")
    assert event.actor_label == f"user:{user.pk}"
    assert "geheim" not in str(event.detail)


def test_after_sign_up_a_new_person_is_asked_what_they_can_offer(
    client: Client, areas: Areas
) -> None:
    """Apps register the first steps for new people (``core.next_steps``); mutual help asks
    what you can offer. The sign-up page points there and the very first sign-in leads there."""
    from buurtbasis.core import next_steps

    offer = reverse("mutualhelp:profile") + "?welkom=1"
    assert next_steps.first_url() == offer

    done = client.get(_post(client, password="Haven-2024!")["Location"])
    assert f'href="{offer}"' in done.content.decode().replace("&amp;", "&")

    # First sign-in by the link in the welcome mail: to the offer page.
    link = re.search(r"http://testserver(\S+)", mail.outbox[0].body)
    assert link is not None
    token = link.group(1).split("sesame=")[1]
    first = client.post(reverse("accounts:link_login"), {"sesame": token})
    assert first["Location"] == offer
    assert client.get(offer).status_code == 200

    # Later sign-ins go where they always went.
    client.logout()
    again = client.post(
        reverse("accounts:login"), {"email": "nieuw@example.org", "password": "Haven-2024!"}
    )
    assert again["Location"] != offer


def test_first_sign_in_with_a_password_also_asks_but_an_asked_for_page_wins(
    client: Client, areas: Areas
) -> None:
    services.register_user(email="eerst@example.org", display_name="Eerst", password="Haven-2024!")
    login = reverse("accounts:login")
    asked = client.post(
        login, {"email": "eerst@example.org", "password": "Haven-2024!", "next": "/gebieden/"}
    )
    assert asked["Location"] == "/gebieden/"
    services.register_user(email="twee@example.org", display_name="Twee", password="Haven-2024!")
    client.logout()
    first = client.post(login, {"email": "twee@example.org", "password": "Haven-2024!"})
    assert first["Location"] == reverse("mutualhelp:profile") + "?welkom=1"
