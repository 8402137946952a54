"""Role × action matrix for the declared permissions (accounts.* and areas.*).

The expected outcomes are written out here by hand, from docs/permissions.md, and not derived
from the predicates under test."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from buurtbasis.accounts import services
from buurtbasis.accounts.models import Organisation, Role, User
from buurtbasis.accounts.predicates import has_role_in_area
from buurtbasis.areas.models import Area

from .conftest import Areas

ROLES = [r.value for r in Role]
# Who asks: every role, plus three kinds of people without a role. A superuser (a technical
# operator, not a role) has every permission: that is Django's rule for superusers.
ACTORS = [*ROLES, "anonymous", "no_role", "superuser"]

# Where the actor holds the role, and which area the action is about:
#   same        role in the neighbourhood, action on that neighbourhood
#   district    role in the district above, action on the neighbourhood
#   municipality role in the municipality above, action on the neighbourhood
#   below       role in the neighbourhood, action on its district (does not count upward)
#   sibling     role in the neighbouring neighbourhood of the same district
#   other       role in a neighbourhood of another municipality
PLACEMENTS = ["same", "district", "municipality", "below", "sibling", "other"]
COUNTS = {"same", "district", "municipality"}

# action on an area → roles that may do it (when the role counts in that area).
AREA_ACTIONS: dict[str, set[str]] = {
    "areas.view_area": {"*"},  # everyone, also anonymous
    "accounts.register_assisted": {"professional"},
    "accounts.manage_roles": {"administrator"},
}

# action without object → roles that may do it (held anywhere).
GLOBAL_ACTIONS: dict[str, set[str]] = {
    "areas.view_area": {"*"},
    "accounts.register_assisted": {"professional", "superuser"},
    "accounts.manage_roles": {"administrator", "superuser"},
    "accounts.view_audit": {"administrator", "superuser"},
}


@dataclass
class Setup:
    user: Any
    target: Area


def _setup(
    actor: str,
    placement: str,
    areas: Areas,
    make_user: Callable[..., User],
    organisation: Organisation,
) -> Setup:
    held_in = {
        "same": areas.bu,
        "district": areas.wk,
        "municipality": areas.gm,
        "below": areas.bu,
        "sibling": areas.bu2,
        "other": areas.other_bu,
    }[placement]
    target = areas.wk if placement == "below" else areas.bu
    if actor == "anonymous":
        return Setup(AnonymousUser(), target)
    user = make_user()
    if actor == "superuser":
        user.is_superuser = True
        user.save()
    elif actor in ROLES:
        services.grant_role(
            user,
            held_in,
            actor,
            organisation=organisation if actor == Role.PROFESSIONAL else None,
        )
    return Setup(User.objects.get(pk=user.pk), target)


def _expected_area(action: str, actor: str, placement: str) -> bool:
    allowed = AREA_ACTIONS[action]
    if "*" in allowed:
        return True
    if actor == "superuser":
        return True
    return actor in allowed and placement in COUNTS


@pytest.mark.parametrize("placement", PLACEMENTS)
@pytest.mark.parametrize("actor", ACTORS)
def test_area_permissions(
    actor: str,
    placement: str,
    areas: Areas,
    make_user: Callable[..., User],
    organisation: Organisation,
) -> None:
    setup = _setup(actor, placement, areas, make_user, organisation)
    for action in AREA_ACTIONS:
        expected = _expected_area(action, actor, placement)
        assert setup.user.has_perm(action, setup.target) is expected, (action, actor, placement)


@pytest.mark.parametrize("placement", PLACEMENTS)
@pytest.mark.parametrize("actor", ACTORS)
def test_permissions_without_object(
    actor: str,
    placement: str,
    areas: Areas,
    make_user: Callable[..., User],
    organisation: Organisation,
) -> None:
    setup = _setup(actor, placement, areas, make_user, organisation)
    for action, allowed in GLOBAL_ACTIONS.items():
        expected = "*" in allowed or actor in allowed
        assert setup.user.has_perm(action) is expected, (action, actor, placement)


# --- permissions on a person ------------------------------------------------------------------

USER_ACTIONS = [
    "accounts.view_profile",
    "accounts.change_profile",
    "accounts.view_consents",
    "accounts.change_consents",
    "accounts.export_data",
    "accounts.delete_account",
    "accounts.manage_assisted",
]
# target → actions allowed for the professional who asks (a professional in the district).
TARGETS = ["self", "other_person", "my_assisted", "others_assisted", "taken_over"]
EXPECTED_FOR_PROFESSIONAL: dict[str, set[str]] = {
    "self": {
        "accounts.view_profile",
        "accounts.change_profile",
        "accounts.view_consents",
        "accounts.change_consents",
        "accounts.export_data",
        "accounts.delete_account",
    },
    "other_person": set(),
    "my_assisted": {
        "accounts.view_profile",
        "accounts.change_profile",
        "accounts.delete_account",
        "accounts.manage_assisted",
    },
    "others_assisted": set(),
    # Once the resident took the account over, the professional no longer manages it.
    "taken_over": set(),
}


def _assisted(professional: User, areas: Areas) -> User:
    return services.register_assisted(
        professional=professional,
        display_name="Mevrouw Jansen",
        home_neighbourhood=areas.bu,
        consent_given=True,
        consent_method="paper",
    )


@pytest.mark.parametrize("target_kind", TARGETS)
def test_person_permissions_for_a_professional(
    target_kind: str,
    areas: Areas,
    make_user: Callable[..., User],
    professional: User,
    organisation: Organisation,
) -> None:
    if target_kind == "self":
        target = professional
    elif target_kind == "other_person":
        target = make_user(home_neighbourhood=areas.bu)
    elif target_kind == "my_assisted":
        target = _assisted(professional, areas)
    elif target_kind == "others_assisted":
        colleague = make_user()
        services.grant_role(colleague, areas.gm, Role.PROFESSIONAL, organisation=organisation)
        target = _assisted(colleague, areas)
    else:
        target = _assisted(professional, areas)
        code = services.create_takeover_code(target, actor=professional)
        target = services.take_over(code=code, email="jansen@example.org", password="Zomer-2024!x")
    for action in USER_ACTIONS:
        expected = action in EXPECTED_FOR_PROFESSIONAL[target_kind]
        assert professional.has_perm(action, target) is expected, (action, target_kind)


@pytest.mark.parametrize("actor", ["anonymous", *ROLES, "superuser"])
def test_person_permissions_on_someone_else(
    actor: str, areas: Areas, make_user: Callable[..., User], organisation: Organisation
) -> None:
    """Nobody acts on another person's account, except that administrators may view a profile
    (and a superuser may do everything)."""
    target = make_user(home_neighbourhood=areas.bu)
    setup = _setup(actor, "municipality", areas, make_user, organisation)
    for action in USER_ACTIONS:
        expected = actor == "superuser" or (
            action == "accounts.view_profile" and actor == "administrator"
        )
        assert setup.user.has_perm(action, target) is expected, (action, actor)


def test_anonymous_has_no_person_permissions_on_anyone(
    areas: Areas, make_user: Callable[..., User]
) -> None:
    target = make_user()
    for action in USER_ACTIONS:
        assert AnonymousUser().has_perm(action, target) is False


def test_predicate_works_on_objects_with_an_area(
    areas: Areas, make_user: Callable[..., User]
) -> None:
    @dataclass
    class Initiative:
        area: Area

    user = make_user()
    services.grant_role(user, areas.wk, Role.INITIATOR)
    user = User.objects.get(pk=user.pk)
    predicate = has_role_in_area(Role.INITIATOR)
    assert predicate.test(user, Initiative(areas.bu)) is True
    assert predicate.test(user, Initiative(areas.other_bu)) is False
    assert predicate.test(user, Initiative(areas.gm)) is False
    assert predicate.test(user, object()) is False
    assert predicate.test(user, None) is False


def test_unknown_role_in_predicate_factory_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown roles"):
        has_role_in_area("mayor")


def test_role_cache_is_refreshed_after_grant_and_revoke(
    areas: Areas, make_user: Callable[..., User]
) -> None:
    user = make_user()
    assert not user.has_perm("accounts.manage_roles", areas.bu)
    services.grant_role(user, areas.gm, Role.ADMINISTRATOR)
    assert user.has_perm("accounts.manage_roles", areas.bu)
    services.revoke_role(user, areas.gm, Role.ADMINISTRATOR)
    assert not user.has_perm("accounts.manage_roles", areas.bu)


def test_permission_checks_load_roles_once_per_user_object(
    areas: Areas,
    make_user: Callable[..., User],
    organisation: Organisation,
    django_assert_num_queries: Any,
) -> None:
    user = make_user()
    services.grant_role(user, areas.gm, Role.PROFESSIONAL, organisation=organisation)
    user = User.objects.get(pk=user.pk)
    targets = [areas.gm, areas.wk, areas.bu, areas.bu2, areas.other_gm, areas.other_bu]
    # 240 checks, one query: the roles, remembered on the user object.
    with django_assert_num_queries(1):
        for _round in range(20):
            for area in targets:
                user.has_perm("accounts.register_assisted", area)
                user.has_perm("accounts.manage_roles", area)
