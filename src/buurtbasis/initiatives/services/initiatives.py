"""The initiative itself: creating and changing it (only its initiators), its state, co-owners,
participants, comments, needs and the answers to them, stories and expenses."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from buurtbasis.accounts.models import User
from buurtbasis.areas.models import Area, Level
from buurtbasis.core import audit
from buurtbasis.places.images import validate_image

from ..models import (
    Comment,
    Expense,
    GrantRequest,
    Initiative,
    InitiativeTheme,
    Need,
    NeedAnswer,
    Owner,
    Participant,
    Story,
    Theme,
)
from ..rules import district_of, forget_involvement, holds_role_in_district, is_owner_of
from .common import cents, notify, require, site_url, text

#: The five fields a new initiative needs; everything else is optional.
REQUIRED_FIELDS = ("name", "description", "area", "contact", "needs_text")
MAX_DESCRIPTION = 4000
MAX_STORY = 4000
MAX_COMMENT = 2000


def _owners(initiative: Initiative) -> list[User]:
    users = {o.user for o in initiative.owners.select_related("user")}
    if initiative.created_by is not None:
        users.add(initiative.created_by)
    return sorted(users, key=lambda u: u.pk)


def _forget_owners(initiative: Initiative) -> None:
    forget_involvement(initiative)


def _clean(values: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    """Check the fields of an initiative; returns the cleaned values. Only keys present are
    checked (a change may touch a few)."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}

    def check(field: str, fn: Any) -> None:
        try:
            clean[field] = fn()
        except ValidationError as exc:
            for message in exc.message_dict.get(field, exc.messages):
                errors.setdefault(field, message)

    if creating or "name" in values:
        check(
            "name",
            lambda: text(values.get("name"), "name", max_length=120, label=_("een naam")),
        )
    if creating or "description" in values:
        check(
            "description",
            lambda: text(
                values.get("description"),
                "description",
                max_length=MAX_DESCRIPTION,
                label=_("wat je wilt doen"),
            ),
        )
    if creating or "contact" in values:
        check(
            "contact",
            lambda: text(
                values.get("contact"),
                "contact",
                max_length=200,
                label=_("hoe mensen je kunnen bereiken"),
            ),
        )
    if creating or "needs_text" in values:
        check(
            "needs_text",
            lambda: text(
                values.get("needs_text"),
                "needs_text",
                max_length=MAX_DESCRIPTION,
                label=_("wat je nodig hebt"),
            ),
        )
    if creating or "area" in values:
        area = values.get("area")
        if not isinstance(area, Area) or area.level != Level.NEIGHBOURHOOD:
            errors["area"] = _("Kies de buurt waar het initiatief plaatsvindt.")
        else:
            clean["area"] = area
    if "state_note" in values:
        check(
            "state_note",
            lambda: text(
                values.get("state_note"), "state_note", max_length=500, required=False, label=""
            ),
        )
    if "state" in values:
        if values["state"] not in Initiative.State.values:
            errors["state"] = _("Kies hoe het ervoor staat.")
        else:
            clean["state"] = values["state"]
    if "themes" in values:
        themes = list(dict.fromkeys(values.get("themes") or []))
        if any(t not in Theme.values for t in themes):
            errors["themes"] = _("Onbekend thema.")
        clean["themes"] = themes
    for field in ("starts_on", "ends_on"):
        if field in values:
            value = values.get(field)
            if value is not None and not isinstance(value, datetime.date):
                errors[field] = _("Geef een datum.")
            clean[field] = value
    starts, ends = clean.get("starts_on"), clean.get("ends_on")
    if starts and ends and ends < starts:
        errors["ends_on"] = _("De einddatum ligt vóór de begindatum.")
    if errors:
        raise ValidationError(errors)
    return clean


