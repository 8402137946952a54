"""Permissions about the wijkbeeld (``wijkbeeld.*``), declared with ``rules``.

Everyone may read a wijkbeeld, except the key people: those are shown only to signed-in
members of the area. For a district, people with a role in one of its neighbourhoods count as
members too (a district's wijkbeeld is about them). docs/wijkbeeld.md has the role × action
table; keep both in step.
"""

from __future__ import annotations

from typing import Any

import rules

from buurtbasis.accounts.models import Role
from buurtbasis.accounts.predicates import (
    area_of,
    has_role_in_area,
    is_area_administrator,
    user_roles,
)
from buurtbasis.areas.models import Area, Level


def _area(obj: Any) -> Area | None:
    area = area_of(obj)
    if area is None and obj is not None:
        wijkbeeld = getattr(obj, "wijkbeeld", None)
        area = getattr(wijkbeeld, "area", None)
    return area


def below_ids(area: Area) -> set[int]:
    """The areas directly below ``area`` (its neighbourhoods for a district); cached."""
    if area.level != Level.DISTRICT:
        return set()
    cached = area.__dict__.get("_bb_below")
    if cached is None:
        cached = set(Area.objects.filter(parent_id=area.pk).values_list("pk", flat=True))
        area.__dict__["_bb_below"] = cached
    return cached


def user_has_role_in_or_below(user: Any, area: Area | None, roles: tuple[str, ...]) -> bool:
    """A role in the area, above it, or (for a district) in one of its neighbourhoods."""
    if area is None:
        return False
    held = user_roles(user)
    if not held:
        return False
    ids = {area.pk}
    if area.parent_id:
        ids.add(area.parent_id)
    if area.municipality_id:
        ids.add(area.municipality_id)
    if any(area_id in ids and role in roles for area_id, role in held):
        return True
    below = below_ids(area)
    return any(area_id in below and role in roles for area_id, role in held)


def has_role_in_or_below(*roles: str) -> rules.Predicate:
    name = "has_role_in_or_below:" + ",".join(roles)

    def predicate(user: Any, obj: Any = None) -> bool:
        return user_has_role_in_or_below(user, _area(obj), roles)

    return rules.Predicate(predicate, name=name)


@rules.predicate
def is_part_author(user: Any, part: Any = None) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and part is not None
        and getattr(part, "author_id", None) == user.pk
    )


#: Anyone with a role in (or, for a district, below) the area.
is_member = has_role_in_or_below(*Role.values)
#: Residents and initiators who live there.
is_local_resident = has_role_in_or_below(Role.RESIDENT, Role.INITIATOR)
#: Professionals and civil servants who work for the area (or the whole municipality).
is_local_worker = has_role_in_area(Role.PROFESSIONAL, Role.CIVIL_SERVANT)
is_local_professional = has_role_in_area(Role.PROFESSIONAL)

rules.add_perm("wijkbeeld.view", rules.always_allow)
# Object: an area (district or neighbourhood).
rules.add_perm("wijkbeeld.create", is_local_worker | is_area_administrator)
# Object: a wijkbeeld.
rules.add_perm("wijkbeeld.add_part", is_local_resident | is_local_worker | is_area_administrator)
rules.add_perm("wijkbeeld.change_intro", is_local_worker | is_area_administrator)
rules.add_perm("wijkbeeld.manage_rounds", is_local_worker | is_area_administrator)
rules.add_perm("wijkbeeld.manage_presence", is_local_worker | is_area_administrator)
rules.add_perm("wijkbeeld.view_key_people", rules.is_authenticated & is_member)
rules.add_perm("wijkbeeld.manage_key_people", is_local_professional | is_area_administrator)
# Object: a part.
rules.add_perm("wijkbeeld.change_part", is_part_author | is_local_worker | is_area_administrator)
# Object: a part (its area's members react).
rules.add_perm("wijkbeeld.comment", rules.is_authenticated & is_member)
# Type in a reaction given on paper, by phone or in the meeting.
rules.add_perm("wijkbeeld.enter_for_others", is_local_professional | is_area_administrator)
rules.add_perm("wijkbeeld.see_comment_names", rules.is_authenticated & is_member)
