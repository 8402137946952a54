"""Business rules of neighbour help.

Every function that changes something validates first and raises
:class:`~django.core.exceptions.ValidationError` (a translated, Dutch-first message, keyed by
form field where there is one) or :class:`~django.core.exceptions.PermissionDenied`; nothing
is changed then. Every post, message, contact, block, report and moderation action is written
to the audit log (message texts and locations never are).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.signing import BadSignature, TimestampSigner
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from buurtbasis.accounts import services as account_services
from buurtbasis.accounts.models import Consent, Membership, Role, User
from buurtbasis.accounts.predicates import covering_ids, user_has_role_in_area
from buurtbasis.areas.models import Area, Level
from buurtbasis.core import audit
from buurtbasis.core.models import AuditEvent

from . import geo, matching
from .conf import setting
from .models import (
    ALL_MOMENTS,
    AssistedHelper,
    Block,
    Bloemetje,
    Capability,
    Category,
    Conversation,
    DigestEntry,
    Direction,
    HelpProfile,
    Kind,
    Message,
    Nomination,
    Post,
    Recurrence,
    Report,
    Thanks,
)

WORKER_ROLES = (Role.PROFESSIONAL,)
MODERATOR_ROLES = (Role.PROFESSIONAL, Role.ADMINISTRATOR)
HELPER_CONSENT_METHODS = (Consent.Method.PAPER, Consent.Method.PHONE, Consent.Method.IN_PERSON)
ACTIVE_TOUCH_INTERVAL = timedelta(hours=1)


# --- Small helpers ----------------------------------------------------------------------------


def _is_user(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _require_signed_in(actor: Any) -> None:
    if not _is_user(actor):
        raise PermissionDenied(_("Log in om dit te doen."))


def _text(value: Any) -> str:
    return str(value or "").strip()


def _check_length(errors: dict[str, str], field: str, value: str, limit: int) -> None:
    if len(value) > limit:
        errors[field] = _("Gebruik hoogstens %(n)s tekens.") % {"n": limit}


def radius_choices() -> tuple[int, ...]:
    return tuple(int(r) for r in setting("RADIUS_CHOICES_M"))


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def is_worker_in(user: Any, area: Area | None) -> bool:
    """A community worker (professional) of this neighbourhood or of an area above it."""
    return _is_user(user) and user_has_role_in_area(user, area, WORKER_ROLES)


def may_moderate(user: Any, area: Area | None) -> bool:
    return _is_user(user) and (
        user.is_superuser or user_has_role_in_area(user, area, MODERATOR_ROLES)
    )


def worker_area_ids(user: Any, roles: Sequence[str] = MODERATOR_ROLES) -> set[int]:
    if not _is_user(user):
        return set()
    return set(
        Membership.objects.filter(user=user, role__in=roles).values_list("area_id", flat=True)
    )


def in_areas_q(area_ids: Iterable[int], prefix: str = "neighbourhood") -> Q:
    """Neighbourhoods that lie in (or are) one of ``area_ids``."""
    ids = list(area_ids)
    return (
        Q(**{f"{prefix}_id__in": ids})
        | Q(**{f"{prefix}__parent_id__in": ids})
        | Q(**{f"{prefix}__municipality_id__in": ids})
    )


@dataclass(frozen=True)
class Worker:
    name: str
    organisation: str
    phone: str


def community_workers(area: Area) -> list[Worker]:
    """The community workers of a neighbourhood, most local first (neighbourhood, district,
    municipality), with the phone number to print: their own, else their organisation's."""
    order: dict[str, int] = {Level.NEIGHBOURHOOD: 0, Level.DISTRICT: 1, Level.MUNICIPALITY: 2}
    memberships = (
        Membership.objects.filter(
            role=Role.PROFESSIONAL, area_id__in=covering_ids(area), user__is_active=True
        )
        .select_related("user", "organisation", "area")
        .order_by("user__display_name", "id")
    )
    ranked = sorted(memberships, key=lambda m: order.get(m.area.level, 3))
    seen: set[int] = set()
    workers = []
    for m in ranked:
        if m.user_id in seen:
            continue
        seen.add(m.user_id)
        org = m.organisation
        workers.append(
            Worker(
                name=m.user.display_name,
                organisation=org.name if org else "",
                phone=m.user.phone or (org.phone if org else ""),
            )
        )
    return workers


# --- Profiles ---------------------------------------------------------------------------------


def get_profile(user: User) -> HelpProfile:
    profile = HelpProfile.objects.filter(user=user).first()
    if profile is None:
        profile, _created = HelpProfile.objects.get_or_create(
            user=user, defaults={"neighbourhood": user.home_neighbourhood}
        )
    return profile


def _sync_activity(user_id: int, at: datetime) -> None:
    """Copy someone's last activity to their capabilities and open posts (used by matching)."""
    Capability.objects.filter(user_id=user_id).update(last_active_at=at)
    Post.objects.filter(owner_id=user_id, status=Post.Status.OPEN).update(owner_active_at=at)


def touch_active(user: Any) -> None:
    """Remember that someone used neighbour help (at most once an hour)."""
    if not _is_user(user):
        return
    now = timezone.now()
    updated = HelpProfile.objects.filter(
        user=user, last_active_at__lt=now - ACTIVE_TOUCH_INTERVAL
    ).update(last_active_at=now)
    if updated:
        _sync_activity(user.pk, now)
    elif not HelpProfile.objects.filter(user=user).exists():
        get_profile(user)


def parse_point(lat: Any, lon: Any) -> tuple[int, int] | None:
    """Optional latitude/longitude in degrees → micro-degrees, or ``None`` when both empty."""
    lat_s, lon_s = _text(lat), _text(lon)
    if not lat_s and not lon_s:
        return None
    message = _(
        "Dit is geen geldige plek. Kies een punt op de kaart, of laat beide velden leeg: dan "
        "rekenen we met het midden van de buurt."
    )
    try:
        point = geo.to_e6(lat_s), geo.to_e6(lon_s)
    except ValueError:
        raise ValidationError({"lat": message}, code="invalid_point") from None
    if not geo.valid_point(*point):
        raise ValidationError({"lat": message}, code="invalid_point")
    return point


def _check_neighbourhood(area: Area | None, field: str = "neighbourhood") -> Area:
    if area is None:
        raise ValidationError({field: _("Kies de buurt waar het om gaat.")}, code="no_place")
    if area.level != Level.NEIGHBOURHOOD:
        raise ValidationError(
            {field: _("Kies een buurt, geen wijk of gemeente.")}, code="not_neighbourhood"
        )
    return area


def _check_point_near(area: Area, point: tuple[int, int]) -> None:
    """A given point must lie near its neighbourhood (within 3 km of its centre)."""
    centre = geo.centre_of(area.boundary)
    if centre is not None and geo.distance_m(*centre, *point) > 3000:
        raise ValidationError(
            {"lat": _("Deze plek ligt niet in of bij de gekozen buurt. Kies een andere plek.")},
            code="point_outside",
        )


def resolve_point(
    area: Area, point: tuple[int, int] | None, profile: HelpProfile | None
) -> tuple[int, int]:
    """The private point of a post: the one given, else the person's own point when it lies in
    the same neighbourhood, else the centre of the neighbourhood."""
    if point is not None:
        _check_point_near(area, point)
        return point
    if (
        profile is not None
        and profile.has_point
        and profile.neighbourhood_id == area.pk
        and profile.lat_e6 is not None
        and profile.lon_e6 is not None
    ):
        return profile.lat_e6, profile.lon_e6
    centre = geo.centre_of(area.boundary)
    if centre is None:
        raise ValidationError(
            {
                "lat": _(
                    "Van deze buurt kennen we geen kaart. Kies uw plek op de kaart of vul de "
                    "coördinaten in."
                )
            },
            code="no_place",
        )
    return centre


def _check_radius(radius_m: Any, field: str = "radius_m") -> int:
    try:
        radius = int(radius_m)
    except (TypeError, ValueError):
        radius = -1
    if radius not in radius_choices():
        raise ValidationError({field: _("Kies een van de afstanden in de lijst.")}, code="radius")
    return radius