def _check_links(values: dict[str, Any], area: Area) -> dict[str, Any]:
    """Place and agenda goals must be of the initiative's own district (or municipality)."""
    clean: dict[str, Any] = {}
    district = area.parent
    if "place" in values:
        place = values.get("place")
        if place is not None and place.area.municipality_id != area.municipality_id:
            raise ValidationError({"place": _("Kies een plek in de eigen gemeente.")})
        clean["place"] = place
    if "agenda_goals" in values:
        goals = list(values.get("agenda_goals") or [])
        allowed = {area.pk, district.pk if district else None}
        if any(goal.agenda.area_id not in allowed for goal in goals):
            raise ValidationError(
                {"agenda_goals": _("Kies doelen van de agenda van de eigen buurt of wijk.")}
            )
        clean["agenda_goals"] = goals
    return clean


def _store_photo(initiative: Initiative, photo: UploadedFile) -> None:
    ext = validate_image(photo)
    initiative.photo.save(f"initiatief-{initiative.pk}.{ext}", photo, save=False)


def create_initiative(
    actor: Any, *, photo: UploadedFile | None = None, **values: Any
) -> Initiative:
    """A new initiative with the five required fields (``REQUIRED_FIELDS``) and any optional
    ones (themes, agenda_goals, place, starts_on, ends_on, state, state_note). The person who
    creates it is its first initiator."""
    require(actor, "initiatives.add_initiative", None, "initiatives.create")
    unknown = set(values) - {
        *REQUIRED_FIELDS,
        "themes",
        "agenda_goals",
        "place",
        "starts_on",
        "ends_on",
        "state",
        "state_note",
    }
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    clean = _clean(values, creating=True)
    clean.update(_check_links(values, clean["area"]))
    if photo is not None:
        validate_image(photo)
    themes = clean.pop("themes", [])
    goals = clean.pop("agenda_goals", [])
    with transaction.atomic():
        initiative = Initiative.objects.create(created_by=actor, **clean)
        Owner.objects.create(initiative=initiative, user=actor, added_by=actor)
        InitiativeTheme.objects.bulk_create(
            [InitiativeTheme(initiative=initiative, theme=t) for t in themes]
        )
        if goals:
            initiative.agenda_goals.set(goals)
        if photo is not None:
            _store_photo(initiative, photo)
            initiative.save(update_fields=["photo"])
        audit.record(actor, "initiatives.create", initiative, area=initiative.area.code)
    return initiative


def update_initiative(
    initiative: Initiative,
    actor: Any,
    *,
    photo: UploadedFile | None = None,
    remove_photo: bool = False,
    **values: Any,
) -> Initiative:
    """Change an initiative: only its initiators may."""
    require(actor, "initiatives.change_initiative", initiative, "initiatives.change")
    clean = _clean(values, creating=False)
    clean.update(_check_links(values, clean.get("area", initiative.area)))
    if photo is not None:
        validate_image(photo)
    themes = clean.pop("themes", None)
    goals = clean.pop("agenda_goals", None)
    with transaction.atomic():
        for field, value in clean.items():
            setattr(initiative, field, value)
        initiative.full_clean(exclude=["photo", "place", "host", "account", "created_by"])
        initiative.save()
        if themes is not None:
            initiative.themes.exclude(theme__in=themes).delete()
            have = set(initiative.themes.values_list("theme", flat=True))
            InitiativeTheme.objects.bulk_create(
                [InitiativeTheme(initiative=initiative, theme=t) for t in themes if t not in have]
            )
        if goals is not None:
            initiative.agenda_goals.set(goals)
        if remove_photo and initiative.photo:
            initiative.photo.delete(save=False)
            initiative.save(update_fields=["photo"])
        if photo is not None:
            _store_photo(initiative, photo)
            initiative.save(update_fields=["photo"])
        audit.record(
            actor,
            "initiatives.change",
            initiative,
            fields=sorted([*clean, *(["themes"] if themes is not None else [])]),
        )
    return initiative


def set_state(initiative: Initiative, actor: Any, state: str, note: str = "") -> Initiative:
    """Idea, running, paused or ended, with the initiators' own words."""
    return update_initiative(initiative, actor, state=state, state_note=note)


