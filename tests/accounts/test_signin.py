"""Signing in: password (with rate limit), one-time e-mail link, signing out."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from buurtbasis.accounts.models import User
from buurtbasis.core.models import AuditEvent

from .conftest import PASSWORD

LOGIN = reverse("accounts:login")


def _signed_in_as(client: Client) -> int | None:
    pk = client.session.get("_auth_user_id")
    return int(pk) if pk is not None else None


def test_password_sign_in_works(client: Client, make_user: Callable[..., User]) -> None:
    user = make_user("anna@example.org")
    # Not the first sign-in (that one leads to the next steps, see test_register.py).
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    response = client.post(LOGIN, {"email": "Anna@Example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert _signed_in_as(client) == user.pk
    assert AuditEvent.objects.filter(action="accounts.login", actor=user, result="ok").exists()


def test_password_sign_in_follows_a_safe_next_url_only(
    client: Client, make_user: Callable[..., User]
) -> None:
    make_user("anna@example.org")
    response = client.post(
        LOGIN, {"email": "anna@example.org", "password": PASSWORD, "next": "/account/profiel/"}
    )
    assert response["Location"] == "/account/profiel/"
    client.logout()
    response = client.post(
        LOGIN,
        {"email": "anna@example.org", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("core:home")


def test_wrong_password_and_unknown_email_get_the_same_answer(
    client: Client, make_user: Callable[..., User]
) -> None:
    make_user("anna@example.org")
    wrong = client.post(LOGIN, {"email": "anna@example.org", "password": "niet-goed-123"})
    unknown = client.post(LOGIN, {"email": "nobody@example.org", "password": "niet-goed-123"})
    assert wrong.status_code == unknown.status_code == 200
    assert _signed_in_as(client) is None
    message = "Dit e-mailadres en wachtwoord horen niet bij elkaar"
    assert message in wrong.content.decode()
    assert message in unknown.content.decode()
    # The answer does not differ apart from the echoed address (and per-request tokens).
    assert _normalised(wrong.content.decode(), "anna@example.org") == _normalised(
        unknown.content.decode(), "nobody@example.org"
    )


def _normalised(html: str, email: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    html = re.sub(r'nonce="[^"]*"', "", html)
    return html.replace(email, "X")


def test_inactive_account_cannot_sign_in(client: Client, make_user: Callable[..., User]) -> None:
    user = make_user("anna@example.org")
    user.is_active = False
    user.save()
    client.post(LOGIN, {"email": "anna@example.org", "password": PASSWORD})
    assert _signed_in_as(client) is None


def test_rate_limit_by_email_kicks_in(
    client: Client, make_user: Callable[..., User], login_rate: str
) -> None:
    make_user("anna@example.org")
    for n in range(3):
        response = client.post(
            LOGIN,
            {"email": "anna@example.org", "password": "fout"},
            REMOTE_ADDR=f"10.0.0.{n + 1}",  # a different address each time
        )
        assert response.status_code == 200
    response = client.post(
        LOGIN, {"email": "ANNA@example.org", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9"
    )
    assert response.status_code == 429
    assert "te vaak" in response.content.decode()
    assert _signed_in_as(client) is None  # even the right password waits


def test_rate_limit_by_ip_kicks_in(
    client: Client, make_user: Callable[..., User], login_rate: str
) -> None:
    make_user("anna@example.org")
    for n in range(3):
        response = client.post(LOGIN, {"email": f"guess{n}@example.org", "password": "x"})
        assert response.status_code == 200
    response = client.post(LOGIN, {"email": "anna@example.org", "password": PASSWORD})
    assert response.status_code == 429
    # Another address is not affected.
    response = client.post(
        LOGIN, {"email": "anna@example.org", "password": PASSWORD}, REMOTE_ADDR="10.9.9.9"
    )
    assert response.status_code == 302


def test_sign_out_needs_post(client: Client, make_user: Callable[..., User]) -> None:
    user = make_user("anna@example.org")
    client.force_login(user)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert _signed_in_as(client) == user.pk
    client.post(reverse("accounts:logout"))
    assert _signed_in_as(client) is None


def test_login_page_renders(client: Client) -> None:
    response = client.get(LOGIN)
    assert response.status_code == 200
    body = response.content.decode()
    assert '<label for="id_email"' in body
    assert "csrfmiddlewaretoken" in body


def test_errors_are_linked_to_their_field(client: Client) -> None:
    response = client.post(LOGIN, {"email": "geen-adres", "password": ""})
    body = response.content.decode()
    assert '<ul class="errorlist error" id="id_email_error">' in body
    assert re.search(r'<input[^>]*aria-describedby="id_email_error"[^>]*id="id_email"', body) or (
        re.search(r'<input[^>]*id="id_email"[^>]*aria-describedby="id_email_error"', body)
    )
    assert 'aria-invalid="true"' in body


# --- one-time e-mail link ---------------------------------------------------------------------


def _request_link(client: Client, email: str) -> Any:
    return client.post(reverse("accounts:link_request"), {"email": email})


def _link_from_mail() -> str:
    match = re.search(r"https?://\S+", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(0)


def test_link_request_answers_the_same_for_unknown_addresses(
    client: Client, make_user: Callable[..., User]
) -> None:
    make_user("anna@example.org")
    known = _request_link(client, "anna@example.org")
    unknown = _request_link(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("accounts:link_sent")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["anna@example.org"]
    # The audit log does not keep the address that was typed.
    assert not AuditEvent.objects.filter(detail__icontains="nobody").exists()


def test_link_signs_in_once(client: Client, make_user: Callable[..., User]) -> None:
    user = make_user("anna@example.org")
    _request_link(client, "anna@example.org")
    link = _link_from_mail()
    token = link.split("sesame=")[1]

    # Opening the link (as a mail scanner would) does not use it up.
    page = client.get(link)
    assert page.status_code == 200
    assert _signed_in_as(client) is None

    response = client.post(reverse("accounts:link_login"), {"sesame": token})
    assert response.status_code == 302
    assert _signed_in_as(client) == user.pk

    other = Client()
    again = other.post(reverse("accounts:link_login"), {"sesame": token})
    assert again.status_code == 400
    assert other.session.get("_auth_user_id") is None
    assert other.get(link).status_code == 400


def test_expired_link_fails(
    client: Client, make_user: Callable[..., User], settings: Any, reload_sesame: Any
) -> None:
    make_user("anna@example.org")
    settings.SESAME_MAX_AGE = 1
    reload_sesame()
    _request_link(client, "anna@example.org")
    token = _link_from_mail().split("sesame=")[1]
    time.sleep(2.1)
    response = client.post(reverse("accounts:link_login"), {"sesame": token})
    assert response.status_code == 400
    assert _signed_in_as(client) is None


def test_tampered_link_fails(client: Client, make_user: Callable[..., User]) -> None:
    make_user("anna@example.org")
    _request_link(client, "anna@example.org")
    token = _link_from_mail().split("sesame=")[1]
    bad = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.post(reverse("accounts:link_login"), {"sesame": bad}).status_code == 400
    assert client.post(reverse("accounts:link_login"), {"sesame": ""}).status_code == 400
    # Opening the page without a link leads to the page that asks for one.
    response = client.get(reverse("accounts:link_login"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:link_request")


def test_link_request_is_rate_limited(
    client: Client, make_user: Callable[..., User], login_rate: str
) -> None:
    make_user("anna@example.org")
    for n in range(3):
        response = client.post(
            reverse("accounts:link_request"),
            {"email": "anna@example.org"},
            REMOTE_ADDR=f"10.0.1.{n}",
        )
        assert response.status_code == 302
    response = client.post(
        reverse("accounts:link_request"), {"email": "anna@example.org"}, REMOTE_ADDR="10.0.1.9"
    )
    assert response.status_code == 429
    assert len(mail.outbox) == 3


def test_link_for_inactive_account_is_not_sent(
    client: Client, make_user: Callable[..., User]
) -> None:
    user = make_user("anna@example.org")
    user.is_active = False
    user.save()
    assert _request_link(client, "anna@example.org").status_code == 302
    assert mail.outbox == []


@pytest.mark.parametrize("name", ["link_request", "link_sent", "register", "takeover"])
def test_public_pages_render(client: Client, db: Any, name: str) -> None:
    assert client.get(reverse(f"accounts:{name}")).status_code == 200
