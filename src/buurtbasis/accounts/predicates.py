"""Reusable ``rules`` predicates about people and their roles per area.

A role held in an area counts in that area and in every area below it: a civil servant of a
municipality is a civil servant in each of its districts and neighbourhoods, but a resident
of a neighbourhood is not a resident of the whole municipality.

Other apps build their permissions from these, e.g.::

    from buurtbasis.accounts.predicates import has_role_in_area, is_administrator
    rules.add_perm("budgets.decide", has_role_in_area("civil_servant") | is_administrator)

The target object may be an :class:`~buurtbasis.areas.models.Area` or any object with an
``.area`` attribute (an initiative, a budget, a place …).
"""

from __future__ import annotations

from typing import Any

import rules

from buurtbasis.areas.models import Area

from .models import Membership, Role, User


def user_roles(user: Any) -> frozenset[tuple[int, str]]:
    """All ``(area_id, role)`` pairs of a signed-in user, loaded once per user object."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = user.__dict__.get("_bb_roles")
    if cached is None:
        cached = frozenset(Membership.objects.filter(user=user).values_list("area_id", "role"))
        user.__dict__["_bb_roles"] = cached
    return cached


def verified_resident_areas(user: Any) -> frozenset[int]:
    """The areas where the user's resident role has been confirmed (``verified_at``), loaded
    once per user object."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = user.__dict__.get("_bb_verified")
    if cached is None:
        cached = frozenset(
            Membership.objects.filter(
                user=user, role=Role.RESIDENT, verified_at__isnull=False
            ).values_list("area_id", flat=True)
        )
        user.__dict__["_bb_verified"] = cached
    return cached


def area_of(obj: Any) -> Area | None:
    """The area an object is about: the object itself when it is an area, else ``obj.area``."""
    if obj is None:
        return None
    if isinstance(obj, Area):
        return obj
    area = getattr(obj, "area", None)
    return area if isinstance(area, Area) else None


def covering_ids(area: Area) -> set[int]:
    """The area itself and the areas above it (parent district and municipality)."""
    ids = {area.pk}
    if area.parent_id:
        ids.add(area.parent_id)
    if area.municipality_id:
        ids.add(area.municipality_id)
    return ids


def user_has_role_in_area(user: Any, area: Area | None, roles: tuple[str, ...]) -> bool:
    if area is None:
        return False
    ids = covering_ids(area)
    return any(area_id in ids and role in roles for area_id, role in user_roles(user))


def has_role_in_area(*roles: str) -> rules.Predicate:
    """Predicate factory: the user holds one of ``roles`` in the object's area or above it.

    Without an object (or with an object without area) it is false."""
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")
    name = "has_role_in_area:" + ",".join(roles)

    def predicate(user: Any, obj: Any = None) -> bool:
        return user_has_role_in_area(user, area_of(obj), roles)

    return rules.Predicate(predicate, name=name)


def has_role_anywhere(*roles: str) -> rules.Predicate:
    """Predicate factory: the user holds one of ``roles`` in at least one area."""
    name = "has_role_anywhere:" + ",".join(roles)

    def predicate(user: Any) -> bool:
        return any(role in roles for _area_id, role in user_roles(user))

    return rules.Predicate(predicate, name=name)


@rules.predicate
def no_object(user: Any, obj: Any = None) -> bool:
    """True when the permission is asked without an object (e.g. to show a menu item)."""
    return obj is None


@rules.predicate
def is_superuser(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_superuser)


@rules.predicate
def is_self(user: Any, obj: Any = None) -> bool:
    """The object is the signed-in user themselves."""
    return bool(
        getattr(user, "is_authenticated", False) and isinstance(obj, User) and obj.pk == user.pk
    )


@rules.predicate
def is_assisting_professional(user: Any, obj: Any = None) -> bool:
    """The object is an assisted account (no e-mail yet) registered by this user."""
    return bool(
        getattr(user, "is_authenticated", False)
        and obj is not None
        and getattr(obj, "assisted_by_id", None) == user.pk
        and not getattr(obj, "email", None)
    )


is_signed_in = rules.is_authenticated

#: An administrator: a superuser, or someone with the administrator role in some area.
is_administrator = is_superuser | has_role_anywhere(Role.ADMINISTRATOR)

#: An administrator of the object's area (or above it), or a superuser.
is_area_administrator = is_superuser | has_role_in_area(Role.ADMINISTRATOR)

#: Any role at all in the object's area (or above it).
is_member_of_area = has_role_in_area(*Role.values)