def _check_moments(moments: Any) -> int:
    try:
        value = int(moments or 0)
    except (TypeError, ValueError):
        value = -1
    if value < 0 or value & ~ALL_MOMENTS:
        raise ValidationError({"moments": _("Kies dagdelen uit de lijst.")}, code="moments")
    return value


def save_profile(
    user: User,
    *,
    actor: User,
    categories: Iterable[str],
    neighbourhood: Area | None,
    lat: Any = None,
    lon: Any = None,
    radius_m: Any = None,
    moments: Any = 0,
    digest_opt_out: bool = False,
    use_centre: bool = False,
) -> HelpProfile:
    """Save what ``user`` can offer and where. Only the person or someone who may act for them
    may do this. The point stays private; capabilities get a copy for fast matching.

    Without a new point the stored one is kept (same neighbourhood), else the centre of the
    neighbourhood is used (also with ``use_centre``). Once a point is stored it may change
    only once per ``POINT_CHANGE_COOLDOWN_HOURS``: distances are shown from this point, so
    moving it freely would let someone measure from many places."""
    if not may_speak_for(actor, user):
        raise PermissionDenied(_("U kunt dit profiel niet wijzigen."))
    current = get_profile(user)
    errors: dict[str, str] = {}
    cats = sorted(set(categories or []))
    if any(c not in Category.values for c in cats):
        errors["categories"] = _("Kies categorieën uit de lijst.")
    point: tuple[int, int] | None = None
    keep_point = False
    try:
        moments_value = _check_moments(moments)
        radius = _check_radius(radius_m if radius_m is not None else setting("DEFAULT_RADIUS_M"))
        point = parse_point(lat, lon)
        if neighbourhood is not None:
            _check_neighbourhood(neighbourhood)
            if point is not None:
                _check_point_near(neighbourhood, point)
            elif not use_centre and current.neighbourhood_id == neighbourhood.pk:
                keep_point = True  # the stored point, read again under the lock below
            else:
                point = geo.centre_of(neighbourhood.boundary)
        elif point is not None:
            errors["neighbourhood"] = _("Kies ook de buurt waar deze plek ligt.")
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    # The cool-down is checked on the locked row, in the same transaction as the save: two
    # saves at the same time cannot both pass it (the second waits and then sees the first).
    refused_until: datetime | None = None
    with transaction.atomic():
        profile = HelpProfile.objects.select_for_update().get(pk=current.pk)
        if keep_point:
            point = (
                (profile.lat_e6, profile.lon_e6)
                if profile.lat_e6 is not None and profile.lon_e6 is not None
                else geo.centre_of(neighbourhood.boundary if neighbourhood else None)
            )
        stored = (profile.lat_e6, profile.lon_e6) if profile.has_point else None
        point_moves = stored is not None and point != stored
        if point_moves and profile.point_changed_at is not None:
            allowed_from = profile.point_changed_at + timedelta(
                hours=float(setting("POINT_CHANGE_COOLDOWN_HOURS"))
            )
            if now < allowed_from:
                refused_until = allowed_from
        if refused_until is None:
            profile = _store_profile(
                profile,
                user,
                actor,
                neighbourhood=neighbourhood,
                point=point,
                point_moves=point_moves,
                now=now,
                radius=radius,
                moments=moments_value,
                digest_opt_out=digest_opt_out,
                cats=cats,
            )
    if refused_until is not None:
        audit.record(
            actor, "mutualhelp.profile_change", profile, result="denied", reason="cooldown"
        )
        raise ValidationError(
            {
                "lat": _(
                    "U hebt uw plek kort geleden al veranderd. Dat kan niet zo vaak, zodat "
                    "niemand met afstanden kan uitzoeken waar iemand woont. U kunt uw plek "
                    "weer veranderen vanaf %(when)s. Laat de velden tot die tijd leeg."
                )
                % {"when": formats.date_format(timezone.localtime(refused_until), "j F Y, H:i")}
            }
        )
    return profile


def _store_profile(
    profile: HelpProfile,
    user: User,
    actor: User,
    *,
    neighbourhood: Area | None,
    point: tuple[int, int] | None,
    point_moves: bool,
    now: datetime,
    radius: int,
    moments: int,
    digest_opt_out: bool,
    cats: list[str],
) -> HelpProfile:
    """Write a checked profile (called by :func:`save_profile` on the locked row)."""
    before = (
        profile.neighbourhood_id,
        profile.lat_e6,
        profile.lon_e6,
        profile.radius_m,
        profile.moments,
        profile.digest_opt_out,
        sorted(profile.capabilities.values_list("category", flat=True)),
    )
    profile.neighbourhood = neighbourhood
    if point_moves:
        profile.point_changed_at = now
    profile.lat_e6, profile.lon_e6 = point if point else (None, None)
    profile.radius_m = radius
    profile.moments = moments
    profile.digest_opt_out = bool(digest_opt_out)
    profile.last_active_at = timezone.now()
    profile.save()
    profile.capabilities.exclude(category__in=cats).delete()
    existing = set(profile.capabilities.values_list("category", flat=True))
    Capability.objects.bulk_create(
        Capability(profile=profile, user=user, category=c) for c in cats if c not in existing
    )
    profile.capabilities.update(
        lat_e6=profile.lat_e6,
        lon_e6=profile.lon_e6,
        radius_m=profile.radius_m,
        moments=profile.moments,
        vulnerable=profile.vulnerable,
    )
    _sync_activity(user.pk, profile.last_active_at)
    after = (
        profile.neighbourhood_id,
        profile.lat_e6,
        profile.lon_e6,
        profile.radius_m,
        profile.moments,
        profile.digest_opt_out,
        cats,
    )
    names = ("neighbourhood", "lat", "lon", "radius", "moments", "digest", "categories")
    changed = [n for n, a, b in zip(names, before, after, strict=True) if a != b]
    if changed:
        # Which fields changed, never their values (the point is personal data).
        audit.record(actor, "mutualhelp.profile_change", profile, fields=changed)
    return profile


def set_person_vulnerable(actor: User, person: User, vulnerable: bool) -> HelpProfile:
    """Never show the location of this person's posts. Set by the person, someone who acts for
    them, or a community worker of their neighbourhood. Applies to their open posts too."""
    allowed = may_speak_for(actor, person) or is_worker_in(actor, person.home_neighbourhood)
    if not allowed:
        audit.record(actor, "mutualhelp.set_vulnerable", person, result=AuditEvent.Result.DENIED)
        raise PermissionDenied(_("U kunt dit niet aanpassen voor deze persoon."))
    with transaction.atomic():
        profile = get_profile(person)
        profile.vulnerable = bool(vulnerable)
        profile.vulnerable_set_by = actor if vulnerable else None
        profile.save(update_fields=["vulnerable", "vulnerable_set_by", "updated_at"])
        profile.capabilities.update(vulnerable=bool(vulnerable))
        if vulnerable:
            Post.objects.filter(owner=person).exclude(status=Post.Status.CLOSED).update(
                hide_location=True
            )
        audit.record(actor, "mutualhelp.set_vulnerable", person, value=bool(vulnerable))
    return profile


# --- Acting for someone without internet ----------------------------------------------------


def _latest_assisted_consent(person: User) -> Consent | None:
    return (
        Consent.objects.filter(user=person, purpose=Consent.Purpose.ASSISTED_ACCOUNT)
        .order_by("-at", "-id")
        .first()
    )


def has_assisted_consent(person: User) -> bool:
    consent = _latest_assisted_consent(person)
    return bool(consent and consent.given)


