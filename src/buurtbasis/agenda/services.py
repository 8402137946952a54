"""Business rules for the municipal framework, the BuurtTop and the wijktoekomstagenda.

Every function checks the actor's permission and its input and raises a translated
:class:`~django.core.exceptions.ValidationError` or
:class:`~django.core.exceptions.PermissionDenied`; nothing is changed then. Registrations for a
BuurtTop are personal data: entering and reading them is written to the audit log.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buurtbasis.areas.models import Area, Level
from buurtbasis.core import audit
from buurtbasis.places.services import clean_phone

from .models import (
    COUNCIL_TERM_YEARS,
    Agenda,
    AgendaAction,
    AgendaGoal,
    BuurtTop,
    Framework,
    FrameworkRevision,
    GoalBudgetLine,
    GoalReview,
    MeetingNote,
    Party,
    PublicValue,
    Registration,
    WorkingGroup,
    WorkingGroupMember,
)

MAX_TEXT = 20_000

#: The five public values of seed 001 L7398, offered when no budget themes exist yet.
DEFAULT_PUBLIC_VALUES = (
    (
        gettext_lazy("Duurzaamheid"),
        gettext_lazy("Energietransitie en vergroening van de wijk."),
    ),
    (gettext_lazy("Leefbaarheid"), gettext_lazy("Een prettige, veilige en mooie buitenruimte.")),
    (
        gettext_lazy("Zorgzaamheid en zorg"),
        gettext_lazy("Netwerken van steun, mantelzorg en naar elkaar omkijken."),
    ),
    (
        gettext_lazy("Delen en herverdelen"),
        gettext_lazy("Spullen, kennis en tijd delen: de deeleconomie in de buurt."),
    ),
    (
        gettext_lazy("Inclusiviteit en samenleven"),
        gettext_lazy("Iedereen hoort erbij en doet mee, met alle verschillen."),
    ),
)

FRAMEWORK_TEXT_FIELDS = (
    "summary",
    "funding_sources",
    "democratisation",
    "instruments",
    "pilots",
    "role_of_politics",
    "district_division",
)


def _require(actor: Any, perm: str, obj: Any) -> None:
    if actor is None or not actor.has_perm(perm, obj):
        raise PermissionDenied(_("U mag dit niet doen."))


def _text(value: Any, field: str, limit: int, *, required: str = "") -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if required and not text:
        raise ValidationError({field: required}, code="required")
    if len(text) > limit:
        raise ValidationError(
            {field: _("Gebruik hoogstens %(n)d tekens.") % {"n": limit}}, code="max_length"
        )
    return text


def _collect(errors: dict[str, list[str]], exc: ValidationError) -> None:
    for field, messages in exc.message_dict.items():
        errors.setdefault(field, []).extend(messages)


def _year(value: Any, field: str, errors: dict[str, list[str]]) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 2000 <= value <= 2100:
        errors.setdefault(field, []).append(_("Vul een jaartal in tussen 2000 en 2100."))
        return None
    return value


# --- Municipal framework -------------------------------------------------------------------------


def budget_theme_names(municipality: Area) -> list[str]:
    """The names of the budgets' themes of this municipality (newest framework first), so the
    public values and the budget themes stay one list. Empty when budgets has none."""
    try:
        from buurtbasis.budgets.models import Theme
    except ImportError:  # pragma: no cover - budgets is part of the project
        return []
    names: list[str] = []
    themes = Theme.objects.filter(framework__municipality=municipality).order_by(
        "-framework__start_year", "position", "pk"
    )
    for name in themes.values_list("name", flat=True):
        if name not in names:
            names.append(name)
    return names


def get_or_create_framework(actor: Any, municipality: Area) -> Framework:
    """The framework of a municipality; a new one starts as a draft with the budget themes as
    public values, or else the five public values of the seed text."""
    if municipality.level != Level.MUNICIPALITY:
        raise ValidationError({"municipality": _("Uitgangspunten zijn er per gemeente.")})
    existing = Framework.objects.filter(municipality=municipality).first()
    if existing is not None:
        return existing
    _require(actor, "agenda.change_framework", municipality)
    try:
        with transaction.atomic():
            framework = Framework.objects.create(
                municipality=municipality,
                title=_("Uitgangspunten voor de wijkaanpak in %(name)s")
                % {"name": municipality.name},
                updated_by=actor,
            )
            theme_names = budget_theme_names(municipality)
            values = (
                [(name, "") for name in theme_names]
                if theme_names
                else [(str(n), str(d)) for n, d in DEFAULT_PUBLIC_VALUES]
            )
            for position, (name, description) in enumerate(values, start=1):
                PublicValue.objects.create(
                    framework=framework,
                    name=name,
                    description=description,
                    position=position * 10,
                )
            audit.record(actor, "agenda.create_framework", framework)
    except IntegrityError:
        return Framework.objects.get(municipality=municipality)
    return framework


def _draft(framework: Framework) -> None:
    if framework.is_adopted:
        raise ValidationError(
            _(
                "Deze uitgangspunten zijn vastgesteld en veranderen niet meer. Begin een nieuwe "
                "versie om ze te herzien."
            ),
            code="adopted",
        )


def update_framework(actor: Any, framework: Framework, data: dict[str, Any]) -> Framework:
    _require(actor, "agenda.change_framework", framework)
    _draft(framework)
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    try:
        clean["title"] = _text(
            data.get("title"), "title", 200, required=_("Geef de uitgangspunten een titel.")
        )
    except ValidationError as exc:
        _collect(errors, exc)
    for field in FRAMEWORK_TEXT_FIELDS:
        try:
            clean[field] = _text(data.get(field), field, MAX_TEXT)
        except ValidationError as exc:
            _collect(errors, exc)
    clean["start_year"] = _year(data.get("start_year"), "start_year", errors)
    clean["end_year"] = _year(data.get("end_year"), "end_year", errors)
    if clean["start_year"] and clean["end_year"] and clean["end_year"] < clean["start_year"]:
        errors.setdefault("end_year", []).append(_("Het eindjaar ligt voor het beginjaar."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        for field, value in clean.items():
            setattr(framework, field, value)
        framework.updated_by = actor
        framework.save()
        audit.record(actor, "agenda.update_framework", framework)
    return framework


def add_public_value(
    actor: Any, framework: Framework, name: str, description: str = ""
) -> PublicValue:
    _require(actor, "agenda.change_framework", framework)
    _draft(framework)
    name = _text(name, "name", 100, required=_("Geef de publieke waarde een naam."))
    description = _text(description, "description", MAX_TEXT)
    if framework.public_values.filter(name__iexact=name).exists():
        raise ValidationError({"name": _("Deze publieke waarde staat er al.")}, code="exists")
    position = (framework.public_values.aggregate(m=Max("position"))["m"] or 0) + 10
    with transaction.atomic():
        value = PublicValue.objects.create(
            framework=framework, name=name, description=description, position=position
        )
        audit.record(actor, "agenda.add_public_value", value)
    return value


def remove_public_value(actor: Any, value: PublicValue) -> None:
    _require(actor, "agenda.change_framework", value.framework)
    _draft(value.framework)
    if value.goals.exists():
        raise ValidationError(
            _("Agendadoelen verwijzen naar deze publieke waarde; die blijft daarom staan."),
            code="in_use",
        )
    with transaction.atomic():
        audit.record(actor, "agenda.remove_public_value", value, name=value.name)
        value.delete()


def add_party(
    actor: Any, framework: Framework, name: str, expectation: str, contribution: str = ""
) -> Party:
    _require(actor, "agenda.change_framework", framework)
    _draft(framework)
    errors: dict[str, list[str]] = {}
    try:
        name = _text(name, "name", 200, required=_("Vul de naam van de partij in."))
    except ValidationError as exc:
        _collect(errors, exc)
    try:
        expectation = _text(
            expectation, "expectation", MAX_TEXT, required=_("Schrijf wat u van hen verwacht.")
        )
    except ValidationError as exc:
        _collect(errors, exc)
    try:
        contribution = _text(contribution, "contribution", 300)
    except ValidationError as exc:
        _collect(errors, exc)
    if errors:
        raise ValidationError(errors)
    position = (framework.parties.aggregate(m=Max("position"))["m"] or 0) + 10
    with transaction.atomic():
        party = Party.objects.create(
            framework=framework,
            name=name,
            expectation=expectation,
            contribution=contribution,
            position=position,
        )
        audit.record(actor, "agenda.add_party", party)
    return party


def remove_party(actor: Any, party: Party) -> None:
    _require(actor, "agenda.change_framework", party.framework)
    _draft(party.framework)
    with transaction.atomic():
        audit.record(actor, "agenda.remove_party", party, name=party.name)
        party.delete()


def adopt_framework(
    actor: Any, framework: Framework, *, adopted_on: datetime.date | None, reference: str = ""
) -> Framework:
    """Record the council's decision: the framework becomes adopted on ``adopted_on``."""
    _require(actor, "agenda.adopt_framework", framework)
    _draft(framework)
    errors: dict[str, list[str]] = {}
    if not isinstance(adopted_on, datetime.date):
        errors["adopted_on"] = [_("Vul de datum van het raadsbesluit in.")]
    elif adopted_on > timezone.localdate():
        errors["adopted_on"] = [_("Het raadsbesluit kan niet in de toekomst liggen.")]
    if not framework.public_values.exists():
        errors.setdefault("__all__", []).append(
            _("Noem minstens één publieke waarde voordat de raad de uitgangspunten vaststelt.")
        )
    if not (framework.start_year and framework.end_year):
        errors.setdefault("__all__", []).append(
            _("Vul de tijdspanne in (van jaar en tot en met jaar).")
        )
    elif framework.end_year - framework.start_year + 1 <= COUNCIL_TERM_YEARS:
        errors.setdefault("__all__", []).append(
            _(
                "De tijdspanne moet langer zijn dan één raadsperiode (meer dan %(n)d jaar): "
                "zo'n verandering kost tijd."
            )
            % {"n": COUNCIL_TERM_YEARS}
        )
    try:
        reference = _text(reference, "decision_reference", 200)
    except ValidationError as exc:
        _collect(errors, exc)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        framework.status = Framework.Status.ADOPTED
        framework.adopted_on = adopted_on
        framework.decision_reference = reference
        framework.updated_by = actor
        framework.save()
        audit.record(actor, "agenda.adopt_framework", framework, adopted_on=str(adopted_on))
    return framework


