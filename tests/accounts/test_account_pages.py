"""My account: profile, password, consents (append-only), download my data, delete my account,
and the audit log for administrators."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from buurtbasis.accounts import services
from buurtbasis.accounts.models import Consent, Membership, Organisation, Role, User
from buurtbasis.core import audit
from buurtbasis.core.models import AuditEvent

from .conftest import PASSWORD, Areas

SELF_PAGES = ["profile", "password", "consents", "my_data", "delete"]


@pytest.mark.parametrize("name", [*SELF_PAGES, "audit"])
def test_anonymous_is_sent_to_sign_in(client: Client, name: str) -> None:
    for method in (client.get, client.post):
        response = method(reverse(f"accounts:{name}"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login") + "?next=")


@pytest.mark.parametrize("name", SELF_PAGES)
def test_own_pages_render(client: Client, make_user: Callable[..., User], name: str) -> None:
    client.force_login(make_user())
    response = client.get(reverse(f"accounts:{name}"))
    assert response.status_code == 200
    assert b"<h1>" in response.content


def test_profile_shows_roles_and_consents_and_saves(
    client: Client, areas: Areas, make_user: Callable[..., User], organisation: Organisation
) -> None:
    user = make_user(home_neighbourhood=areas.bu)
    services.grant_role(user, areas.gm, Role.PROFESSIONAL, organisation=organisation)
    services.record_consent(user, "profile_visible", True, method="online", actor=user)
    client.force_login(user)
    body = client.get(reverse("accounts:profile")).content.decode()
    assert "Oude Haven" in body and "Testgemeente" in body
    assert organisation.name in body
    assert "naam zichtbaar voor buurtgenoten" in body

    response = client.post(
        reverse("accounts:profile"),
        {
            "display_name": "Anna B.",
            "home_neighbourhood": areas.bu2.code,
            "languages": "Nederlands, Pools",
            "phone": "010-1234567",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.display_name, user.home_neighbourhood, user.languages, user.phone) == (
        "Anna B.",
        areas.bu2,
        "Nederlands, Pools",
        "010-1234567",
    )
    # Moving: resident of the new neighbourhood, no longer of the old one.
    residents = set(user.memberships.filter(role="resident").values_list("area", flat=True))
    assert residents == {areas.bu2.pk}
    event = AuditEvent.objects.get(action="accounts.change_profile")
    assert event.detail == {"fields": ["display_name", "home_neighbourhood", "languages", "phone"]}
    assert "Pools" not in str(event.detail)


def test_profile_with_bad_input_changes_nothing(
    client: Client, areas: Areas, make_user: Callable[..., User]
) -> None:
    user = make_user(display_name="Anna")
    client.force_login(user)
    response = client.post(
        reverse("accounts:profile"),
        {"display_name": "", "home_neighbourhood": areas.bu.code, "phone": "0" * 31},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="id_display_name_error"' in body and 'id="id_phone_error"' in body
    user.refresh_from_db()
    assert user.display_name == "Anna" and user.home_neighbourhood is None
    assert not Membership.objects.filter(user=user).exists()


def test_set_password_keeps_the_session(client: Client, make_user: Callable[..., User]) -> None:
    user = make_user(password=None)
    client.force_login(user)
    response = client.post(reverse("accounts:password"), {"password": "Nieuw-genoeg-99"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Nieuw-genoeg-99")
    assert client.get(reverse("accounts:profile")).status_code == 200  # still signed in
    assert client.post(reverse("accounts:password"), {"password": "123"}).status_code == 200


# --- consents ---------------------------------------------------------------------------------


def test_consents_are_appended_never_changed(
    client: Client, make_user: Callable[..., User]
) -> None:
    user = make_user()
    client.force_login(user)
    url = reverse("accounts:consents")
    assert client.post(url, {"purpose": "contact_by_email", "given": "1"}).status_code == 302
    first = Consent.objects.get(user=user)
    assert client.post(url, {"purpose": "contact_by_email", "given": "0"}).status_code == 302
    rows = list(Consent.objects.filter(user=user).order_by("at", "id"))
    assert [(c.given, c.method, c.recorded_by) for c in rows] == [
        (True, "online", user),
        (False, "online", user),
    ]
    assert rows[0].pk == first.pk and rows[0].given is True  # the first row is untouched
    assert services.current_consents(user)["contact_by_email"] == rows[1]
    assert not services.has_consent(user, "contact_by_email")
    actions = list(
        AuditEvent.objects.filter(action__endswith="_consent").values_list("action", flat=True)
    )
    assert sorted(actions) == ["accounts.give_consent", "accounts.withdraw_consent"]
    body = client.get(url).content.decode()
    assert "ingetrokken" in body and "gegeven" in body


def test_consent_rows_cannot_be_edited_or_deleted(make_user: Callable[..., User]) -> None:
    user = make_user()
    consent = services.record_consent(user, "key_person", True, method="online", actor=user)
    consent.given = False
    with pytest.raises(ValueError, match="append-only"):
        consent.save()
    with pytest.raises(ValueError, match="append-only"):
        consent.delete()
    consent.refresh_from_db()
    assert consent.given is True


@pytest.mark.parametrize(
    "data",
    [
        {"purpose": "assisted_account", "given": "0"},  # not self-service
        {"purpose": "made_up", "given": "1"},
        {"purpose": "key_person", "given": "maybe"},
    ],
)
def test_consents_page_refuses_bad_choices(
    client: Client, make_user: Callable[..., User], data: dict[str, str]
) -> None:
    user = make_user()
    client.force_login(user)
    assert client.post(reverse("accounts:consents"), data).status_code == 200
    assert not Consent.objects.filter(user=user).exists()


# --- my data ----------------------------------------------------------------------------------


def test_download_my_data(
    client: Client,
    areas: Areas,
    make_user: Callable[..., User],
    professional: User,
    organisation: Organisation,
) -> None:
    user = make_user("anna@example.org", home_neighbourhood=areas.bu, phone="0611111111")
    services.grant_role(user, areas.gm, Role.FUNDER, actor=professional)
    services.record_consent(user, "key_person", True, method="phone", actor=professional)
    other = make_user("bert@example.org", display_name="Bert")
    services.record_consent(other, "key_person", True, method="online", actor=other)
    client.force_login(user)

    assert client.get(reverse("accounts:my_data")).status_code == 200  # the page, no download
    response = client.post(reverse("accounts:my_data"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)["accounts"]
    assert data["profile"]["email"] == "anna@example.org"
    assert data["profile"]["phone"] == "0611111111"
    assert data["profile"]["home_neighbourhood"] == {
        "code": areas.bu.code,
        "name": "Oude Haven",
    }
    assert sorted((m["area"]["code"], m["role"]) for m in data["memberships"]) == [
        (areas.bu.code, "resident"),
        (areas.gm.code, "funder"),
    ]
    assert [
        (c["purpose"], c["given"], c["method"], c["recorded_by"]) for c in data["consents"]
    ] == [("key_person", True, "phone", "Pro")]
    about_me = {e["action"] for e in data["audit_events_about_me"]}
    assert {"accounts.register", "accounts.give_consent"} <= about_me
    assert all(e["object_id"] == str(user.pk) for e in data["audit_events_about_me"])
    assert "bert@example.org" not in response.content.decode()
    assert "Bert" not in response.content.decode()
    export = AuditEvent.objects.get(action="accounts.export_data")
    assert export.actor == user and export.detail == {"sensitive_read": True}


def test_only_i_can_export_my_data(areas: Areas, make_user: Callable[..., User]) -> None:
    from django.core.exceptions import PermissionDenied

    me, other = make_user(), make_user()
    with pytest.raises(PermissionDenied):
        services.export_user_data(me, actor=other)
    assert AuditEvent.objects.filter(action="accounts.export_data", result="denied").exists()


# --- delete my account ------------------------------------------------------------------------


def test_delete_account_with_password(
    client: Client, areas: Areas, make_user: Callable[..., User]
) -> None:
    user = make_user("weg@example.org", home_neighbourhood=areas.bu)
    services.record_consent(user, "key_person", True, method="online", actor=user)
    pk = user.pk
    client.force_login(user)
    wrong = client.post(reverse("accounts:delete"), {"password": "fout"})
    assert wrong.status_code == 200 and User.objects.filter(pk=pk).exists()

    response = client.post(reverse("accounts:delete"), {"password": PASSWORD})
    assert response.status_code == 302
    assert not User.objects.filter(pk=pk).exists()
    assert not Membership.objects.filter(user_id=pk).exists()
    assert not Consent.objects.filter(user_id=pk).exists()
    assert client.session.get("_auth_user_id") is None
    events = AuditEvent.objects.filter(object_id=str(pk)) | AuditEvent.objects.filter(
        actor_label=f"user:{pk}"
    )
    assert events.filter(action="accounts.delete_account").exists()
    assert all(e.actor_id is None for e in events)
    for event in AuditEvent.objects.all():
        assert "weg@example.org" not in f"{event.actor_label} {event.detail} {event.origin}"


def test_delete_account_without_password_needs_the_typed_word(
    client: Client, make_user: Callable[..., User]
) -> None:
    user = make_user(password=None)
    client.force_login(user)
    assert client.post(reverse("accounts:delete"), {"confirm": "ja"}).status_code == 200
    assert User.objects.filter(pk=user.pk).exists()
    assert client.post(reverse("accounts:delete"), {"confirm": "verwijder"}).status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()


# --- audit log page ---------------------------------------------------------------------------


def test_audit_page_is_for_administrators_only(
    client: Client, areas: Areas, make_user: Callable[..., User], professional: User
) -> None:
    client.force_login(professional)
    assert client.get(reverse("accounts:audit")).status_code == 403
    admin = make_user()
    services.grant_role(admin, areas.gm, Role.ADMINISTRATOR)
    client.force_login(admin)
    assert client.get(reverse("accounts:audit")).status_code == 200


def test_audit_page_filters_and_paginates(
    client: Client, areas: Areas, make_user: Callable[..., User]
) -> None:
    admin = make_user(display_name="Beheerder")
    services.grant_role(admin, areas.gm, Role.ADMINISTRATOR)
    for n in range(60):
        audit.record(admin, "test.bulk", None, n=n)
    gone = make_user("weg@example.org")
    audit.record(gone, "test.gone", None)
    gone.delete()
    client.force_login(admin)
    url = reverse("accounts:audit")

    first = client.get(url, {"action": "test.bulk"}).content.decode()
    assert "60 regels" in first and "Pagina 1 van 2" in first
    assert first.count("<td>test.bulk</td>") == 50
    second = client.get(url, {"action": "test.bulk", "pagina": 2}).content.decode()
    assert second.count("<td>test.bulk</td>") == 10

    body = client.get(url, {"action": "test.gone"}).content.decode()
    assert "verwijderd account" in body and "weg@example.org" not in body
    assert client.get(url, {"action": "bestaat-niet"}).status_code == 200
    assert AuditEvent.objects.filter(action="accounts.view_audit", actor=admin).exists()


def test_delete_hands_kept_records_to_a_nameless_stand_in(
    client: Client, areas: Areas, make_user: Callable[..., User]
) -> None:
    """Some records must be kept (e.g. a residents' group in the budgets app protects its
    contact person). The person is deleted all the same; the record is handed to an inactive
    stand-in without e-mail, name or password."""
    from django.apps import apps

    try:
        resident_group = apps.get_model("budgets", "ResidentGroup")
    except LookupError:
        pytest.skip("budgets app without ResidentGroup")
    user = make_user("contact@example.org")
    group = resident_group.objects.create(district=areas.wk, name="Groep Noord", contact=user)
    client.force_login(user)
    response = client.post(reverse("accounts:delete"), {"password": PASSWORD})
    assert response.status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()
    stand_in = resident_group.objects.get(pk=group.pk).contact
    assert (stand_in.email, stand_in.display_name, stand_in.is_active) == (
        None,
        services.DELETED_NAME,
        False,
    )
    event = AuditEvent.objects.get(action="accounts.delete_account")
    assert event.result == "ok"
    assert event.detail == {"kept": ["budgets.residentgroup"], "stand_in": stand_in.pk}
