"""Permissions about the municipal framework, the BuurtTop and the wijktoekomstagenda
(``agenda.*``), declared with ``rules``. docs/wijkbeeld.md has the role × action table.

Everything here is public to read, except who registered for a BuurtTop (personal data: only
for its organisers) and the names of working-group members (only for signed-in members of the
area).
"""

from __future__ import annotations

from typing import Any

import rules

from buurtbasis.accounts.models import Role
from buurtbasis.accounts.predicates import has_role_in_area, is_area_administrator
from buurtbasis.wijkbeeld.rules import has_role_in_or_below, is_member


@rules.predicate
def is_organiser(user: Any, obj: Any = None) -> bool:
    """The person who organises the BuurtTop (or the BuurtTop of this working group)."""
    if not getattr(user, "is_authenticated", False) or obj is None:
        return False
    top = obj if hasattr(obj, "organiser_id") else getattr(obj, "buurttop", None)
    return top is not None and getattr(top, "organiser_id", None) == user.pk


@rules.predicate
def is_group_member(user: Any, group: Any = None) -> bool:
    if not getattr(user, "is_authenticated", False) or group is None:
        return False
    from .models import WorkingGroupMember

    return WorkingGroupMember.objects.filter(group_id=group.pk, user_id=user.pk).exists()


is_civil_servant = has_role_in_area(Role.CIVIL_SERVANT)
is_local_professional = has_role_in_area(Role.PROFESSIONAL)
#: Who organises a BuurtTop and writes the agenda with the residents: professionals and civil
#: servants working there, and initiators (active residents' organisations) living there.
is_organising_role = (
    has_role_in_area(Role.PROFESSIONAL, Role.CIVIL_SERVANT)
    | has_role_in_or_below(Role.INITIATOR)
    | is_area_administrator
)

# Municipal framework. Object: a municipality or a framework.
rules.add_perm("agenda.view_framework", rules.always_allow)
rules.add_perm("agenda.change_framework", is_civil_servant | is_area_administrator)
# The council adopts; the clerk (a civil servant) or an administrator records its decision.
rules.add_perm("agenda.adopt_framework", is_civil_servant | is_area_administrator)

# BuurtTop. Object: an area (to create) or a BuurtTop.
rules.add_perm("agenda.view_buurttop", rules.always_allow)
rules.add_perm("agenda.create_buurttop", is_organising_role)
rules.add_perm("agenda.change_buurttop", is_organising_role | is_organiser)
rules.add_perm("agenda.register", rules.is_authenticated)
rules.add_perm(
    "agenda.register_others", is_local_professional | is_organiser | is_area_administrator
)
rules.add_perm(
    "agenda.view_registrations",
    is_local_professional | is_civil_servant | is_organiser | is_area_administrator,
)

# Working groups. Object: a BuurtTop/agenda (to create) or a working group.
rules.add_perm("agenda.create_group", is_organising_role | is_organiser)
rules.add_perm("agenda.join_group", rules.is_authenticated & is_member)
rules.add_perm("agenda.see_group_members", rules.is_authenticated & is_member)
rules.add_perm(
    "agenda.add_member",
    is_group_member | is_local_professional | is_organiser | is_area_administrator,
)
rules.add_perm("agenda.add_note", is_group_member | is_organising_role | is_organiser)

# Wijktoekomstagenda. Object: an area (to create) or an agenda / goal.
rules.add_perm("agenda.view_agenda", rules.always_allow)
rules.add_perm("agenda.change_agenda", is_organising_role)
rules.add_perm("agenda.publish_agenda", is_organising_role)
rules.add_perm("agenda.record_review", is_organising_role)
# Money for a goal: who may edit the district budget (civil servants, administrators; the same
# people as ``budgets.manage_commitments``) links budget lines to goals. Object: a goal.
rules.add_perm("agenda.link_budget_line", is_civil_servant | is_area_administrator)