def may_act_for(helper: Any, person: User | None) -> bool:
    """``helper`` may post and answer for ``person`` (someone without internet).

    Needs the person's current recorded consent (accounts' ``assisted_account`` consent, not
    withdrawn) and that the helper is the professional who registered them, a community
    worker of their neighbourhood, or a neighbour added as their helper with that consent."""
    if not _is_user(helper) or person is None or person.pk == helper.pk:
        return False
    if not person.is_active or not has_assisted_consent(person):
        return False
    if person.assisted_by_id == helper.pk:
        return True
    if is_worker_in(helper, person.home_neighbourhood):
        return True
    link = (
        AssistedHelper.objects.filter(
            person=person, helper=helper, ended_at__isnull=True, consent__given=True
        )
        .select_related("consent")
        .order_by("-created_at", "-id")
        .first()
    )
    if link is None:
        return False
    # A withdrawal after the consent that added the helper ends the link for good (a new
    # consent later needs the helper to be added again).
    return not Consent.objects.filter(
        Q(at__gt=link.consent.at) | Q(at=link.consent.at, id__gt=link.consent_id),
        user=person,
        purpose=Consent.Purpose.ASSISTED_ACCOUNT,
        given=False,
    ).exists()


def may_speak_for(actor: Any, person: User | None) -> bool:
    """The person themselves, or someone who may act for them."""
    if not _is_user(actor) or person is None:
        return False
    return actor.pk == person.pk or may_act_for(actor, person)


def people_in_care_of(helper: Any) -> QuerySet[User]:
    """People ``helper`` might post for — whether their consent is (still) recorded is checked
    when posting, so that a missing consent gets a clear message instead of a missing name."""
    if not _is_user(helper):
        return User.objects.none()
    worker_areas = worker_area_ids(helper, WORKER_ROLES)
    q = Q(assisted_by=helper) | Q(
        assisted_helpers__helper=helper, assisted_helpers__ended_at__isnull=True
    )
    if worker_areas:
        q |= Q(assisted_by__isnull=False, email__isnull=True) & in_areas_q(
            worker_areas, "home_neighbourhood"
        )
    ids = User.objects.filter(q, is_active=True).exclude(pk=helper.pk).values("pk")
    return (
        User.objects.filter(pk__in=ids)
        .select_related("home_neighbourhood")
        .order_by("display_name", "pk")
    )


def people_helped_by(helper: Any) -> list[User]:
    """The people ``helper`` may currently post for (with their consent), by name."""
    return [p for p in people_in_care_of(helper) if may_act_for(helper, p)]


def add_assisted_helper(
    actor: User, person: User, helper: User, *, method: str, note: str = ""
) -> AssistedHelper:
    """A community worker records that ``person`` agrees that neighbour ``helper`` posts and
    answers for them. The consent is written with the accounts consent records."""
    if not (person.assisted_by_id == actor.pk or is_worker_in(actor, person.home_neighbourhood)):
        audit.record(actor, "mutualhelp.add_helper", person, result=AuditEvent.Result.DENIED)
        raise PermissionDenied(
            _("Alleen de buurtwerker van deze bewoner kan een helpende buurtgenoot toevoegen.")
        )
    if method not in HELPER_CONSENT_METHODS:
        raise ValidationError(
            {"method": _("Kies hoe de bewoner toestemming gaf.")}, code="no_consent"
        )
    if helper.pk == person.pk or not helper.is_active:
        raise ValidationError({"helper": _("Kies een andere buurtgenoot.")}, code="invalid")
    if len(_text(note)) > 300:
        raise ValidationError({"note": _("Gebruik hoogstens 300 tekens.")})
    with transaction.atomic():
        consent = account_services.record_consent(
            person,
            Consent.Purpose.ASSISTED_ACCOUNT,
            True,
            method=method,
            actor=actor,
            note=(
                _("Burenhulp: %(name)s mag namens deze bewoner hulp vragen en aanbieden.")
                % {"name": helper.display_name}
                + (" " + _text(note) if note else "")
            )[:500],
        )
        AssistedHelper.objects.filter(person=person, helper=helper, ended_at__isnull=True).update(
            ended_at=timezone.now()
        )
        link = AssistedHelper.objects.create(
            person=person, helper=helper, consent=consent, added_by=actor
        )
        audit.record(actor, "mutualhelp.add_helper", person, helper=helper.pk, consent=consent.pk)
    return link


def end_assisted_helper(actor: User, link: AssistedHelper) -> None:
    person = link.person
    if not (
        actor.pk in (link.helper_id, person.pk, person.assisted_by_id)
        or is_worker_in(actor, person.home_neighbourhood)
    ):
        raise PermissionDenied(_("U kunt deze hulp niet beëindigen."))
    with transaction.atomic():
        link.ended_at = timezone.now()
        link.save(update_fields=["ended_at"])
        audit.record(actor, "mutualhelp.end_helper", person, helper=link.helper_id)


# --- Posts ------------------------------------------------------------------------------------


def create_post(
    actor: Any,
    *,
    direction: str,
    category: str,
    title: str,
    neighbourhood: Area | None,
    owner: User | None = None,
    kind: str = Kind.TASK,
    description: str = "",
    lat: Any = None,
    lon: Any = None,
    radius_m: Any = None,
    recurrence: str = Recurrence.ONCE,
    moments: Any = 0,
    starts_at: datetime | None = None,
    return_by: date | None = None,
    ride_from: str = "",
    ride_to: str = "",
    seats: Any = None,
    hide_location: bool = False,
    now: datetime | None = None,
) -> Post:
    """Place a request or an offer. ``owner`` is the person it is for (default: the actor);
    a different owner needs that person's recorded consent (see :func:`may_act_for`)."""
    _require_signed_in(actor)
    now = now or timezone.now()
    owner = owner or actor
    assert owner is not None
    if owner.pk != actor.pk and not may_act_for(actor, owner):
        audit.record(
            actor,
            "mutualhelp.post_create",
            None,
            result=AuditEvent.Result.DENIED,
            on_behalf_of=owner.pk,
        )
        raise ValidationError(
            {
                "owner": _(
                    "U kunt niet namens deze persoon plaatsen: er is geen vastgelegde "
                    "toestemming van hem of haar. Vraag de buurtwerker om die vast te leggen."
                )
            },
            code="no_consent",
        )

    errors: dict[str, str] = {}
    title, description = _text(title), _text(description)
    ride_from, ride_to = _text(ride_from), _text(ride_to)
    if direction not in Direction.values:
        errors["direction"] = _("Kies of u iets vraagt of aanbiedt.")
    if not category:
        errors["category"] = _("Kies een categorie.")
    elif category not in Category.values:
        errors["category"] = _("Kies een categorie uit de lijst.")
    if kind not in Kind.values:
        errors["kind"] = _("Kies een soort hulp uit de lijst.")
    if recurrence not in Recurrence.values:
        errors["recurrence"] = _("Kies hoe vaak.")
    if not title:
        errors["title"] = _("Schrijf in een paar woorden waar het om gaat.")
    _check_length(errors, "title", title, 120)
    _check_length(errors, "description", description, 2000)
    _check_length(errors, "ride_from", ride_from, 100)
    _check_length(errors, "ride_to", ride_to, 100)
    seats_value: int | None = None
    if seats not in (None, ""):
        try:
            seats_value = int(seats)
        except (TypeError, ValueError):
            errors["seats"] = _("Vul een aantal plaatsen in (een heel getal).")
    if kind == Kind.RIDE:
        if seats_value is None or seats_value < 1:
            errors.setdefault(
                "seats", _("Een rit heeft minstens één plaats nodig. Vul het aantal plaatsen in.")
            )
        elif seats_value > 8:
            errors["seats"] = _("Vul hoogstens 8 plaatsen in.")
        if not ride_to:
            errors["ride_to"] = _("Vul in waar de rit naartoe gaat.")
    elif seats_value is not None and seats_value < 1:
        errors["seats"] = _("Vul minstens 1 plaats in, of laat het veld leeg.")
    if kind != Kind.RIDE:
        ride_from = ride_to = ""
        seats_value = None
    if starts_at is not None and starts_at < now - timedelta(hours=1):
        errors["starts_at"] = _("Deze datum en tijd liggen in het verleden.")
    if return_by is not None:
        if kind != Kind.LEND:
            return_by = None
        elif return_by < timezone.localdate(now):
            errors["return_by"] = _("De terugbrengdatum ligt in het verleden.")
        elif starts_at is not None and return_by < timezone.localdate(starts_at):
            errors["return_by"] = _("De terugbrengdatum ligt vóór de datum van lenen.")
    point: tuple[int, int] | None = None
    radius = 0
    moments_value = 0
    try:
        moments_value = _check_moments(moments)
        radius = _check_radius(
            radius_m if radius_m not in (None, "") else setting("DEFAULT_RADIUS_M")
        )
        area = _check_neighbourhood(neighbourhood)
        point = resolve_point(area, parse_point(lat, lon), get_profile(owner))
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, messages[0])
    if errors:
        raise ValidationError(errors)
    assert neighbourhood is not None and point is not None

    profile = get_profile(owner)
    with transaction.atomic():
        post = Post(
            direction=direction,
            kind=kind,
            category=category,
            title=title,
            description=description,
            owner=owner,
            created_by=actor,
            neighbourhood=neighbourhood,
            lat_e6=point[0],
            lon_e6=point[1],
            radius_m=radius,
            hide_location=bool(hide_location) or profile.vulnerable,
            owner_active_at=profile.last_active_at,
            recurrence=recurrence,
            moments=moments_value,
            starts_at=starts_at,
            return_by=return_by,
            ride_from=ride_from,
            ride_to=ride_to,
            seats=seats_value,
            created_at=now,
        )
        post.full_clean(exclude=["owner", "created_by", "neighbourhood", "agreed_with"])
        post.save()
        audit.record(
            actor,
            "mutualhelp.post_create",
            post,
            direction=direction,
            category=category,
            on_behalf_of=owner.pk if owner.pk != actor.pk else None,
        )
    touch_active(actor)
    return post