def add_owner(initiative: Initiative, actor: Any, email: str) -> Owner:
    """Make the person with this e-mail address a co-owner."""
    require(actor, "initiatives.manage_owners", initiative, "initiatives.add_owner")
    user = User.objects.filter(email__iexact=(email or "").strip(), is_active=True).first()
    if user is None:
        raise ValidationError(
            {
                "email": _(
                    "Er is niemand met dit e-mailadres. Vraag diegene eerst een account te maken."
                )
            }
        )
    if initiative.owners.filter(user=user).exists():
        raise ValidationError({"email": _("Deze persoon is al initiatiefnemer.")})
    with transaction.atomic():
        owner = Owner.objects.create(initiative=initiative, user=user, added_by=actor)
        audit.record(actor, "initiatives.add_owner", initiative, user=user.pk)
    _forget_owners(initiative)
    notify(
        [user],
        gettext_noop("U bent nu initiatiefnemer van %(name)s"),
        "initiatives/email/owner_added.txt",
        {"initiative": initiative, "url": site_url(initiative.get_absolute_url())},
        {"name": initiative.name},
    )
    return owner


def remove_owner(initiative: Initiative, actor: Any, user: User) -> None:
    """Remove a co-owner; an initiative always keeps at least one."""
    require(actor, "initiatives.manage_owners", initiative, "initiatives.remove_owner")
    with transaction.atomic():
        owners = initiative.owners.select_for_update()
        if owners.count() <= 1:
            raise ValidationError(_("Een initiatief heeft altijd minstens één initiatiefnemer."))
        deleted, _detail = owners.filter(user=user).delete()
        if not deleted:
            raise ValidationError(_("Deze persoon is geen initiatiefnemer."))
        if initiative.created_by_id == user.pk:
            initiative.created_by = None
            initiative.save(update_fields=["created_by"])
        audit.record(actor, "initiatives.remove_owner", initiative, user=user.pk)
    _forget_owners(initiative)


def join(initiative: Initiative, actor: Any) -> Participant:
    """ "Ik doe mee": a neighbour takes part (and may post stories)."""
    require(actor, "initiatives.join", initiative, "initiatives.join")
    participant, _created = Participant.objects.get_or_create(initiative=initiative, user=actor)
    forget_involvement(initiative)
    return participant


def leave(initiative: Initiative, actor: Any) -> None:
    if getattr(actor, "is_authenticated", False):
        Participant.objects.filter(initiative=initiative, user=actor).delete()
        forget_involvement(initiative)


def add_comment(initiative: Initiative, actor: Any, body: str, *, offer: bool = False) -> Comment:
    """A reaction, or an offer of support (professionals, civil servants, funders and
    neighbours). It never changes the initiative."""
    if offer:
        require(actor, "initiatives.offer_support", initiative, "initiatives.offer")
    else:
        require(actor, "initiatives.comment", initiative, "initiatives.comment")
    clean = text(body, "text", max_length=MAX_COMMENT, label=_("je reactie"))
    comment = Comment.objects.create(
        initiative=initiative,
        author=actor,
        text=clean,
        kind=Comment.Kind.OFFER if offer else Comment.Kind.COMMENT,
    )
    if offer:
        notify(
            [u for u in _owners(initiative) if u.pk != actor.pk],
            gettext_noop("Aanbod van steun voor %(name)s"),
            "initiatives/email/support_offered.txt",
            {
                "initiative": initiative,
                "comment": comment,
                "url": site_url(initiative.get_absolute_url()),
            },
            {"name": initiative.name},
        )
    return comment


# --- Needs ------------------------------------------------------------------------------------


