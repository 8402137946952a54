"""Permissions about places (``places.*``), declared with ``rules``.

The grid is not the municipality's: residents (and initiators) of a neighbourhood add and keep
its places; professionals working there can help. Civil servants and council members read,
like everyone, but do not edit the residents' map. docs/wijkbeeld.md has the role × action
table; keep both in step.
"""

from __future__ import annotations

from typing import Any

import rules

from buurtbasis.accounts.models import Role
from buurtbasis.accounts.predicates import has_role_in_area, is_area_administrator


@rules.predicate
def is_keeper(user: Any, place: Any = None) -> bool:
    if not getattr(user, "is_authenticated", False) or place is None:
        return False
    from .models import PlaceKeeper

    return PlaceKeeper.objects.filter(place_id=place.pk, user_id=user.pk).exists()


is_local_resident = has_role_in_area(Role.RESIDENT, Role.INITIATOR)
is_local_professional = has_role_in_area(Role.PROFESSIONAL)

rules.add_perm("places.view_place", rules.always_allow)
rules.add_perm("places.print", rules.always_allow)
# Object: a neighbourhood.
rules.add_perm(
    "places.add_place", is_local_resident | is_local_professional | is_area_administrator
)
# Object: a place.
rules.add_perm("places.change_place", is_keeper | is_local_professional | is_area_administrator)
rules.add_perm("places.keep_place", is_local_resident | is_local_professional)
# Object: an area — who to call, printed on the poster and card.
rules.add_perm("places.change_contact", is_local_professional | is_area_administrator)