def is_post_side(user: Any, post: Post) -> bool:
    """The user speaks for the post: its owner, who placed it, or someone acting for the owner."""
    if not _is_user(user):
        return False
    return user.pk in post.side_user_ids() or may_act_for(user, post.owner)


def _set_status(actor: Any, post: Post, status: str, action: str, allowed_from: set[str]) -> Post:
    if not is_post_side(actor, post):
        audit.record(actor, action, post, result=AuditEvent.Result.DENIED)
        raise PermissionDenied(_("Alleen wie dit plaatste kan dit doen."))
    with transaction.atomic():
        locked = Post.objects.select_for_update().get(pk=post.pk)
        if locked.status not in allowed_from:
            raise ValidationError(
                _("Dit kan niet meer: de status is nu “%(status)s”.")
                % {"status": locked.get_status_display()},
                code="status",
            )
        locked.status = status
        fields = ["status", "updated_at"]
        if status in (Post.Status.CLOSED, Post.Status.WITHDRAWN):
            locked.closed_at = timezone.now()
            fields.append("closed_at")
        if status == Post.Status.OPEN:
            locked.agreed_with = None
            fields.append("agreed_with")
        locked.save(update_fields=fields)
        audit.record(actor, action, locked)
    post.refresh_from_db()
    return post


def withdraw_post(actor: Any, post: Post) -> Post:
    return _set_status(
        actor,
        post,
        Post.Status.WITHDRAWN,
        "mutualhelp.post_withdraw",
        {Post.Status.OPEN, Post.Status.AGREED},
    )


def close_post(actor: Any, post: Post) -> Post:
    return _set_status(
        actor,
        post,
        Post.Status.CLOSED,
        "mutualhelp.post_close",
        {Post.Status.OPEN, Post.Status.AGREED},
    )


def reopen_post(actor: Any, post: Post) -> Post:
    """Back to open, e.g. when an agreement fell through."""
    return _set_status(
        actor, post, Post.Status.OPEN, "mutualhelp.post_reopen", {Post.Status.AGREED}
    )


def set_post_hidden_location(actor: Any, post: Post, hide: bool) -> Post:
    """Never (or again) show this post's location. By its side or a community worker."""
    if not (is_post_side(actor, post) or is_worker_in(actor, post.neighbourhood)):
        audit.record(actor, "mutualhelp.post_hide_location", post, result="denied")
        raise PermissionDenied(_("U kunt dit niet aanpassen."))
    if not hide and get_profile(post.owner).vulnerable:
        raise ValidationError(
            _(
                "Deze persoon wil dat een plek nooit getoond wordt. Pas dat eerst aan in het "
                "profiel."
            )
        )
    with transaction.atomic():
        post.hide_location = bool(hide)
        post.save(update_fields=["hide_location", "updated_at"])
        audit.record(actor, "mutualhelp.post_hide_location", post, value=bool(hide))
    return post


def can_view_post(user: Any, post: Post) -> bool:
    """Open posts are visible to signed-in people; anonymous visitors see only open posts with
    a shown location (the neighbourhood page). The side, conversation partners and community
    workers see the post in any state except that hidden posts are for the side and workers."""
    if _is_user(user):
        if is_post_side(user, post) or may_moderate(user, post.neighbourhood):
            return True
        if post.status == Post.Status.OPEN:
            return True
        if post.status in (Post.Status.AGREED, Post.Status.CLOSED):
            return Conversation.objects.filter(post=post, participant=user).exists()
        return False
    return post.status == Post.Status.OPEN and not post.hide_location


def may_see_places(user: Any, post: Post) -> bool:
    """Whether ``user`` may see where a post is: its neighbourhood and a ride's from/to.

    Always for a post whose location may be shown. A vulnerable person's post
    (``hide_location``) shows them only to its own side (the person, whoever placed it for
    them, someone acting for them) and to a helper with whom contact details were exchanged
    by mutual agreement (both sides ticked "share" in their conversation)."""
    if not post.hide_location:
        return True
    if not _is_user(user):
        return False
    if is_post_side(user, post):
        return True
    shared = Conversation.objects.filter(
        post=post, post_side_shares_contact=True, participant_shares_contact=True
    ).select_related("participant")
    return any(user.pk == c.participant_id or may_act_for(user, c.participant) for c in shared)


def _jitter_m() -> float:
    return float(setting("DISTANCE_JITTER_M"))


def visible_distance(post: Post, viewer_point: tuple[int, int] | None) -> int | None:
    """The distance (metres, to be shown only via :func:`geo.format_distance`) from the
    viewer to a post's jittered point (:func:`geo.jittered`), or ``None`` when it must not or
    cannot be shown."""
    if post.hide_location or viewer_point is None:
        return None
    return geo.shown_distance_m(*viewer_point, post.lat_e6, post.lon_e6, _jitter_m())


def candidate_distance(post: Post, candidate: matching.Candidate) -> int | None:
    """The distance that may be shown from a post to a candidate (to the candidate's jittered
    point), or ``None`` for a vulnerable candidate. Ranking uses the exact distance."""
    if candidate.hide_location:
        return None
    return geo.shown_distance_m(
        post.lat_e6, post.lon_e6, candidate.lat_e6, candidate.lon_e6, _jitter_m()
    )


def viewer_point(user: Any) -> tuple[int, int] | None:
    if not _is_user(user):
        return None
    profile = HelpProfile.objects.filter(user=user).only("lat_e6", "lon_e6").first()
    if profile is None or profile.lat_e6 is None or profile.lon_e6 is None:
        return None
    return profile.lat_e6, profile.lon_e6


#: The columns a list of posts shows (the neighbourhood page, paper): not the description.
LIST_FIELDS = (
    "id",
    "direction",
    "kind",
    "category",
    "title",
    "owner_id",
    "owner__display_name",
    "neighbourhood_id",
    "lat_e6",
    "lon_e6",
    "hide_location",
    "recurrence",
    "ride_to",
    "created_at",
)


def neighbourhood_posts(area: Area, direction: str, now: datetime | None = None) -> QuerySet[Post]:
    """Open posts of a neighbourhood that may be listed publicly (never a vulnerable
    person's), newest first, with only the columns a list shows."""
    now = now or timezone.now()
    return (
        Post.objects.listed()
        .filter(matching.current_posts_q(now), neighbourhood=area, direction=direction)
        .select_related("owner")
        .only(*LIST_FIELDS)
        .order_by("-created_at", "-id")
    )


