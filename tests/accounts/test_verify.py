"""Confirming where a resident lives: a resident role chosen at sign-up is self-declared until
a professional or civil servant of that area (or an administrator) confirms it, through the
service (audit-logged) or the page (a plain form, no JavaScript)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from buurtbasis.accounts import services
from buurtbasis.accounts.models import Consent, Membership, Organisation, Role, User
from buurtbasis.core.models import AuditEvent

from .conftest import Areas

PAGE = reverse("accounts:verify_residents")


def _home(user: User) -> Membership:
    return Membership.objects.get(user=user, role=Role.RESIDENT)


def test_a_new_resident_is_not_verified_until_a_professional_of_the_area_says_so(
    areas: Areas, make_user: Callable[..., User], professional: User
) -> None:
    resident = make_user(home_neighbourhood=areas.bu)
    membership = _home(resident)
    assert membership.verified_at is None and not membership.is_verified
    services.verify_resident(membership, actor=professional)
    membership.refresh_from_db()
    assert membership.verified_at is not None and membership.verified_by == professional
    event = AuditEvent.objects.get(action="accounts.verify_resident", result="ok")
    assert event.actor == professional and event.detail["user"] == resident.pk
    assert services.is_verified_resident(resident, areas.bu)
    # Again: nothing changes, no second event.
    services.verify_resident(membership, actor=professional)
    assert AuditEvent.objects.filter(action="accounts.verify_resident").count() == 1


def test_civil_servants_and_administrators_verify_too(
    areas: Areas, make_user: Callable[..., User]
) -> None:
    civil_servant = make_user()
    services.grant_role(civil_servant, areas.gm, Role.CIVIL_SERVANT)
    admin = make_user()
    services.grant_role(admin, areas.gm, Role.ADMINISTRATOR)
    first, second = make_user(home_neighbourhood=areas.bu), make_user(home_neighbourhood=areas.bu2)
    services.verify_resident(_home(first), actor=civil_servant)
    services.verify_resident(_home(second), actor=admin)
    assert _home(first).verified_by == civil_servant and _home(second).verified_by == admin


def test_others_cannot_verify_and_nothing_changes(
    areas: Areas,
    make_user: Callable[..., User],
    organisation: Organisation,
    professional: User,
) -> None:
    resident = make_user(home_neighbourhood=areas.bu)
    neighbour = make_user(home_neighbourhood=areas.bu2)
    elsewhere = make_user()
    services.grant_role(elsewhere, areas.other_wk, Role.PROFESSIONAL, organisation=organisation)
    funder = make_user()
    services.grant_role(funder, areas.gm, Role.FUNDER, organisation=organisation)
    for actor in (neighbour, elsewhere, funder):
        with pytest.raises(PermissionDenied):
            services.verify_resident(_home(resident), actor=actor)
    # Not even oneself, not even as a professional living in the area.
    services.grant_role(resident, areas.wk, Role.PROFESSIONAL, organisation=organisation)
    with pytest.raises(PermissionDenied, match="eigen woonbuurt"):
        services.verify_resident(_home(resident), actor=resident)
    with pytest.raises(ValidationError):
        services.verify_resident(
            Membership.objects.get(user=professional, role=Role.PROFESSIONAL), actor=professional
        )
    assert _home(resident).verified_at is None
    assert AuditEvent.objects.filter(action="accounts.verify_resident", result="denied").count()


def test_moving_house_needs_a_new_confirmation(
    areas: Areas, make_user: Callable[..., User], professional: User
) -> None:
    resident = make_user(home_neighbourhood=areas.bu)
    services.verify_resident(_home(resident), actor=professional)
    services.update_profile(
        resident, actor=resident, display_name="Verhuisd", home_neighbourhood=areas.bu2
    )
    assert _home(resident).area == areas.bu2 and _home(resident).verified_at is None


def test_an_assisted_account_is_verified_by_the_professional_who_registers_it(
    areas: Areas, professional: User
) -> None:
    resident = services.register_assisted(
        professional=professional,
        display_name="Mevrouw Jansen",
        home_neighbourhood=areas.bu,
        consent_given=True,
        consent_method=Consent.Method.PAPER,
    )
    assert _home(resident).verified_by == professional


def test_the_page_lists_unverified_residents_of_my_area_and_verifies_without_javascript(
    client: Client, areas: Areas, make_user: Callable[..., User], professional: User
) -> None:
    mine = make_user(home_neighbourhood=areas.bu, display_name="Anna Buur")
    other = make_user(home_neighbourhood=areas.other_bu, display_name="Verre Vriend")
    client.force_login(professional)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "Anna Buur" in page.text and "Verre Vriend" not in page.text
    assert "Bewoners bevestigen" in client.get(reverse("accounts:profile")).text
    response = client.post(PAGE, {"membership": _home(mine).pk}, follow=True)
    assert "bevestigd" in response.text
    assert _home(mine).verified_by == professional
    assert "Anna Buur" not in client.get(PAGE).text
    # A resident elsewhere cannot be verified by posting its id.
    client.post(PAGE, {"membership": _home(other).pk})
    assert _home(other).verified_at is None


def test_residents_cannot_open_the_page(
    client: Client, areas: Areas, make_user: Callable[..., User]
) -> None:
    resident = make_user(home_neighbourhood=areas.bu)
    client.force_login(resident)
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {"membership": _home(resident).pk}).status_code == 403
    assert _home(resident).verified_at is None
    assert "Bewoners bevestigen" not in client.get(reverse("accounts:profile")).text