def add_need(
    initiative: Initiative,
    actor: Any,
    *,
    kind: str,
    description: str,
    amount_cents: int | None = None,
    minutes: int | None = None,
) -> Need:
    require(actor, "initiatives.add_need", initiative, "initiatives.add_need")
    if kind not in Need.Kind.values:
        raise ValidationError({"kind": _("Kies wat je nodig hebt.")})
    clean = text(description, "description", max_length=300, label=_("een korte omschrijving"))
    if kind == Need.Kind.MONEY:
        amount_cents = cents(amount_cents, "amount", label=_("Het bedrag"))
    else:
        amount_cents = None
    if kind == Need.Kind.HOURS:
        if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0:
            raise ValidationError({"minutes": _("Geef aan hoeveel uur je nodig hebt.")})
        if minutes > 100_000 * 60:
            raise ValidationError({"minutes": _("Dat zijn te veel uren.")})
    else:
        minutes = None
    return Need.objects.create(
        initiative=initiative,
        kind=kind,
        description=clean,
        amount_cents=amount_cents,
        minutes=minutes,
    )


def set_need_status(need: Need, actor: Any, status: str) -> Need:
    require(actor, "initiatives.add_need", need.initiative, "initiatives.need_status")
    if status not in Need.Status.values:
        raise ValidationError(_("Onbekende stand."))
    need.status = status
    need.save(update_fields=["status"])
    return need


def answer_need(
    need: Need,
    actor: Any,
    *,
    message: str,
    drawing_right: Any = None,
    place: Any = None,
    minutes: int | None = None,
) -> NeedAnswer:
    """Offer what the initiative needs. Money is asked with a grant request, not here."""
    if need.kind == Need.Kind.MONEY:
        raise ValidationError(
            _("Geld vraagt het initiatief aan bij het wijkbudget; daarvoor is een aanvraag.")
        )
    require(
        actor,
        "initiatives.answer_need",
        need,
        "initiatives.answer_need",
        _("Dit soort hulp bieden mensen uit de wijk aan die er over gaan."),
    )
    if need.status != Need.Status.OPEN:
        raise ValidationError(_("Hier wordt niet meer naar gezocht."))
    clean = text(message, "message", max_length=MAX_COMMENT, label=_("een bericht"))
    district = district_of(need)
    organisation = None
    if need.kind == Need.Kind.HOURS:
        if drawing_right is not None:
            if drawing_right.group.district_id != getattr(district, "pk", None):
                raise ValidationError(
                    {"drawing_right": _("Kies een trekkingsrecht in de wijk van het initiatief.")}
                )
            organisation = drawing_right.provider_organisation
        if minutes is not None and (not isinstance(minutes, int) or minutes <= 0):
            raise ValidationError({"minutes": _("Geef het aantal uren.")})
        if organisation is None:
            membership = actor.memberships.exclude(organisation=None).first()
            organisation = membership.organisation if membership else None
    else:
        drawing_right = None
        minutes = None
    if need.kind == Need.Kind.SPACE:
        if place is not None and place.area.parent_id != getattr(district, "pk", None):
            raise ValidationError({"place": _("Kies een plek in de wijk van het initiatief.")})
    else:
        place = None
    answer = NeedAnswer.objects.create(
        need=need,
        responder=actor,
        organisation=organisation,
        drawing_right=drawing_right,
        place=place,
        message=clean,
        minutes=minutes,
    )
    initiative = need.initiative
    forget_involvement(initiative)
    notify(
        _owners(initiative),
        gettext_noop("Iemand biedt %(need)s aan voor %(name)s"),
        "initiatives/email/need_answered.txt",
        {
            "initiative": initiative,
            "need": need,
            "answer": answer,
            "url": site_url(initiative.get_absolute_url()),
        },
        {"need": need.get_kind_display(), "name": initiative.name},
    )
    return answer


def decide_answer(answer: NeedAnswer, actor: Any, *, accept: bool) -> NeedAnswer:
    """The initiators accept (the need is then met) or decline an offer."""
    require(actor, "initiatives.decide_answer", answer, "initiatives.decide_answer")
    if answer.status != NeedAnswer.Status.OFFERED:
        raise ValidationError(_("Over dit aanbod is al besloten."))
    with transaction.atomic():
        answer.status = NeedAnswer.Status.ACCEPTED if accept else NeedAnswer.Status.DECLINED
        answer.decided_at = timezone.now()
        answer.save(update_fields=["status", "decided_at"])
        if accept:
            Need.objects.filter(pk=answer.need_id).update(status=Need.Status.MET)
    if answer.responder is not None:
        notify(
            [answer.responder],
            gettext_noop("Uw aanbod voor %(name)s"),
            "initiatives/email/answer_decided.txt",
            {"answer": answer, "initiative": answer.need.initiative, "accepted": accept},
            {"name": answer.need.initiative.name},
        )
    return answer