def neighbourhood_lists(
    area: Area, slices: dict[str, tuple[int, int]], now: datetime | None = None
) -> dict[str, list[Post]]:
    """The posts of :func:`neighbourhood_posts` for several directions, each cut to
    ``[bottom:top]``. Where the database can order and limit inside a ``UNION ALL``
    (PostgreSQL) this is one query for all directions, else one query each (SQLite)."""
    now = now or timezone.now()
    parts = [neighbourhood_posts(area, d, now)[bottom:top] for d, (bottom, top) in slices.items()]
    lists: dict[str, list[Post]] = {d: [] for d in slices}
    if len(parts) > 1 and connection.features.supports_slicing_ordering_in_compound:
        for post in parts[0].union(*parts[1:], all=True):
            lists[post.direction].append(post)
        for posts in lists.values():  # UNION ALL keeps no order by itself
            posts.sort(key=lambda p: (p.created_at, p.pk), reverse=True)
    else:
        for direction, part in zip(slices, parts, strict=True):
            lists[direction] = list(part)
    return lists


def neighbourhood_counts(area: Area, now: datetime | None = None) -> dict[str, int]:
    """How many posts :func:`neighbourhood_posts` lists per direction, in one query (answered
    from the listing index)."""
    now = now or timezone.now()
    rows = (
        Post.objects.listed()
        .filter(matching.current_posts_q(now), neighbourhood=area)
        .order_by()
        .values_list("direction")
        .annotate(n=Count("id"))
    )
    return dict(rows)


# --- Matching (with permissions) ---------------------------------------------------------------


def candidates_for(actor: Any, post: Post, limit: int | None = None) -> list[matching.Candidate]:
    """The ranked candidates for a post, for the people who speak for it."""
    if not is_post_side(actor, post):
        raise PermissionDenied(_("Alleen wie dit plaatste ziet wie kan helpen."))
    if post.status != Post.Status.OPEN:
        return []
    return matching.find_candidates(post, limit=limit or int(setting("CANDIDATES_SHOWN")))


# --- Blocks -----------------------------------------------------------------------------------


def is_blocked_between(a: Iterable[int], b: Iterable[int]) -> bool:
    a_ids, b_ids = list(set(a)), list(set(b))
    return Block.objects.filter(
        Q(blocker_id__in=a_ids, blocked_id__in=b_ids)
        | Q(blocker_id__in=b_ids, blocked_id__in=a_ids)
    ).exists()


def block(actor: Any, user: User) -> Block:
    _require_signed_in(actor)
    if user.pk == actor.pk:
        raise ValidationError(_("U kunt uzelf niet blokkeren."))
    with transaction.atomic():
        existing = Block.objects.filter(blocker=actor, blocked=user).first()
        if existing is not None:
            return existing
        blocked = Block.objects.create(blocker=actor, blocked=user)
        audit.record(actor, "mutualhelp.block", blocked, blocked=user.pk)
    return blocked


def unblock(actor: Any, user: User) -> bool:
    _require_signed_in(actor)
    with transaction.atomic():
        deleted, _rows = Block.objects.filter(blocker=actor, blocked=user).delete()
        if deleted:
            audit.record(actor, "mutualhelp.unblock", None, blocked=user.pk)
    return bool(deleted)


# --- Conversations and messages ---------------------------------------------------------------


def side_of(user: Any, conversation: Conversation) -> str | None:
    """``"post"``, ``"participant"`` or ``None``: which side ``user`` speaks for."""
    if not _is_user(user):
        return None
    post = conversation.post
    if is_post_side(user, post):
        return "post"
    if user.pk == conversation.participant_id or may_act_for(user, conversation.participant):
        return "participant"
    return None


def _block_check(actor: Any, post: Post, participant: User) -> None:
    post_side = post.side_user_ids() | {actor.pk}
    if is_blocked_between(post_side - {participant.pk}, {participant.pk}) or is_blocked_between(
        {actor.pk}, {post.owner_id, participant.pk} - {actor.pk}
    ):
        audit.record(
            actor,
            "mutualhelp.message_send",
            post,
            result=AuditEvent.Result.DENIED,
            reason="blocked",
        )
        raise ValidationError(
            {
                "body": _(
                    "U kunt deze persoon geen bericht sturen: een van u beiden heeft de ander "
                    "geblokkeerd."
                )
            },
            code="blocked",
        )


def _clean_body(body: str) -> str:
    body = _text(body)
    if not body:
        raise ValidationError({"body": _("Schrijf een bericht.")}, code="required")
    if len(body) > 2000:
        raise ValidationError({"body": _("Gebruik hoogstens 2000 tekens.")}, code="max_length")
    return body


def start_conversation(
    actor: Any,
    post: Post,
    *,
    body: str,
    participant: User | None = None,
    other_post: Post | None = None,
) -> tuple[Conversation, Message]:
    """Reply to a post (``participant`` is the actor, or someone they act for), or — from the
    post's side — contact a candidate (``participant`` is the candidate)."""
    _require_signed_in(actor)
    body = _clean_body(body)
    post_side = is_post_side(actor, post)
    if participant is None:
        participant = actor
    assert participant is not None
    if participant.pk in post.side_user_ids():
        raise ValidationError(_("Dit is uw eigen bericht: u kunt niet met uzelf praten."))
    if not post_side and not may_speak_for(actor, participant):
        raise PermissionDenied(_("U kunt niet namens deze persoon reageren."))
    if post.status != Post.Status.OPEN:
        raise ValidationError(
            {"body": _("Op dit bericht kunt u niet meer reageren: het is niet meer open.")},
            code="status",
        )
    if not participant.is_active:
        raise ValidationError({"body": _("Deze persoon doet niet meer mee.")}, code="inactive")
    if other_post is not None and other_post.owner_id != participant.pk:
        other_post = None
    _block_check(actor, post, participant)
    with transaction.atomic():
        conversation, created = Conversation.objects.get_or_create(
            post=post, participant=participant, defaults={"other_post": other_post}
        )
        if created:
            audit.record(
                actor,
                "mutualhelp.conversation_start",
                conversation,
                post=post.pk,
                participant=participant.pk,
            )
        message = _add_message(actor, conversation, body, post_side=post_side)
    return conversation, message


def _add_message(actor: Any, conversation: Conversation, body: str, *, post_side: bool) -> Message:
    now = timezone.now()
    message = Message.objects.create(
        conversation=conversation,
        sender=actor,
        from_post_side=post_side,
        body=body,
        created_at=now,
    )
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=now)
    if not post_side:
        Post.objects.filter(pk=conversation.post_id, first_reply_at__isnull=True).update(
            first_reply_at=now
        )
    audit.record(
        actor,
        "mutualhelp.message_send",
        message,
        conversation=conversation.pk,
        post=conversation.post_id,
        side="post" if post_side else "participant",
        length=len(body),
    )
    touch_active(actor)
    return message


def send_message(actor: Any, conversation: Conversation, body: str) -> Message:
    _require_signed_in(actor)
    side = side_of(actor, conversation)
    if side is None:
        audit.record(actor, "mutualhelp.message_send", conversation, result="denied")
        raise PermissionDenied(_("Dit gesprek is niet van u."))
    body = _clean_body(body)
    post = Post.objects.get(pk=conversation.post_id)
    if post.status in (Post.Status.WITHDRAWN, Post.Status.HIDDEN):
        raise ValidationError(
            {"body": _("Dit gesprek is gesloten: het bericht is ingetrokken of verborgen.")},
            code="status",
        )
    _block_check(actor, post, conversation.participant)
    with transaction.atomic():
        return _add_message(actor, conversation, body, post_side=side == "post")


def conversations_of(user: Any) -> QuerySet[Conversation]:
    """Conversations the user takes part in, for themselves or for people they help."""
    if not _is_user(user):
        return Conversation.objects.none()
    helped = [p.pk for p in people_helped_by(user)]
    return (
        Conversation.objects.filter(
            Q(participant=user)
            | Q(post__owner=user)
            | Q(post__created_by=user)
            | Q(participant_id__in=helped)
            | Q(post__owner_id__in=helped)
        )
        .select_related("post", "participant", "post__owner")
        .distinct()
    )


