"""Permissions about initiatives (``initiatives.*``), declared with ``rules`` and built from
``accounts.predicates``. The services check them again, with the state rules (an open request,
a vote that is open …). docs/initiatives.md has the role × action table; keep both in step.

"Of the district": a role held in the district, in its municipality (roles count downwards) or
in one of its neighbourhoods (a resident of a neighbourhood is a resident of its district for
deciding and voting). Initiators count as residents. Voting, nominating, volunteering for (or
being appointed to) the panel and deciding as the resident on a small grant need a *verified*
resident role
(:func:`is_verified_resident_of`); nobody involved in an initiative (:func:`involved_ids`)
decides on its requests.
"""

from __future__ import annotations

from typing import Any

import rules

from buurtbasis.accounts.models import Role
from buurtbasis.accounts.predicates import (
    has_role_anywhere,
    has_role_in_area,
    is_superuser,
    user_roles,
    verified_resident_areas,
)
from buurtbasis.areas.models import Area, Level

RESIDENT_ROLES = (Role.RESIDENT, Role.INITIATOR)
OFFICIAL_ROLES = (Role.CIVIL_SERVANT, Role.ADMINISTRATOR)
SUPPORTER_ROLES = (Role.PROFESSIONAL, Role.CIVIL_SERVANT, Role.FUNDER, Role.ADMINISTRATOR)


# --- Helpers (also used by the services) ------------------------------------------------------


def district_of(obj: Any) -> Area | None:
    """The district an object is about: a neighbourhood's parent, a district itself, or the
    district of ``obj.area``."""
    area = obj if isinstance(obj, Area) else getattr(obj, "area", None)
    if not isinstance(area, Area):
        return None
    if area.level == Level.DISTRICT:
        return area
    if area.level == Level.NEIGHBOURHOOD:
        return area.parent
    return None


def _neighbourhood_ids(district: Area) -> frozenset[int]:
    cached = district.__dict__.get("_bb_neighbourhood_ids")
    if cached is None:
        cached = frozenset(
            Area.objects.filter(parent=district, level=Level.NEIGHBOURHOOD).values_list(
                "pk", flat=True
            )
        )
        district.__dict__["_bb_neighbourhood_ids"] = cached
    return cached


def _any_in_district(area_ids: Any, district: Area) -> bool:
    if not area_ids:
        return False
    above = {district.pk, district.municipality_id}
    if any(area_id in above for area_id in area_ids):
        return True
    inside = _neighbourhood_ids(district)
    return any(area_id in inside for area_id in area_ids)


def holds_role_in_district(user: Any, district: Area | None, roles: tuple[str, ...]) -> bool:
    """``user`` holds one of ``roles`` in the district, its municipality or one of its
    neighbourhoods."""
    if district is None or not getattr(user, "is_authenticated", False):
        return False
    return _any_in_district([a for a, role in user_roles(user) if role in roles], district)


def is_verified_resident_of(user: Any, district: Area | None) -> bool:
    """``user`` is a resident of the district (or one of its neighbourhoods) and a
    professional, civil servant or administrator has confirmed it
    (``accounts.services.verify_resident``). Voting, nominating, volunteering for or being
    appointed to the panel and deciding as the resident on a small grant need this; a
    self-declared neighbourhood is not enough."""
    if district is None or not getattr(user, "is_authenticated", False):
        return False
    return _any_in_district(verified_resident_areas(user), district)


def is_owner_of(user: Any, initiative: Any) -> bool:
    if initiative is None or not getattr(user, "is_authenticated", False):
        return False
    cache = initiative.__dict__.get("_bb_owner_ids")
    if cache is None:
        cache = frozenset(initiative.owners.values_list("user_id", flat=True))
        initiative.__dict__["_bb_owner_ids"] = cache
    return bool(user.pk in cache or initiative.created_by_id == user.pk)


def involved_ids(initiative: Any) -> frozenset[int]:
    """Everyone who is part of the initiative: its owners and creator, the participants ("ik
    doe mee") and the helpers who offered to meet one of its needs (offers not declined).
    None of them decides on its grant requests."""
    cached = initiative.__dict__.get("_bb_involved_ids")
    if cached is None:
        from .models import NeedAnswer

        ids = set(initiative.owners.values_list("user_id", flat=True))
        ids.update(initiative.participants.values_list("user_id", flat=True))
        ids.update(
            NeedAnswer.objects.filter(need__initiative=initiative, responder__isnull=False)
            .exclude(status=NeedAnswer.Status.DECLINED)
            .values_list("responder_id", flat=True)
        )
        if initiative.created_by_id is not None:
            ids.add(initiative.created_by_id)
        cached = frozenset(ids)
        initiative.__dict__["_bb_involved_ids"] = cached
    return cached


def is_involved_in(user: Any, initiative: Any) -> bool:
    if initiative is None or not getattr(user, "is_authenticated", False):
        return False
    return user.pk in involved_ids(initiative)


def forget_involvement(initiative: Any) -> None:
    """Drop what is remembered on this initiative object about who takes part."""
    initiative.__dict__.pop("_bb_owner_ids", None)
    initiative.__dict__.pop("_bb_involved_ids", None)


def initiative_of(obj: Any) -> Any:
    from .models import GrantRequest, Initiative, Need, NeedAnswer, Story, VoteOption

    if isinstance(obj, Initiative):
        return obj
    if isinstance(obj, GrantRequest | Need | Story | VoteOption):
        return obj.initiative
    if isinstance(obj, NeedAnswer):
        return obj.need.initiative
    return None


# --- Predicates -------------------------------------------------------------------------------


@rules.predicate
def is_owner(user: Any, obj: Any = None) -> bool:
    """An initiator (owner or co-owner) of the initiative the object belongs to."""
    return is_owner_of(user, initiative_of(obj))


