"""Permissions about neighbourhood budgets (``budgets.*``), declared with ``rules``.

=============================  ==========================================================
permission                     who
=============================  ==========================================================
view_framework                 everyone when adopted; a draft only civil servants and
                               administrators of the municipality
add_framework                  civil servants and administrators of the municipality
change_framework               the same, and only while the framework is a draft
adopt_framework                civil servants and administrators of the municipality
manage_commitments             civil servants and administrators of the area
manage_drawing_rights          civil servants and administrators of the area
close_year                     civil servants and administrators of the municipality
view_drawing_right             the provider, the residents' group, civil servants and
                               administrators of the area
record_hours                   the provider (the freelancer, or a professional of the
                               provider organisation)
confirm_hours                  the group's contact person and members
view_district_budget           everyone (public money)
=============================  ==========================================================

Objects: frameworks, lines, commitments and drawing rights all have an ``.area`` (the
municipality or the district), so the area predicates of ``accounts.predicates`` apply.
"""

from __future__ import annotations

from typing import Any

import rules

from buurtbasis.accounts.models import Membership, Role
from buurtbasis.accounts.predicates import (
    has_role_anywhere,
    has_role_in_area,
    is_superuser,
    no_object,
)

from .models import BudgetFramework, DrawingRight

_OFFICIALS = (Role.CIVIL_SERVANT, Role.ADMINISTRATOR)

#: A civil servant or administrator of the object's area (or above it), or a superuser.
is_official = is_superuser | has_role_in_area(*_OFFICIALS)


@rules.predicate
def is_draft(user: Any, obj: Any = None) -> bool:
    return isinstance(obj, BudgetFramework) and obj.is_draft


@rules.predicate
def is_adopted(user: Any, obj: Any = None) -> bool:
    return isinstance(obj, BudgetFramework) and obj.is_adopted


@rules.predicate
def is_provider(user: Any, obj: Any = None) -> bool:
    """The user is the freelancer providing the hours, or works (has any role) for the
    provider organisation."""
    if not (isinstance(obj, DrawingRight) and getattr(user, "is_authenticated", False)):
        return False
    if obj.provider_user_id is not None:
        return bool(obj.provider_user_id == user.pk)
    if obj.provider_organisation_id is None:
        return False
    return Membership.objects.filter(
        user_id=user.pk, organisation_id=obj.provider_organisation_id
    ).exists()


@rules.predicate
def is_group_member(user: Any, obj: Any = None) -> bool:
    """The user is the contact person or a member of the drawing right's residents' group."""
    if not (isinstance(obj, DrawingRight) and getattr(user, "is_authenticated", False)):
        return False
    group = obj.group
    return bool(group.contact_id == user.pk) or group.members.filter(pk=user.pk).exists()


rules.add_perm("budgets.view_framework", is_adopted | is_official)
rules.add_perm("budgets.add_framework", is_official | (no_object & has_role_anywhere(*_OFFICIALS)))
rules.add_perm("budgets.change_framework", is_official & is_draft)
rules.add_perm("budgets.adopt_framework", is_official)
rules.add_perm("budgets.view_preview", is_adopted | is_official)
rules.add_perm("budgets.manage_commitments", is_official)
rules.add_perm("budgets.manage_drawing_rights", is_official)
rules.add_perm("budgets.close_year", is_official)
rules.add_perm("budgets.view_drawing_right", is_official | is_provider | is_group_member)
rules.add_perm("budgets.record_hours", is_provider)
rules.add_perm("budgets.confirm_hours", is_group_member)
rules.add_perm("budgets.view_district_budget", rules.always_allow)