def share_contact(actor: Any, conversation: Conversation, share: bool) -> Conversation:
    side = side_of(actor, conversation)
    if side is None:
        raise PermissionDenied(_("Dit gesprek is niet van u."))
    if share:
        _block_check(actor, conversation.post, conversation.participant)
    field = "post_side_shares_contact" if side == "post" else "participant_shares_contact"
    with transaction.atomic():
        setattr(conversation, field, bool(share))
        conversation.save(update_fields=[field])
        audit.record(actor, "mutualhelp.contact_share", conversation, side=side, value=bool(share))
    return conversation


@dataclass(frozen=True)
class ContactDetails:
    name: str
    phone: str
    email: str
    via_name: str = ""
    via_phone: str = ""
    via_email: str = ""


def _details(person: User, helper: User | None) -> ContactDetails:
    via = helper if helper is not None and helper.pk != person.pk else None
    return ContactDetails(
        name=person.display_name,
        phone=person.phone,
        email=person.email or "",
        via_name=via.display_name if via else "",
        via_phone=via.phone if via else "",
        via_email=(via.email or "") if via else "",
    )


def contact_details(actor: Any, conversation: Conversation) -> ContactDetails | None:
    """The other side's phone and e-mail, only when both sides agreed to share. Reading them is
    written to the audit log."""
    side = side_of(actor, conversation)
    if side is None:
        raise PermissionDenied(_("Dit gesprek is niet van u."))
    if not conversation.contact_shared:
        return None
    post = conversation.post
    if side == "participant":
        helper = post.created_by if post.on_behalf else None
        details = _details(post.owner, helper)
        other = post.owner_id
    else:
        participant = conversation.participant
        details = _details(participant, participant.assisted_by if not participant.email else None)
        other = participant.pk
    audit.record(actor, "mutualhelp.contact_read", conversation, of=other)
    return details


def agree(actor: Any, conversation: Conversation) -> Post:
    """The post's side agrees with this person: the post is no longer open."""
    if side_of(actor, conversation) != "post":
        raise PermissionDenied(_("Alleen wie de vraag of het aanbod plaatste kan afspreken."))
    _block_check(actor, conversation.post, conversation.participant)
    with transaction.atomic():
        post = Post.objects.select_for_update().get(pk=conversation.post_id)
        if post.status != Post.Status.OPEN:
            raise ValidationError(
                _("U kunt niet meer afspreken: de status is nu “%(status)s”.")
                % {"status": post.get_status_display()},
                code="status",
            )
        post.status = Post.Status.AGREED
        post.agreed_with = conversation
        post.save(update_fields=["status", "agreed_with", "updated_at"])
        audit.record(actor, "mutualhelp.post_agree", post, conversation=conversation.pk)
    return post


# --- Thanks and the bloemetje -----------------------------------------------------------------


def thank(
    actor: Any,
    conversation: Conversation,
    *,
    text: str = "",
    nominate: bool = False,
    reason: str = "",
    today: date | None = None,
) -> Thanks:
    """Say thank you to the other side, optionally with a bloemetje nomination. Thanks from the
    post's side also closes a post that was agreed in this conversation."""
    side = side_of(actor, conversation)
    if side is None:
        raise PermissionDenied(_("Dit gesprek is niet van u."))
    text, reason = _text(text), _text(reason)
    errors: dict[str, str] = {}
    _check_length(errors, "text", text, 1000)
    _check_length(errors, "reason", reason, 500)
    if errors:
        raise ValidationError(errors)
    sides = set(conversation.messages.values_list("from_post_side", flat=True).distinct())
    if sides != {True, False}:
        raise ValidationError(
            _("U kunt bedanken als u allebei een bericht heeft gestuurd."), code="too_early"
        )
    from_post_side = side == "post"
    today = today or timezone.localdate()
    with transaction.atomic():
        # Fresh from the database: the post may have changed since the conversation was read.
        post = Post.objects.select_for_update().select_related("owner").get(pk=conversation.post_id)
        recipient = conversation.participant if from_post_side else post.owner
        if Thanks.objects.filter(conversation=conversation, from_post_side=from_post_side).exists():
            raise ValidationError(_("U heeft in dit gesprek al bedankt."), code="duplicate")
        thanks = Thanks.objects.create(
            conversation=conversation,
            from_user=actor,
            to_user=recipient,
            from_post_side=from_post_side,
            text=text,
        )
        audit.record(actor, "mutualhelp.thank", thanks, conversation=conversation.pk)
        if nominate:
            giver = post.owner if from_post_side else conversation.participant
            nominate_bloemetje(
                actor, recipient, reason=reason, thanks=thanks, today=today, nominator=giver
            )
        if (
            from_post_side
            and post.status == Post.Status.AGREED
            and post.agreed_with_id == conversation.pk
        ):
            post.status = Post.Status.CLOSED
            post.closed_at = timezone.now()
            post.save(update_fields=["status", "closed_at", "updated_at"])
            audit.record(actor, "mutualhelp.post_close", post, via="thanks")
    return thanks


def nominate_bloemetje(
    actor: Any,
    nominee: User,
    *,
    reason: str = "",
    thanks: Thanks | None = None,
    today: date | None = None,
    nominator: User | None = None,
) -> Nomination:
    nominator = nominator or actor
    assert nominator is not None
    if nominee.pk == nominator.pk:
        raise ValidationError({"nominate": _("U kunt uzelf niet voordragen.")})
    area = nominee.home_neighbourhood or (
        thanks.conversation.post.neighbourhood if thanks else None
    )
    if area is None:
        raise ValidationError(
            {"nominate": _("Deze buurtgenoot heeft geen woonbuurt: voordragen kan niet.")}
        )
    month = first_of_month(today or timezone.localdate())
    try:
        with transaction.atomic():
            nomination = Nomination.objects.create(
                thanks=thanks,
                nominee=nominee,
                nominated_by=nominator,
                neighbourhood=area,
                month=month,
                reason=_text(reason)[:500],
            )
    except IntegrityError:
        raise ValidationError(
            {"nominate": _("U heeft deze buurtgenoot deze maand al voorgedragen.")},
            code="duplicate",
        ) from None
    audit.record(actor, "mutualhelp.nominate", nomination, nominee=nominee.pk)
    return nomination


def award_bloemetje(
    actor: Any, area: Area, month: date, recipient: User, citation: str
) -> Bloemetje:
    """The community worker chooses this month's bloemetje from the nominations."""
    if not is_worker_in(actor, area):
        audit.record(actor, "mutualhelp.award_bloemetje", area, result="denied")
        raise PermissionDenied(_("Alleen de buurtwerker kiest het bloemetje."))
    citation = _text(citation)
    if not citation:
        raise ValidationError(
            {"citation": _("Schrijf kort waarom deze buurtgenoot een bloemetje krijgt.")}
        )
    if len(citation) > 500:
        raise ValidationError({"citation": _("Gebruik hoogstens 500 tekens.")})
    month = first_of_month(month)
    if not Nomination.objects.filter(neighbourhood=area, month=month, nominee=recipient).exists():
        raise ValidationError(
            {"recipient": _("Deze buurtgenoot is deze maand niet voorgedragen in deze buurt.")}
        )
    try:
        with transaction.atomic():
            award = Bloemetje.objects.create(
                neighbourhood=area,
                month=month,
                recipient=recipient,
                citation=citation,
                awarded_by=actor,
            )
            audit.record(actor, "mutualhelp.award_bloemetje", award, recipient=recipient.pk)
    except IntegrityError:
        raise ValidationError(
            _("Deze buurt heeft deze maand al een bloemetje."), code="duplicate"
        ) from None
    return award


def set_bloemetje_name_public(actor: Any, award: Bloemetje, public: bool) -> Bloemetje:
    if not may_speak_for(actor, award.recipient):
        raise PermissionDenied(_("Alleen wie het bloemetje kreeg beslist dit."))
    with transaction.atomic():
        award.name_public = bool(public)
        award.save(update_fields=["name_public"])
        audit.record(actor, "mutualhelp.bloemetje_name_public", award, value=bool(public))
    return award


# --- Reports and moderation --------------------------------------------------------------------


