"""The services other engineers build on: register_user, grant_role, organisations."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError

from buurtbasis.accounts import services
from buurtbasis.accounts.models import Membership, Organisation, Role, User
from buurtbasis.core.models import AuditEvent

from .conftest import Areas


def test_grant_role_is_idempotent_and_audited(
    areas: Areas, make_user: Callable[..., User], professional: User
) -> None:
    user = make_user()
    first = services.grant_role(user, areas.wk, Role.INITIATOR, actor=professional)
    second = services.grant_role(user, areas.wk, Role.INITIATOR, actor=professional)
    assert first.pk == second.pk
    assert Membership.objects.filter(user=user, role=Role.INITIATOR).count() == 1
    events = AuditEvent.objects.filter(action="accounts.grant_role", object_id=str(first.pk))
    assert events.count() == 1
    event = events.get()
    assert event.actor == professional
    assert event.detail == {
        "user": user.pk,
        "area": areas.wk.code,
        "role": "initiator",
        "organisation": None,
    }


def test_professional_needs_an_organisation(areas: Areas, make_user: Callable[..., User]) -> None:
    user = make_user()
    with pytest.raises(ValidationError) as info:
        services.grant_role(user, areas.gm, Role.PROFESSIONAL)
    assert "organisation" in info.value.error_dict
    assert not Membership.objects.filter(user=user, role=Role.PROFESSIONAL).exists()


def test_grant_role_refuses_unknown_roles(areas: Areas, make_user: Callable[..., User]) -> None:
    with pytest.raises(ValidationError):
        services.grant_role(make_user(), areas.gm, "mayor")


def test_grant_role_moves_a_professional_to_another_organisation(
    areas: Areas, make_user: Callable[..., User], organisation: Organisation
) -> None:
    user = make_user()
    services.grant_role(user, areas.wk, Role.PROFESSIONAL, organisation=organisation)
    other = services.get_or_create_organisation("Buurtteam Noord")
    membership = services.grant_role(user, areas.wk, Role.PROFESSIONAL, organisation=other)
    assert membership.organisation == other
    assert Membership.objects.filter(user=user).count() == 1
    assert AuditEvent.objects.filter(action="accounts.change_role").count() == 1


def test_organisations_are_found_case_insensitively(db: None) -> None:
    one = services.get_or_create_organisation("Welzijn Plus", "welzijn")
    assert services.get_or_create_organisation("  welzijn plus ") == one
    assert Organisation.objects.count() == 1
    with pytest.raises(ValidationError):
        services.get_or_create_organisation("   ")


def test_register_user_with_a_home_makes_a_resident(areas: Areas) -> None:
    user = services.register_user(
        email="Anna@Example.ORG",
        display_name="  Anna ",
        password="Haven-2024!",
        home_neighbourhood=areas.bu,
        languages="Nederlands",
        phone="06",
    )
    assert user.email == "anna@example.org"
    assert user.display_name == "Anna"
    assert user.check_password("Haven-2024!")
    assert list(user.memberships.values_list("area", "role")) == [(areas.bu.pk, "resident")]
    assert User.objects.get_by_natural_key("ANNA@example.org") == user


def test_revoke_role(areas: Areas, make_user: Callable[..., User]) -> None:
    user = make_user()
    services.grant_role(user, areas.gm, Role.FUNDER)
    assert services.revoke_role(user, areas.gm, Role.FUNDER) is True
    assert services.revoke_role(user, areas.gm, Role.FUNDER) is False
    assert AuditEvent.objects.filter(action="accounts.revoke_role").count() == 1


def test_audit_label_never_holds_the_email(make_user: Callable[..., User]) -> None:
    user = make_user("label@example.org")
    for event in AuditEvent.objects.filter(actor=user):
        assert event.actor_label == f"user:{user.pk}"