@rules.predicate
def is_involved(user: Any, obj: Any = None) -> bool:
    """Part of the initiative the object belongs to: owner, creator, participant or helper."""
    return is_involved_in(user, initiative_of(obj))


@rules.predicate
def is_participant(user: Any, obj: Any = None) -> bool:
    initiative = initiative_of(obj)
    if initiative is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(initiative.participants.filter(user_id=user.pk).exists())


@rules.predicate
def is_verified_district_resident(user: Any, obj: Any = None) -> bool:
    return is_verified_resident_of(user, district_of(obj))


@rules.predicate
def is_district_professional(user: Any, obj: Any = None) -> bool:
    return holds_role_in_district(user, district_of(obj), (Role.PROFESSIONAL,))


@rules.predicate
def is_district_member(user: Any, obj: Any = None) -> bool:
    return holds_role_in_district(user, district_of(obj), tuple(Role.values))


@rules.predicate
def is_panel_member(user: Any, obj: Any = None) -> bool:
    from .models import PanelMember

    district = district_of(obj)
    if district is None or not getattr(user, "is_authenticated", False):
        return False
    return PanelMember.objects.filter(
        panel__district=district, user_id=user.pk, until__isnull=True
    ).exists()


@rules.predicate
def is_open_request(user: Any, obj: Any = None) -> bool:
    from .models import GrantRequest

    return isinstance(obj, GrantRequest) and obj.is_open


@rules.predicate
def is_small_route(user: Any, obj: Any = None) -> bool:
    from .models import GrantRequest

    return isinstance(obj, GrantRequest) and obj.route == GrantRequest.Route.SMALL


@rules.predicate
def is_panel_route(user: Any, obj: Any = None) -> bool:
    from .models import GrantRequest

    return isinstance(obj, GrantRequest) and obj.route == GrantRequest.Route.PANEL


@rules.predicate
def can_answer_need_kind(user: Any, obj: Any = None) -> bool:
    """Each kind of need has its own party: hours a drawing-rights provider (a professional of
    the district, or a freelancer providing hours there), a space a place's keeper or a
    professional, things and volunteers the neighbours (residents and professionals of the
    district). Money goes through a grant request."""
    from buurtbasis.budgets.models import DrawingRight
    from buurtbasis.places.models import PlaceKeeper

    from .models import Need

    if not isinstance(obj, Need) or not getattr(user, "is_authenticated", False):
        return False
    district = district_of(obj)
    professional = holds_role_in_district(user, district, (Role.PROFESSIONAL,))
    if obj.kind == Need.Kind.MONEY:
        return False
    if obj.kind == Need.Kind.HOURS:
        return (
            professional
            or DrawingRight.objects.filter(
                provider_user_id=user.pk, group__district=district
            ).exists()
        )
    if obj.kind == Need.Kind.SPACE:
        return (
            professional
            or PlaceKeeper.objects.filter(user_id=user.pk, place__area__parent=district).exists()
        )
    return holds_role_in_district(user, district, (*RESIDENT_ROLES, Role.PROFESSIONAL))


is_official = is_superuser | has_role_in_area(*OFFICIAL_ROLES)
is_supporter = has_role_in_area(*SUPPORTER_ROLES)
signed_in = rules.is_authenticated

# The initiative. Object: an initiative.
rules.add_perm("initiatives.view_initiative", rules.always_allow)
rules.add_perm("initiatives.add_initiative", signed_in)
rules.add_perm("initiatives.change_initiative", is_owner | is_superuser)
rules.add_perm("initiatives.manage_owners", is_owner | is_superuser)
rules.add_perm("initiatives.comment", signed_in)
rules.add_perm(
    "initiatives.offer_support", signed_in & ~is_owner & (is_supporter | is_district_member)
)
rules.add_perm("initiatives.join", signed_in & ~is_owner)
rules.add_perm("initiatives.post_story", is_owner | is_participant)
rules.add_perm("initiatives.add_need", is_owner)
rules.add_perm("initiatives.change_funding_plan", is_owner)
rules.add_perm("initiatives.request_grant", is_owner)
# Object: a need / an answer.
rules.add_perm("initiatives.answer_need", ~is_owner & can_answer_need_kind)
rules.add_perm("initiatives.decide_answer", is_owner)
# Object: a grant request.
rules.add_perm("initiatives.view_grant", rules.always_allow)
rules.add_perm(
    "initiatives.decide_grant",
    is_open_request
    & ~is_involved
    & (
        (is_small_route & (is_verified_district_resident | is_district_professional))
        | (is_panel_route & is_panel_member)
    ),
)
rules.add_perm("initiatives.withdraw_grant", is_open_request & is_owner)
rules.add_perm("initiatives.record_expense", is_owner)
# Object: a budget line (its area is the district).
rules.add_perm("initiatives.manage_line_settings", is_official)
# Object: a district.
rules.add_perm("initiatives.manage_panel", is_official | has_role_in_area(Role.PROFESSIONAL))
rules.add_perm("initiatives.volunteer", is_verified_district_resident)
# Funds: object a fund, or none (the menu item).
rules.add_perm(
    "initiatives.manage_funds",
    is_superuser | has_role_anywhere(Role.FUNDER, *OFFICIAL_ROLES),
)
# Object: a municipality.
rules.add_perm("initiatives.manage_cofunding", is_official)
# Votes. Object: a budget line or a vote (their area is the district).
rules.add_perm("initiatives.manage_vote", is_official)
rules.add_perm("initiatives.nominate", is_verified_district_resident)
rules.add_perm("initiatives.cast_ballot", is_verified_district_resident)
rules.add_perm("initiatives.enter_paper_ballot", is_district_professional)