def report(
    actor: Any,
    *,
    reason: str,
    text: str = "",
    post: Post | None = None,
    message: Message | None = None,
) -> Report:
    _require_signed_in(actor)
    if (post is None) == (message is None):
        raise ValidationError(_("Meld één bericht of één oproep."))
    if reason not in Report.Reason.values:
        raise ValidationError({"reason": _("Kies een reden.")}, code="required")
    text = _text(text)
    if len(text) > 1000:
        raise ValidationError({"text": _("Gebruik hoogstens 1000 tekens.")})
    if message is not None:
        if side_of(actor, message.conversation) is None:
            raise PermissionDenied(_("U kunt alleen berichten uit uw eigen gesprekken melden."))
        area = message.conversation.post.neighbourhood
        target: Post | Message = message
    else:
        assert post is not None
        if not can_view_post(actor, post):
            raise PermissionDenied(_("Dit bericht kunt u niet zien."))
        area = post.neighbourhood
        target = post
    existing = Report.objects.filter(
        reporter=actor, status=Report.Status.OPEN, post=post, message=message
    ).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        created = Report.objects.create(
            post=post, message=message, neighbourhood=area, reporter=actor, reason=reason, text=text
        )
        audit.record(
            actor,
            "mutualhelp.report",
            created,
            target=target._meta.label_lower,
            target_id=target.pk,
            reason=reason,
        )
    return created