# --- Stories and expenses ---------------------------------------------------------------------


def post_story(
    initiative: Initiative,
    actor: Any,
    *,
    body: str,
    photo: UploadedFile | None = None,
    photo_alt: str = "",
    grant: GrantRequest | None = None,
) -> Story:
    """What it brought, in the words of initiators and participants. An empty story is
    refused."""
    require(
        actor,
        "initiatives.post_story",
        initiative,
        "initiatives.story",
        _("Verhalen komen van de initiatiefnemers en de mensen die meedoen."),
    )
    clean = text(body, "text", max_length=MAX_STORY, label=_("wat het heeft opgeleverd"))
    alt = text(
        photo_alt,
        "photo_alt",
        max_length=200,
        required=photo is not None,
        label=_("wat er op de foto staat"),
    )
    if grant is not None and grant.initiative_id != initiative.pk:
        raise ValidationError({"grant": _("Deze aanvraag hoort bij een ander initiatief.")})
    if photo is not None:
        ext = validate_image(photo)
    with transaction.atomic():
        story = Story.objects.create(
            initiative=initiative, author=actor, text=clean, photo_alt=alt, grant=grant
        )
        if photo is not None:
            story.photo.save(f"verhaal-{story.pk}.{ext}", photo, save=True)
    return story


def record_expense(
    grant: GrantRequest,
    actor: Any,
    *,
    description: str,
    amount_cents: int,
    spent_on: datetime.date,
) -> Expense:
    """One line of what a grant was spent on (the accounting, with the stories)."""
    require(actor, "initiatives.record_expense", grant, "initiatives.expense")
    if grant.status != GrantRequest.Status.APPROVED:
        raise ValidationError(_("Uitgaven horen bij een toegekende aanvraag."))
    clean = text(description, "description", max_length=200, label=_("waaraan het geld ging"))
    amount = cents(amount_cents, "amount", label=_("Het bedrag"))
    if not isinstance(spent_on, datetime.date):
        raise ValidationError({"spent_on": _("Geef de datum.")})
    if spent_on > timezone.localdate():
        raise ValidationError({"spent_on": _("Deze datum ligt in de toekomst.")})
    with transaction.atomic():
        expense = Expense.objects.create(
            grant=grant,
            description=clean,
            amount_cents=amount,
            spent_on=spent_on,
            recorded_by=actor,
        )
        audit.record(actor, "initiatives.expense", grant, amount_cents=amount)
    return expense


def initiatives_owned_by(user: Any) -> list[Initiative]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Initiative.objects.filter(owners__user=user)
        .select_related("area")
        .distinct()
        .order_by("name")
    )


def is_owner(user: Any, initiative: Initiative) -> bool:
    return is_owner_of(user, initiative)


def district_member_users(district: Area, roles: Iterable[str]) -> list[User]:
    """People with one of ``roles`` in the district, a neighbourhood of it, or its
    municipality (used to address e-mails)."""
    from django.db.models import Q

    roles = list(roles)
    return list(
        User.objects.filter(
            Q(memberships__area=district)
            | Q(memberships__area__parent=district)
            | Q(memberships__area=district.municipality_id),
            memberships__role__in=roles,
            is_active=True,
        ).distinct()
    )


__all__ = [
    "REQUIRED_FIELDS",
    "add_comment",
    "add_need",
    "add_owner",
    "answer_need",
    "create_initiative",
    "decide_answer",
    "district_member_users",
    "holds_role_in_district",
    "initiatives_owned_by",
    "is_owner",
    "join",
    "leave",
    "post_story",
    "record_expense",
    "remove_owner",
    "set_need_status",
    "set_state",
    "update_initiative",
]