def framework_snapshot(framework: Framework) -> dict[str, Any]:
    return {
        "title": framework.title,
        **{field: getattr(framework, field) for field in FRAMEWORK_TEXT_FIELDS},
        "start_year": framework.start_year,
        "end_year": framework.end_year,
        "decision_reference": framework.decision_reference,
        "public_values": [
            {"name": v.name, "description": v.description} for v in framework.public_values.all()
        ],
        "parties": [
            {"name": p.name, "expectation": p.expectation, "contribution": p.contribution}
            for p in framework.parties.all()
        ],
    }


def revise_framework(actor: Any, framework: Framework) -> Framework:
    """Start a new version of an adopted framework: the adopted text is kept."""
    _require(actor, "agenda.change_framework", framework)
    if not framework.is_adopted or framework.adopted_on is None:
        raise ValidationError(_("Alleen vastgestelde uitgangspunten worden herzien."))
    with transaction.atomic():
        FrameworkRevision.objects.create(
            framework=framework,
            number=framework.revision,
            adopted_on=framework.adopted_on,
            snapshot=framework_snapshot(framework),
        )
        framework.revision += 1
        framework.status = Framework.Status.DRAFT
        framework.adopted_on = None
        framework.decision_reference = ""
        framework.updated_by = actor
        framework.save()
        audit.record(actor, "agenda.revise_framework", framework, revision=framework.revision)
    return framework


