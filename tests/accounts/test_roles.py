"""Giving and ending roles per area on the role management page: only administrators of the
area, always through the services (audit-logged), without JavaScript (plain forms); the Django
admin cannot change roles behind the log's back."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse

from buurtbasis.accounts.models import Membership, Organisation, Role, User
from buurtbasis.areas.models import Area
from buurtbasis.core.models import AuditEvent

from .conftest import Areas


def _admin_of(area: Area, make_user: Callable[..., User]) -> User:
    from buurtbasis.accounts import services

    admin_user = make_user(display_name="Beheerder")
    services.grant_role(admin_user, area, Role.ADMINISTRATOR)
    return admin_user


def test_administrator_gives_and_ends_a_role(
    client: Client, areas: Areas, make_user: Callable[..., User]
) -> None:
    boss = _admin_of(areas.gm, make_user)
    person = make_user("ambtenaar@example.org", display_name="Ada Ambtenaar")
    client.force_login(boss)
    assert areas.gm.name in client.get(reverse("accounts:roles")).content.decode()
    url = reverse("accounts:roles_area", args=[areas.wk.code])

    page = client.get(url)
    assert page.status_code == 200 and "<form" in page.content.decode()
    response = client.post(url, {"email": "AMBTENAAR@example.org", "role": "civil_servant"})
    assert response.status_code == 302
    membership = Membership.objects.get(user=person, area=areas.wk, role="civil_servant")
    event = AuditEvent.objects.get(action="accounts.grant_role", detail__role="civil_servant")
    assert event.actor == boss and event.detail["area"] == areas.wk.code
    assert "Ada Ambtenaar" in client.get(url).content.decode()

    end = reverse("accounts:role_end", args=[areas.wk.code, membership.pk])
    assert client.get(end).status_code == 405  # a change is always a POST
    assert client.post(end).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert AuditEvent.objects.get(action="accounts.revoke_role").actor == boss


def test_bad_input_changes_nothing_and_says_why(
    client: Client, areas: Areas, make_user: Callable[..., User]
) -> None:
    boss = _admin_of(areas.gm, make_user)
    make_user("pro@example.org")
    client.force_login(boss)
    url = reverse("accounts:roles_area", args=[areas.bu.code])
    before = Membership.objects.count()

    unknown = client.post(url, {"email": "niemand@example.org", "role": "resident"})
    assert unknown.status_code == 200
    assert "Er is geen account met dit e-mailadres" in unknown.content.decode()
    no_org = client.post(url, {"email": "pro@example.org", "role": "professional"})
    assert "werkt altijd voor een organisatie" in no_org.content.decode()
    bad_role = client.post(url, {"email": "pro@example.org", "role": "burgemeester"})
    assert bad_role.status_code == 200
    assert Membership.objects.count() == before

    own = Membership.objects.get(user=boss, role="administrator")
    own_end = reverse("accounts:role_end", args=[areas.gm.code, own.pk])
    page = client.get(reverse("accounts:roles_area", args=[areas.gm.code])).content.decode()
    assert own_end not in page  # no button that can only be refused
    assert "Uw eigen rol" in page
    client.post(own_end)
    assert Membership.objects.filter(pk=own.pk).exists()


def test_only_administrators_of_the_area_manage_roles(
    client: Client, areas: Areas, make_user: Callable[..., User]
) -> None:
    from buurtbasis.accounts import services

    local_admin = _admin_of(areas.other_gm, make_user)
    civil_servant = make_user()
    services.grant_role(civil_servant, areas.gm, Role.CIVIL_SERVANT)
    resident = make_user(home_neighbourhood=areas.bu)
    membership = Membership.objects.get(user=resident, area=areas.bu)
    url = reverse("accounts:roles_area", args=[areas.bu.code])
    end = reverse("accounts:role_end", args=[areas.bu.code, membership.pk])
    for outsider in (local_admin, civil_servant, resident):
        client.force_login(outsider)
        assert client.get(url).status_code == 403
        assert client.post(url, {"email": resident.email, "role": "funder"}).status_code == 403
        assert client.post(end).status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()
    assert client.get(reverse("accounts:roles")).status_code == 403
    assert AuditEvent.objects.filter(action="accounts.revoke_role", result="denied").exists()
    client.logout()
    assert client.get(url).status_code == 302  # to the sign-in page


def test_django_admin_cannot_change_roles() -> None:
    model_admin = admin.site._registry[Membership]
    request = RequestFactory().get("/")
    request.user = User(is_superuser=True, is_staff=True, is_active=True)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_role_page_queries_do_not_grow_with_members(
    client: Client, areas: Areas, make_user: Callable[..., User], organisation: Organisation
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from buurtbasis.accounts import services

    boss = _admin_of(areas.gm, make_user)
    client.force_login(boss)
    url = reverse("accounts:roles_area", args=[areas.wk.code])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    services.grant_role(make_user(), areas.wk, Role.PROFESSIONAL, organisation=organisation)
    few = count()
    for _n in range(8):
        services.grant_role(make_user(), areas.wk, Role.PROFESSIONAL, organisation=organisation)
    assert count() == few