def decide_report(actor: Any, item: Report, decision: str, reason: str) -> Report:
    """A community worker decides on a report, always with a reason. "Hide" hides the post or
    the message; every open report about the same thing is decided along with it."""
    if not may_moderate(actor, item.neighbourhood):
        audit.record(actor, "mutualhelp.moderate", item, result="denied")
        raise PermissionDenied(_("Alleen een buurtwerker van deze buurt kan dit beoordelen."))
    errors: dict[str, str] = {}
    if decision not in Report.Decision.values:
        errors["decision"] = _("Kies een besluit.")
    reason = _text(reason)
    if not reason:
        errors["reason"] = _("Schrijf kort waarom u zo besluit. Dat wordt vastgelegd.")
    elif len(reason) > 1000:
        errors["reason"] = _("Gebruik hoogstens 1000 tekens.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=item.pk)
        if locked.status != Report.Status.OPEN:
            raise ValidationError(_("Over deze melding is al besloten."), code="decided")
        now = timezone.now()
        same = Report.objects.filter(status=Report.Status.OPEN)
        if locked.post_id is not None:
            same = same.filter(post_id=locked.post_id)
        else:
            same = same.filter(message_id=locked.message_id or 0)
        ids = list(same.values_list("pk", flat=True))
        same.update(
            status=Report.Status.DECIDED,
            decision=decision,
            decision_reason=reason,
            decided_by=actor,
            decided_at=now,
        )
        if decision == Report.Decision.HIDE:
            if locked.post_id:
                Post.objects.filter(pk=locked.post_id).update(
                    status=Post.Status.HIDDEN, updated_at=now
                )
            elif locked.message_id is not None:
                Message.objects.filter(pk=locked.message_id).update(hidden=True)
        audit.record(
            actor,
            "mutualhelp.moderate",
            locked,
            decision=decision,
            reason=reason,
            reports=ids,
            post=locked.post_id,
            message=locked.message_id,
        )
    item.refresh_from_db()
    if decision in (Report.Decision.WARN, Report.Decision.HIDE):
        _send_moderation_notice(actor, item)
    return item


def moderation_notice_people(item: Report) -> list[User]:
    """Who is told about a decision on a report: the writer of the message, or the person a
    post is for and whoever placed it for them. Never the reporter's name."""
    if item.message_id is not None and item.message is not None:
        return [item.message.sender]
    if item.post is None:
        return []
    post = item.post
    people = [post.owner]
    if post.on_behalf:
        people.append(post.created_by)
    return people


def notice_unreachable(item: Report) -> list[User]:
    """The people of :func:`moderation_notice_people` nobody can e-mail (no e-mail address,
    no helper with one): the community worker should tell them in another way."""
    return [p for p in moderation_notice_people(item) if _recipient_for(p) is None]


def _send_moderation_notice(actor: User, item: Report) -> None:
    """E-mail the decision "warn" or "hide" with the worker's reason to the people concerned
    (or to whoever reads their e-mail), and write who was told to the audit log."""
    site = str(setting("SITE_URL")).rstrip("/")
    if item.post is not None:
        post = item.post
    else:
        assert item.message is not None
        post = item.message.conversation.post
    told: list[int] = []
    not_reached: list[int] = []
    seen: set[int] = set()
    for person in moderation_notice_people(item):
        recipient = _recipient_for(person) if person.is_active else None
        if recipient is None:
            not_reached.append(person.pk)
            continue
        if recipient.pk in seen:
            continue
        seen.add(recipient.pk)
        context = {
            "recipient": recipient,
            "person": person,
            "for_someone_else": recipient.pk != person.pk,
            "is_message": item.message_id is not None,
            "title": post.title,
            "decision": item.decision,
            "reason": item.decision_reason,
            "worker": actor.display_name,
            "url": site + reverse("mutualhelp:index"),
        }
        with override("nl"):
            subject = (
                _("Burenhulp: een waarschuwing")
                if item.decision == Report.Decision.WARN
                else _("Burenhulp: uw bericht is verborgen")
            )
            body = render_to_string("mutualhelp/email/moderation_notice.txt", context)
        assert recipient.email
        EmailMultiAlternatives(subject, body, to=[recipient.email]).send()
        told.append(recipient.pk)
    audit.record(
        actor,
        "mutualhelp.moderation_notice",
        item,
        decision=item.decision,
        told=told,
        not_reached=not_reached,
    )


def open_reports_for(actor: Any) -> QuerySet[Report]:
    areas = worker_area_ids(actor)
    if not areas and not getattr(actor, "is_superuser", False):
        return Report.objects.none()
    qs = Report.objects.filter(status=Report.Status.OPEN)
    if not getattr(actor, "is_superuser", False):
        qs = qs.filter(in_areas_q(areas))
    return qs.select_related("post", "message", "message__conversation__post", "neighbourhood")


# --- Unanswered requests -----------------------------------------------------------------------


def flag_unanswered(now: datetime | None = None) -> list[Post]:
    """Flag open requests that nobody answered in N days (setting ``UNANSWERED_DAYS``). Only the
    neighbourhood's community workers see the flag."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=int(setting("UNANSWERED_DAYS")))
    with transaction.atomic():
        posts = list(
            Post.objects.select_for_update().filter(
                status=Post.Status.OPEN,
                direction=Direction.REQUEST,
                first_reply_at__isnull=True,
                flagged_unanswered_at__isnull=True,
                created_at__lte=cutoff,
            )
        )
        if posts:
            Post.objects.filter(pk__in=[p.pk for p in posts]).update(flagged_unanswered_at=now)
        for post in posts:
            post.flagged_unanswered_at = now
            audit.record(None, "mutualhelp.flag_unanswered", post, origin="cli")
    return posts


def unanswered_for(actor: Any) -> QuerySet[Post]:
    """Flagged requests still without an answer, in the community worker's areas."""
    areas = worker_area_ids(actor, WORKER_ROLES)
    if not areas:
        return Post.objects.none()
    return (
        Post.objects.filter(
            in_areas_q(areas),
            status=Post.Status.OPEN,
            direction=Direction.REQUEST,
            first_reply_at__isnull=True,
            flagged_unanswered_at__isnull=False,
        )
        .select_related("owner", "neighbourhood")
        .order_by("created_at")
    )


def on_behalf_posts_for(actor: Any) -> QuerySet[Post]:
    """Open posts placed for someone else, in the community worker's areas (for oversight)."""
    areas = worker_area_ids(actor, WORKER_ROLES)
    if not areas:
        return Post.objects.none()
    return (
        Post.objects.filter(in_areas_q(areas), status__in=[Post.Status.OPEN, Post.Status.AGREED])
        .exclude(owner=F("created_by"))
        .select_related("owner", "created_by", "neighbourhood")
    )


def nominations_for(actor: Any, month: date | None = None) -> QuerySet[Nomination]:
    """This month's nominations in the community worker's areas, in the order they came in."""
    areas = worker_area_ids(actor, WORKER_ROLES)
    if not areas:
        return Nomination.objects.none()
    month = first_of_month(month or timezone.localdate())
    return (
        Nomination.objects.filter(in_areas_q(areas), month=month)
        .annotate(
            awarded=Exists(
                Bloemetje.objects.filter(
                    neighbourhood=OuterRef("neighbourhood"), month=OuterRef("month")
                )
            )
        )
        .select_related("nominee", "neighbourhood", "thanks")
        .order_by("neighbourhood__name", "created_at")
    )


def current_bloemetje(area: Area, today: date | None = None) -> Bloemetje | None:
    """This month's bloemetje of a neighbourhood, else last month's."""
    month = first_of_month(today or timezone.localdate())
    previous = first_of_month(month - timedelta(days=1))
    return (
        Bloemetje.objects.filter(neighbourhood=area, month__in=[month, previous])
        .select_related("recipient")
        .order_by("-month")
        .first()
    )


# --- What someone gave and received (never a score) ------------------------------------------


def given_and_received(user: User) -> dict[str, list[Thanks]]:
    """Thanks received and given, as stories (no counts, no ranking)."""
    received = list(
        Thanks.objects.filter(to_user=user)
        .select_related("conversation__post", "from_user")
        .order_by("-created_at")[:50]
    )
    given = list(
        Thanks.objects.filter(from_user=user)
        .select_related("conversation__post", "to_user")
        .order_by("-created_at")[:50]
    )
    return {"received": received, "given": given}


# --- The daily e-mail --------------------------------------------------------------------------

_optout_signer = TimestampSigner(salt="buurtbasis.mutualhelp.digest-optout")


def optout_token(user: User) -> str:
    return _optout_signer.sign(str(user.pk))


def user_for_optout_token(token: str) -> User | None:
    try:
        pk = _optout_signer.unsign(token, max_age=timedelta(days=60))
    except BadSignature:
        return None
    return User.objects.filter(pk=pk, is_active=True).first()


def opt_out_of_digest(user: User, *, actor: Any = None) -> HelpProfile:
    with transaction.atomic():
        profile = get_profile(user)
        profile.digest_opt_out = True
        profile.save(update_fields=["digest_opt_out", "updated_at"])
        audit.record(actor or user, "mutualhelp.digest_optout", profile)
    return profile


def build_digest(now: datetime | None = None) -> int:
    """Queue the lines for the daily e-mail: for every new open request its best candidates,
    for every new open offer the people with a matching open request nearby, and for the
    community workers the requests that were just flagged as unanswered. Returns the number of
    new lines."""
    now = now or timezone.now()
    lines: list[DigestEntry] = []
    new_posts = list(
        Post.objects.filter(status=Post.Status.OPEN, digested_at__isnull=True).select_related(
            "owner"
        )
    )
    for post in new_posts:
        limit = int(setting("CANDIDATES_MAILED"))
        for c in matching.find_candidates(post, limit=limit, now=now):
            if post.is_request:
                lines.append(
                    DigestEntry(
                        user_id=c.user_id,
                        post=post,
                        reason=DigestEntry.Reason.CANDIDATE,
                        distance_m=visible_distance(post, (c.lat_e6, c.lon_e6)),
                    )
                )
            elif c.post_id is not None:
                lines.append(
                    DigestEntry(
                        user_id=c.user_id,
                        post=post,
                        reason=DigestEntry.Reason.OFFER_NEARBY,
                        distance_m=visible_distance(post, (c.lat_e6, c.lon_e6)),
                    )
                )
    flagged = Post.objects.filter(
        status=Post.Status.OPEN,
        direction=Direction.REQUEST,
        first_reply_at__isnull=True,
        flagged_unanswered_at__isnull=False,
        flagged_unanswered_at__gte=now - timedelta(days=1),
    ).select_related("neighbourhood")
    for post in flagged:
        worker_ids = Membership.objects.filter(
            role=Role.PROFESSIONAL,
            area_id__in=covering_ids(post.neighbourhood),
            user__is_active=True,
        ).values_list("user_id", flat=True)
        for uid in set(worker_ids):
            lines.append(DigestEntry(user_id=uid, post=post, reason=DigestEntry.Reason.UNANSWERED))
    with transaction.atomic():
        before = DigestEntry.objects.count()
        DigestEntry.objects.bulk_create(lines, ignore_conflicts=True)
        created = DigestEntry.objects.count() - before
        Post.objects.filter(pk__in=[p.pk for p in new_posts]).update(digested_at=now)
    return created


def _recipient_for(user: User) -> User | None:
    """Who reads e-mail for ``user``: themselves, or for someone without e-mail, the person
    who helps them."""
    if user.email:
        return user
    if user.assisted_by_id and user.assisted_by and user.assisted_by.email:
        return user.assisted_by
    link = (
        AssistedHelper.objects.filter(person=user, ended_at__isnull=True)
        .select_related("helper")
        .order_by("-created_at")
        .first()
    )
    return link.helper if link and link.helper.email else None


def send_digest(now: datetime | None = None, *, site_url: str | None = None) -> dict[str, int]:
    """Send one e-mail per person with their unsent lines; people who opted out (or withdrew
    consent for e-mail) get none, and their lines are dropped. Returns counts."""
    now = now or timezone.now()
    site = (site_url or str(setting("SITE_URL"))).rstrip("/")
    pending = (
        DigestEntry.objects.filter(sent_at__isnull=True)
        .select_related("post", "post__neighbourhood", "user", "user__assisted_by")
        .order_by("user_id", "reason", "post__created_at")
    )
    per_user: dict[int, list[DigestEntry]] = defaultdict(list)
    for line in pending:
        per_user[line.user_id].append(line)
    sent = skipped = 0
    withdrawn = account_services.email_opt_outs(per_user)
    for lines in per_user.values():
        user = lines[0].user
        profile = HelpProfile.objects.filter(user=user).first()
        recipient = _recipient_for(user) if user.is_active else None
        still_open = [
            line
            for line in lines
            if line.post.status == Post.Status.OPEN
            and (line.reason != DigestEntry.Reason.UNANSWERED or line.post.first_reply_at is None)
        ]
        opted_out = (profile is not None and profile.digest_opt_out) or user.pk in withdrawn
        if recipient is None or opted_out or not still_open:
            skipped += 1
        else:
            _mail_digest(user, recipient, still_open, site)
            sent += 1
        DigestEntry.objects.filter(pk__in=[line.pk for line in lines]).update(sent_at=now)
    audit.record(None, "mutualhelp.digest_sent", None, origin="cli", sent=sent, skipped=skipped)
    return {"sent": sent, "skipped": skipped}


def _mail_digest(user: User, recipient: User, lines: list[DigestEntry], site: str) -> None:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in lines:
        groups[line.reason].append(
            {
                "title": line.post.title,
                "category": line.post.get_category_display(),
                "direction": line.post.get_direction_display(),
                "distance": geo.format_distance(line.distance_m)
                if line.distance_m is not None and not line.post.hide_location
                else "",
                "url": site + line.post.get_absolute_url(),
            }
        )
    optout_url = site + reverse("mutualhelp:digest_optout", kwargs={"token": optout_token(user)})
    context = {
        "user": user,
        "recipient": recipient,
        "for_someone_else": recipient.pk != user.pk,
        "candidate": groups.get(DigestEntry.Reason.CANDIDATE, []),
        "offer_nearby": groups.get(DigestEntry.Reason.OFFER_NEARBY, []),
        "unanswered": groups.get(DigestEntry.Reason.UNANSWERED, []),
        "optout_url": optout_url,
        "site": site,
    }
    with override("nl"):
        subject = _("Burenhulp: wie kunt u vandaag helpen?")
        body = render_to_string("mutualhelp/email/digest.txt", context)
        html = render_to_string("mutualhelp/email/digest.html", context)
    assert recipient.email
    mail = EmailMultiAlternatives(
        subject,
        body,
        to=[recipient.email],
        headers={"List-Unsubscribe": f"<{optout_url}>"},
    )
    mail.attach_alternative(html, "text/html")
    mail.send()