def public_values_for(area: Area) -> list[PublicValue]:
    """The public values of the area's municipality (empty without a framework)."""
    municipality_id = area.pk if area.level == Level.MUNICIPALITY else area.municipality_id
    return list(
        PublicValue.objects.filter(framework__municipality_id=municipality_id).order_by(
            "position", "pk"
        )
    )


# --- BuurtTop ------------------------------------------------------------------------------------


def _clean_buurttop(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for field, limit, required in (
        ("title", 200, _("Geef de BuurtTop een titel.")),
        ("location", 200, ""),
        ("description", MAX_TEXT, ""),
    ):
        try:
            clean[field] = _text(data.get(field), field, limit, required=required)
        except ValidationError as exc:
            _collect(errors, exc)
    held_on = data.get("held_on")
    if not isinstance(held_on, datetime.date):
        errors["held_on"] = [_("Vul de datum van de BuurtTop in.")]
    clean["held_on"] = held_on
    kind = data.get("kind") or BuurtTop.Kind.SUMMIT
    if kind not in BuurtTop.Kind.values:
        errors["kind"] = [_("Kies wat voor BuurtTop dit is.")]
    clean["kind"] = kind
    if errors:
        raise ValidationError(errors)
    return clean


def create_buurttop(actor: Any, area: Area, data: dict[str, Any]) -> BuurtTop:
    if area.level not in (Level.DISTRICT, Level.NEIGHBOURHOOD):
        raise ValidationError({"area": _("Een BuurtTop is er voor een wijk of een buurt.")})
    _require(actor, "agenda.create_buurttop", area)
    clean = _clean_buurttop(data)
    with transaction.atomic():
        top = BuurtTop.objects.create(area=area, organiser=actor, **clean)
        audit.record(actor, "agenda.create_buurttop", top, area=area.code)
    return top


def update_buurttop(actor: Any, top: BuurtTop, data: dict[str, Any]) -> BuurtTop:
    _require(actor, "agenda.change_buurttop", top)
    clean = _clean_buurttop(data)
    with transaction.atomic():
        for field, value in clean.items():
            setattr(top, field, value)
        top.save()
        audit.record(actor, "agenda.update_buurttop", top)
    return top


def record_outcomes(actor: Any, top: BuurtTop, outcomes: str) -> BuurtTop:
    """After the day: what came out of it. The BuurtTop is then marked as held."""
    _require(actor, "agenda.change_buurttop", top)
    outcomes = _text(
        outcomes, "outcomes", MAX_TEXT, required=_("Schrijf op wat de dag heeft opgeleverd.")
    )
    with transaction.atomic():
        top.outcomes = outcomes
        top.status = BuurtTop.Status.HELD
        top.save(update_fields=["outcomes", "status"])
        audit.record(actor, "agenda.record_outcomes", top)
    return top


def register(actor: Any, top: BuurtTop, *, needs: str = "") -> Registration:
    """A signed-in person registers themselves for a BuurtTop."""
    _require(actor, "agenda.register", top)
    needs = _text(needs, "needs", 300)
    existing = Registration.objects.filter(buurttop=top, user=actor).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        registration = Registration.objects.create(
            buurttop=top,
            user=actor,
            name=actor.display_name,
            phone=actor.phone or "",
            needs=needs,
            channel=Registration.Channel.ONLINE,
            entered_by=actor,
        )
        audit.record(actor, "agenda.register", registration, buurttop=top.pk)
    return registration


def register_other(
    actor: Any,
    top: BuurtTop,
    *,
    name: str,
    channel: str,
    phone: str = "",
    needs: str = "",
) -> Registration:
    """A professional enters a registration given on paper, by phone or in person."""
    _require(actor, "agenda.register_others", top)
    errors: dict[str, list[str]] = {}
    try:
        name = _text(name, "name", 100, required=_("Vul de naam in van wie zich aanmeldt."))
    except ValidationError as exc:
        _collect(errors, exc)
    if channel not in (
        Registration.Channel.PAPER,
        Registration.Channel.PHONE,
        Registration.Channel.IN_PERSON,
    ):
        errors["channel"] = [
            _("Kies hoe de aanmelding binnenkwam: op papier, telefonisch of persoonlijk.")
        ]
    try:
        phone = clean_phone(phone, "phone")
    except ValidationError as exc:
        _collect(errors, exc)
    try:
        needs = _text(needs, "needs", 300)
    except ValidationError as exc:
        _collect(errors, exc)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        registration = Registration.objects.create(
            buurttop=top, name=name, phone=phone, needs=needs, channel=channel, entered_by=actor
        )
        audit.record(actor, "agenda.register_other", registration, channel=channel)
    return registration


def cancel_registration(actor: Any, registration: Registration) -> None:
    if not (
        getattr(actor, "pk", None) == registration.user_id
        or actor.has_perm("agenda.register_others", registration.buurttop)
    ):
        raise PermissionDenied(_("U mag dit niet doen."))
    with transaction.atomic():
        audit.record(actor, "agenda.cancel_registration", registration)
        registration.delete()


def registrations(actor: Any, top: BuurtTop) -> list[Registration]:
    """Who registered (personal data): only for organisers; every read is audited."""
    _require(actor, "agenda.view_registrations", top)
    result = list(top.registrations.select_related("entered_by").order_by("name", "pk"))
    audit.record(actor, "agenda.view_registrations", top, count=len(result))
    return result


# --- Working groups ------------------------------------------------------------------------------


def create_group(
    actor: Any,
    *,
    buurttop: BuurtTop | None = None,
    agenda: Agenda | None = None,
    name: str,
    public_value: PublicValue | None = None,
    theme: str = "",
    purpose: str = "",
) -> WorkingGroup:
    """A working group per theme: preparing a BuurtTop, or following up an agenda."""
    owner: Any = buurttop if buurttop is not None else agenda
    if owner is None:
        raise ValidationError(_("Een werkgroep hoort bij een BuurtTop of bij een agenda."))
    _require(actor, "agenda.create_group", owner)
    errors: dict[str, list[str]] = {}
    try:
        name = _text(name, "name", 200, required=_("Geef de werkgroep een naam."))
    except ValidationError as exc:
        _collect(errors, exc)
    try:
        theme = _text(theme, "theme", 200)
        purpose = _text(purpose, "purpose", MAX_TEXT)
    except ValidationError as exc:
        _collect(errors, exc)
    if public_value is not None and public_value.pk not in {
        v.pk for v in public_values_for(owner.area)
    }:
        errors["public_value"] = [_("Kies een publieke waarde van deze gemeente.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        group = WorkingGroup.objects.create(
            buurttop=buurttop,
            agenda=agenda,
            name=name,
            public_value=public_value,
            theme=theme,
            purpose=purpose,
            created_by=actor,
        )
        audit.record(actor, "agenda.create_group", group)
    return group


def join_group(actor: Any, group: WorkingGroup) -> WorkingGroupMember:
    _require(actor, "agenda.join_group", group)
    with transaction.atomic():
        member, created = WorkingGroupMember.objects.get_or_create(group=group, user=actor)
        if created:
            audit.record(actor, "agenda.join_group", group)
    return member


def add_member(
    actor: Any, group: WorkingGroup, *, name: str, role: str = WorkingGroupMember.Role.MEMBER
) -> WorkingGroupMember:
    """Add someone who joined on paper, by phone or at a meeting (by name)."""
    _require(actor, "agenda.add_member", group)
    name = _text(name, "name", 100, required=_("Vul de naam van het nieuwe lid in."))
    if role not in WorkingGroupMember.Role.values:
        raise ValidationError({"role": _("Kies een rol.")})
    with transaction.atomic():
        member = WorkingGroupMember.objects.create(group=group, name=name, role=role)
        audit.record(actor, "agenda.add_member", group, role=role)
    return member


def leave_group(actor: Any, group: WorkingGroup) -> None:
    with transaction.atomic():
        deleted, _detail = WorkingGroupMember.objects.filter(group=group, user=actor).delete()
        if deleted:
            audit.record(actor, "agenda.leave_group", group)


def add_note(actor: Any, group: WorkingGroup, *, held_on: Any, body: str) -> MeetingNote:
    _require(actor, "agenda.add_note", group)
    errors: dict[str, list[str]] = {}
    if not isinstance(held_on, datetime.date):
        errors["held_on"] = [_("Vul de datum van de bijeenkomst in.")]
    try:
        body = _text(body, "body", MAX_TEXT, required=_("Schrijf het verslag."))
    except ValidationError as exc:
        _collect(errors, exc)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        note = MeetingNote.objects.create(group=group, held_on=held_on, body=body, author=actor)
        audit.record(actor, "agenda.add_note", note)
    return note


# --- Wijktoekomstagenda ---------------------------------------------------------------------------


def create_agenda(
    actor: Any, area: Area, data: dict[str, Any], *, buurttop: BuurtTop | None = None
) -> Agenda:
    if area.level not in (Level.DISTRICT, Level.NEIGHBOURHOOD):
        raise ValidationError({"area": _("Een toekomstagenda is er voor een wijk of een buurt.")})
    _require(actor, "agenda.change_agenda", area)
    clean = _clean_agenda(data)
    if buurttop is not None and buurttop.area_id != area.pk:
        raise ValidationError({"buurttop": _("Kies een BuurtTop van dit gebied.")})
    with transaction.atomic():
        agenda = Agenda.objects.create(area=area, buurttop=buurttop, created_by=actor, **clean)
        audit.record(actor, "agenda.create_agenda", agenda, area=area.code)
    return agenda


def _clean_agenda(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    try:
        clean["title"] = _text(
            data.get("title"), "title", 200, required=_("Geef de agenda een titel.")
        )
    except ValidationError as exc:
        _collect(errors, exc)
    try:
        clean["vision"] = _text(data.get("vision"), "vision", MAX_TEXT)
    except ValidationError as exc:
        _collect(errors, exc)
    start = _year(data.get("start_year") or timezone.localdate().year, "start_year", errors)
    clean["start_year"] = start
    if errors:
        raise ValidationError(errors)
    return clean


def update_agenda(actor: Any, agenda: Agenda, data: dict[str, Any]) -> Agenda:
    _require(actor, "agenda.change_agenda", agenda)
    clean = _clean_agenda(data)
    with transaction.atomic():
        for field, value in clean.items():
            setattr(agenda, field, value)
        agenda.save()
        audit.record(actor, "agenda.update_agenda", agenda)
    return agenda


def _clean_goal(agenda: Agenda, data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    try:
        clean["title"] = _text(data.get("title"), "title", 200, required=_("Beschrijf het doel."))
    except ValidationError as exc:
        _collect(errors, exc)
    try:
        clean["description"] = _text(data.get("description"), "description", MAX_TEXT)
    except ValidationError as exc:
        _collect(errors, exc)
    raw_horizon: Any = data.get("horizon_years")
    horizon: int | None
    try:
        horizon = int(raw_horizon)
    except (TypeError, ValueError):
        horizon = None
    if horizon not in AgendaGoal.Horizon.values:
        errors["horizon_years"] = [_("Kies waar we over 5 of over 10 jaar willen staan.")]
    clean["horizon_years"] = horizon
    value = data.get("public_value")
    own = bool(data.get("residents_own"))
    if value is None and not own:
        errors["public_value"] = [
            _("Koppel het doel aan een publieke waarde van de gemeente, of kies 'eigen doel'.")
        ]
    if value is not None and value.pk not in {v.pk for v in public_values_for(agenda.area)}:
        errors["public_value"] = [_("Kies een publieke waarde van deze gemeente.")]
    clean["public_value"] = value
    clean["residents_own"] = own
    if errors:
        raise ValidationError(errors)
    return clean


def add_goal(actor: Any, agenda: Agenda, data: dict[str, Any]) -> AgendaGoal:
    _require(actor, "agenda.change_agenda", agenda)
    clean = _clean_goal(agenda, data)
    position = (agenda.goals.aggregate(m=Max("position"))["m"] or 0) + 10
    with transaction.atomic():
        goal = AgendaGoal.objects.create(agenda=agenda, position=position, **clean)
        audit.record(actor, "agenda.add_goal", goal)
    return goal


def update_goal(actor: Any, goal: AgendaGoal, data: dict[str, Any]) -> AgendaGoal:
    _require(actor, "agenda.change_agenda", goal.agenda)
    clean = _clean_goal(goal.agenda, data)
    with transaction.atomic():
        for field, value in clean.items():
            setattr(goal, field, value)
        goal.save()
        audit.record(actor, "agenda.update_goal", goal)
    return goal


def remove_goal(actor: Any, goal: AgendaGoal) -> None:
    """Only a draft agenda loses goals; a published goal stays (record progress instead)."""
    _require(actor, "agenda.change_agenda", goal.agenda)
    if goal.agenda.is_published:
        raise ValidationError(
            _(
                "Een doel van een gepubliceerde agenda blijft staan; schrijf in de terugblik "
                "wat ermee is gebeurd."
            )
        )
    with transaction.atomic():
        audit.record(actor, "agenda.remove_goal", goal.agenda, goal=goal.pk, title=goal.title)
        goal.delete()


def add_action(actor: Any, goal: AgendaGoal, data: dict[str, Any]) -> AgendaAction:
    _require(actor, "agenda.change_agenda", goal.agenda)
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for field, limit, required in (
        ("title", 200, _("Beschrijf de actie.")),
        ("description", MAX_TEXT, ""),
        ("who", 200, ""),
    ):
        try:
            clean[field] = _text(data.get(field), field, limit, required=required)
        except ValidationError as exc:
            _collect(errors, exc)
    status = data.get("status") or AgendaAction.Status.PLANNED
    if status not in AgendaAction.Status.values:
        errors["status"] = [_("Kies hoe het ervoor staat.")]
    group = data.get("working_group")
    if group is not None and group.area.pk != goal.agenda.area_id:
        errors["working_group"] = [_("Kies een werkgroep van dit gebied.")]
    if errors:
        raise ValidationError(errors)
    position = (goal.actions.aggregate(m=Max("position"))["m"] or 0) + 10
    with transaction.atomic():
        action = AgendaAction.objects.create(
            goal=goal, status=status, working_group=group, position=position, **clean
        )
        audit.record(actor, "agenda.add_action", action)
    return action


def set_action_status(actor: Any, action: AgendaAction, status: str) -> AgendaAction:
    _require(actor, "agenda.change_agenda", action.goal.agenda)
    if status not in AgendaAction.Status.values:
        raise ValidationError({"status": _("Kies hoe het ervoor staat.")})
    with transaction.atomic():
        action.status = status
        action.save(update_fields=["status"])
        audit.record(actor, "agenda.action_status", action, status=status)
    return action


def publish_agenda(actor: Any, agenda: Agenda) -> Agenda:
    """Publish the agenda (web page and PDF). It needs a title, a vision and goals."""
    _require(actor, "agenda.publish_agenda", agenda)
    errors: list[str] = []
    if not agenda.goals.exists():
        errors.append(
            _("Een agenda zonder doelen kan niet worden gepubliceerd. Voeg eerst doelen toe.")
        )
    if not agenda.vision.strip():
        errors.append(_("Schrijf eerst waar de wijk over 5 of 10 jaar wil staan."))
    if errors:
        raise ValidationError(errors, code="incomplete")
    with transaction.atomic():
        agenda.status = Agenda.Status.PUBLISHED
        agenda.published_at = agenda.published_at or timezone.now()
        agenda.save(update_fields=["status", "published_at"])
        audit.record(actor, "agenda.publish", agenda, goals=agenda.goals.count())
    return agenda


def record_review(
    actor: Any,
    goal: AgendaGoal,
    *,
    year: Any,
    progress: str,
    buurttop: BuurtTop | None = None,
) -> GoalReview:
    """The yearly review of a goal: progress in words (one per goal per year)."""
    _require(actor, "agenda.record_review", goal.agenda)
    errors: dict[str, list[str]] = {}
    clean_year = _year(year, "year", errors)
    if clean_year is None and "year" not in errors:
        errors["year"] = [_("Vul het jaar in.")]
    elif clean_year is not None and clean_year < goal.agenda.start_year:
        errors["year"] = [_("Dit jaar ligt voor de start van de agenda.")]
    try:
        progress = _text(
            progress, "progress", MAX_TEXT, required=_("Beschrijf in woorden hoe het ervoor staat.")
        )
    except ValidationError as exc:
        _collect(errors, exc)
    if buurttop is not None and buurttop.area_id != goal.agenda.area_id:
        errors["buurttop"] = [_("Kies een BuurtTop van dit gebied.")]
    if clean_year and not errors and GoalReview.objects.filter(goal=goal, year=clean_year).exists():
        errors["year"] = [_("Voor dit jaar is er al een terugblik op dit doel.")]
    if errors:
        raise ValidationError(errors)
    assert clean_year is not None
    with transaction.atomic():
        review = GoalReview.objects.create(
            goal=goal,
            year=clean_year,
            progress=progress,
            buurttop=buurttop,
            recorded_by=actor,
        )
        audit.record(actor, "agenda.record_review", review, year=clean_year)
    return review


# --- Money for a goal ----------------------------------------------------------------------------


def goal_district(goal: AgendaGoal) -> Area | None:
    """The district whose budget pays for the goal: the agenda's district, or the district of
    the agenda's neighbourhood."""
    area = goal.agenda.area
    if area.level == Level.DISTRICT:
        return area
    if area.level == Level.NEIGHBOURHOOD:
        return area.parent
    return None


def budget_lines_for_goal(goal: AgendaGoal) -> Any:
    """The lines a goal may point to: those of the adopted budgets of its district."""
    from buurtbasis.budgets.models import BudgetFramework, BudgetLine

    return (
        BudgetLine.objects.filter(
            district_budget__district=goal_district(goal),
            district_budget__framework__status=BudgetFramework.Status.ADOPTED,
        )
        .select_related("district_budget__district", "theme")
        .order_by("district_budget__year", "-is_support", "theme__position", "pk")
    )


def link_budget_line(actor: Any, goal: AgendaGoal, line: Any) -> GoalBudgetLine:
    """Point a budget line of the district's adopted budget at a goal, so the money can be
    traced to the agenda. Linking twice changes nothing."""
    _require(actor, "agenda.link_budget_line", goal)
    if line is None or not budget_lines_for_goal(goal).filter(pk=line.pk).exists():
        raise ValidationError(
            {"line": _("Kies een budgetregel uit een vastgesteld wijkbudget van deze wijk.")},
            code="invalid_line",
        )
    with transaction.atomic():
        link, created = GoalBudgetLine.objects.get_or_create(
            goal=goal, budget_line=line, defaults={"linked_by": actor}
        )
        if created:
            audit.record(actor, "agenda.link_budget_line", goal, line=line.pk)
    return link


def unlink_budget_line(actor: Any, goal: AgendaGoal, line: Any) -> None:
    _require(actor, "agenda.link_budget_line", goal)
    with transaction.atomic():
        deleted, _detail = GoalBudgetLine.objects.filter(goal=goal, budget_line=line).delete()
        if not deleted:
            raise ValidationError(
                {"line": _("Deze budgetregel hoort niet bij dit doel.")}, code="not_linked"
            )
        audit.record(actor, "agenda.unlink_budget_line", goal, line=line.pk)
