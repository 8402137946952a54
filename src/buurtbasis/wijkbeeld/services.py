"""Business rules for the wijkbeeld: parts and their versions, conversation rounds and
comments, organisations present, key people.

Every function checks the actor's permission and its input and raises a translated
:class:`~django.core.exceptions.ValidationError` or
:class:`~django.core.exceptions.PermissionDenied`; nothing is changed then. Key people are
sensitive personal data: naming, removing and reading them is written to the audit log.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from buurtbasis.accounts.models import Consent, Membership, Organisation, Role, User
from buurtbasis.areas.models import Area, Level
from buurtbasis.core import audit
from buurtbasis.places.images import validate_image

from .models import (
    LIVE_KINDS,
    Channel,
    Comment,
    ConversationRound,
    KeyPerson,
    KeyPersonKind,
    Part,
    PartKind,
    PartVersion,
    Presence,
    Tie,
    Wijkbeeld,
)

MAX_BODY = 20_000
MAX_COMMENT = 5_000
#: Hours a week are entered in steps of a quarter; at most a full working week of 80 hours.
MAX_MINUTES_PER_WEEK = 80 * 60


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


# --- The wijkbeeld and its parts -----------------------------------------------------------------


def create_wijkbeeld(actor: Any, area: Area, *, title: str = "", intro: str = "") -> Wijkbeeld:
    """Start the wijkbeeld of a district or neighbourhood, with a statistics part and a places
    part (both show live data beside the author's words)."""
    if area.level not in (Level.DISTRICT, Level.NEIGHBOURHOOD):
        raise ValidationError(
            {"area": _("Een wijkbeeld is er voor een wijk of een buurt.")}, code="invalid"
        )
    _require(actor, "wijkbeeld.create", area)
    title = _text(title, "title", 200) or _("Wijkbeeld %(name)s") % {"name": area.name}
    intro = _text(intro, "intro", MAX_BODY)
    if Wijkbeeld.objects.filter(area=area).exists():
        raise ValidationError({"area": _("Dit gebied heeft al een wijkbeeld.")}, code="exists")
    try:
        with transaction.atomic():
            wijkbeeld = Wijkbeeld.objects.create(
                area=area, title=title, intro=intro, created_by=actor
            )
            for position, kind, part_title, body in (
                (
                    10,
                    PartKind.STATISTICS,
                    _("Wat de cijfers zeggen"),
                    _("De cijfers van het CBS: eerst wat goed gaat, dan wat aandacht vraagt."),
                ),
                (
                    20,
                    PartKind.PLACES,
                    _("Plekken waar mensen elkaar ontmoeten"),
                    _("De plekken en activiteiten die bewoners zelf bijhouden."),
                ),
            ):
                _new_part(actor, wijkbeeld, kind, part_title, body, position=position)
            audit.record(actor, "wijkbeeld.create", wijkbeeld, area=area.code)
    except IntegrityError:
        raise ValidationError({"area": _("Dit gebied heeft al een wijkbeeld.")}) from None
    return wijkbeeld


def update_intro(actor: Any, wijkbeeld: Wijkbeeld, *, title: str, intro: str) -> Wijkbeeld:
    _require(actor, "wijkbeeld.change_intro", wijkbeeld)
    title = _text(title, "title", 200, required=_("Geef het wijkbeeld een titel."))
    intro = _text(intro, "intro", MAX_BODY)
    with transaction.atomic():
        wijkbeeld.title, wijkbeeld.intro = title, intro
        wijkbeeld.save(update_fields=["title", "intro"])
        audit.record(actor, "wijkbeeld.update_intro", wijkbeeld)
    return wijkbeeld


def _new_part(
    actor: Any,
    wijkbeeld: Wijkbeeld,
    kind: str,
    title: str,
    body: str,
    *,
    position: int | None = None,
    written_on: datetime.date | None = None,
) -> Part:
    if position is None:
        position = (wijkbeeld.parts.aggregate(m=Max("position"))["m"] or 0) + 10
    part = Part.objects.create(
        wijkbeeld=wijkbeeld,
        kind=kind,
        title=title,
        body=body,
        author=actor,
        written_on=written_on or timezone.localdate(),
        position=position,
        version=1,
    )
    PartVersion.objects.create(
        part=part,
        number=1,
        title=title,
        body=body,
        author=actor,
        written_on=part.written_on,
        saved_by=actor,
        change_note=_("Eerste versie"),
    )
    return part


DEFAULT_PART_TEXT = {
    PartKind.PROFESSIONALS: (
        _("Organisaties en professionals in de wijk"),
        _("Wie werken er in de wijk, hoeveel uur per week, en hoe verbonden met de wijk?"),
    ),
    PartKind.KEY_PEOPLE: (
        _("Sterkhouders"),
        _("Mensen waar je in de buurt op kunt bouwen. Alleen met hun eigen toestemming."),
    ),
}


def _ensure_part(actor: Any, wijkbeeld: Wijkbeeld, kind: str) -> Part:
    """The part that shows this kind of live data, created when the wijkbeeld has none."""
    part = wijkbeeld.parts.filter(kind=kind).order_by("position", "pk").first()
    if part is None:
        title, body = DEFAULT_PART_TEXT[PartKind(kind)]
        part = _new_part(actor, wijkbeeld, kind, str(title), str(body))
    return part


def _clean_part(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    kind = data.get("kind") or ""
    if kind not in PartKind.values:
        errors["kind"] = [_("Kies over welk onderdeel dit gaat.")]
    clean["kind"] = kind
    for field, limit, required in (
        ("title", 200, _("Geef het onderdeel een titel.")),
        ("body", MAX_BODY, ""),
        ("change_note", 300, ""),
        ("image_alt", 300, ""),
    ):
        try:
            clean[field] = _text(data.get(field), field, limit, required=required)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    written_on = data.get("written_on") or timezone.localdate()
    if not isinstance(written_on, datetime.date):
        errors["written_on"] = [_("Vul een geldige datum in.")]
    elif written_on > timezone.localdate():
        errors["written_on"] = [_("De datum mag niet in de toekomst liggen.")]
    clean["written_on"] = written_on
    if kind and kind not in LIVE_KINDS and not clean.get("body") and not errors:
        errors["body"] = [_("Schrijf iets in dit onderdeel.")]
    if errors:
        raise ValidationError(errors)
    return clean


def add_part(
    actor: Any, wijkbeeld: Wijkbeeld, data: dict[str, Any], *, image: UploadedFile | None = None
) -> Part:
    """Someone writes a new part; they are its author."""
    _require(actor, "wijkbeeld.add_part", wijkbeeld)
    clean = _clean_part(data)
    if image is not None:
        ext = validate_image(image)
        if not clean["image_alt"]:
            raise ValidationError(
                {"image_alt": _("Beschrijf kort wat er op de afbeelding staat.")}, code="required"
            )
    with transaction.atomic():
        part = _new_part(
            actor,
            wijkbeeld,
            clean["kind"],
            clean["title"],
            clean["body"],
            written_on=clean["written_on"],
        )
        if image is not None:
            part.image.save(f"deel-{part.pk}.{ext}", image, save=False)
            part.image_alt = clean["image_alt"]
            part.save(update_fields=["image", "image_alt"])
        audit.record(actor, "wijkbeeld.add_part", part, kind=part.kind)
    return part


def update_part(
    actor: Any,
    part: Part,
    data: dict[str, Any],
    *,
    image: UploadedFile | None = None,
    remove_image: bool = False,
) -> Part:
    """Change a part: a new version is kept; the person who saves becomes its author."""
    _require(actor, "wijkbeeld.change_part", part)
    clean = _clean_part({**data, "kind": part.kind})
    ext = validate_image(image) if image is not None else ""
    with transaction.atomic():
        locked = Part.objects.select_for_update().get(pk=part.pk)
        unchanged = (
            locked.title == clean["title"]
            and locked.body == clean["body"]
            and locked.written_on == clean["written_on"]
            and image is None
            and not remove_image
            and locked.image_alt == clean["image_alt"]
        )
        if unchanged:
            return locked
        keeps_image = image is not None or (bool(locked.image) and not remove_image)
        if keeps_image and not clean["image_alt"]:
            raise ValidationError(
                {"image_alt": _("Beschrijf kort wat er op de afbeelding staat.")}, code="required"
            )
        locked.title = clean["title"]
        locked.body = clean["body"]
        locked.written_on = clean["written_on"]
        locked.author = actor
        locked.version += 1
        locked.image_alt = clean["image_alt"]
        if remove_image and locked.image:
            locked.image.delete(save=False)
        if image is not None:
            locked.image.save(f"deel-{locked.pk}-v{locked.version}.{ext}", image, save=False)
        locked.save()
        PartVersion.objects.create(
            part=locked,
            number=locked.version,
            title=locked.title,
            body=locked.body,
            author=actor,
            written_on=locked.written_on,
            saved_by=actor,
            change_note=clean["change_note"],
        )
        audit.record(actor, "wijkbeeld.update_part", locked, version=locked.version)
    return locked


# --- Conversation rounds and comments ------------------------------------------------------------


def open_round(actor: Any, wijkbeeld: Wijkbeeld, data: dict[str, Any]) -> ConversationRound:
    """Start a conversation round; reactions can be given while it is open."""
    _require(actor, "wijkbeeld.manage_rounds", wijkbeeld)
    errors: dict[str, Any] = {}
    clean: dict[str, Any] = {}
    for field, limit, required in (
        ("title", 200, _("Geef de gespreksronde een titel.")),
        ("location", 200, ""),
        ("description", MAX_BODY, ""),
    ):
        try:
            clean[field] = _text(data.get(field), field, limit, required=required)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    held_on = data.get("held_on")
    if held_on not in (None, "") and not isinstance(held_on, datetime.date):
        errors["held_on"] = [_("Vul een geldige datum in.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        number = (
            ConversationRound.objects.select_for_update()
            .filter(wijkbeeld=wijkbeeld)
            .aggregate(m=Max("number"))["m"]
            or 0
        ) + 1
        conversation = ConversationRound.objects.create(
            wijkbeeld=wijkbeeld,
            number=number,
            held_on=held_on or None,
            created_by=actor,
            **clean,
        )
        audit.record(actor, "wijkbeeld.open_round", conversation, number=number)
    return conversation


def close_round(actor: Any, conversation: ConversationRound) -> ConversationRound:
    _require(actor, "wijkbeeld.manage_rounds", conversation.wijkbeeld)
    with transaction.atomic():
        conversation.is_open = False
        conversation.save(update_fields=["is_open"])
        audit.record(actor, "wijkbeeld.close_round", conversation)
    return conversation


ROLE_ORDER = (
    Role.RESIDENT,
    Role.INITIATOR,
    Role.PROFESSIONAL,
    Role.CIVIL_SERVANT,
    Role.COUNCIL_MEMBER,
    Role.FUNDER,
    Role.ADMINISTRATOR,
)


def role_label(user: User, area: Area) -> str:
    """How a person takes part here, e.g. "bewoner" or "professional" (first that applies)."""
    from .rules import below_ids

    ids = {area.pk, area.parent_id, area.municipality_id, *below_ids(area)} - {None}
    roles = set(
        Membership.objects.filter(user=user, area_id__in=ids).values_list("role", flat=True)
    )
    for role in ROLE_ORDER:
        if role in roles:
            return str(Role(role).label)
    return ""


def add_comment(
    actor: Any,
    part: Part,
    conversation: ConversationRound | None,
    body: str,
    *,
    channel: str = Channel.ONLINE,
    author_name: str = "",
) -> Comment:
    """A reaction on a part in an open conversation round. A professional may type in a
    reaction given on paper, by phone or in the meeting (``channel``), with the name of the
    person who gave it."""
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Kies hoe de reactie is gegeven.")})
    on_behalf = channel != Channel.ONLINE
    _require(actor, "wijkbeeld.enter_for_others" if on_behalf else "wijkbeeld.comment", part)
    body = _text(body, "body", MAX_COMMENT, required=_("Schrijf eerst uw reactie."))
    if conversation is None or conversation.wijkbeeld_id != part.wijkbeeld_id:
        raise ValidationError(
            {"round": _("Kies de gespreksronde waarin u reageert.")}, code="invalid"
        )
    if not conversation.is_open:
        raise ValidationError(
            {"round": _("Deze gespreksronde is gesloten; reageren kan niet meer.")},
            code="closed",
        )
    author_name = _text(author_name, "author_name", 100)
    if on_behalf and not author_name:
        raise ValidationError(
            {"author_name": _("Vul in van wie deze reactie is (een voornaam is genoeg).")},
            code="required",
        )
    with transaction.atomic():
        comment = Comment.objects.create(
            part=part,
            round=conversation,
            part_version=part.version,
            body=body,
            author=None if on_behalf else actor,
            author_name=author_name if on_behalf else "",
            author_role=str(Role.RESIDENT.label) if on_behalf else role_label(actor, part.area),
            channel=channel,
            entered_by=actor,
        )
        audit.record(actor, "wijkbeeld.comment", comment, channel=channel, part=part.pk)
    return comment


# --- Organisations and professionals present -----------------------------------------------------


def save_presence(
    actor: Any, wijkbeeld: Wijkbeeld, data: dict[str, Any], presence: Presence | None = None
) -> Presence:
    """Add or change an organisation present, with its hours a week (integer minutes)."""
    _require(actor, "wijkbeeld.manage_presence", wijkbeeld)
    if presence is not None and presence.wijkbeeld_id != wijkbeeld.pk:
        raise PermissionDenied(_("U mag dit niet doen."))
    errors: dict[str, Any] = {}
    clean: dict[str, Any] = {}
    for field, limit, required in (
        ("organisation_name", 200, _("Vul de naam van de organisatie in.")),
        ("work", 300, _("Schrijf kort wat ze in de wijk doen.")),
        ("contact_name", 100, ""),
    ):
        try:
            clean[field] = _text(data.get(field), field, limit, required=required)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    minutes = data.get("minutes_per_week")
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        errors["minutes_per_week"] = [_("Vul het aantal uren per week in.")]
    elif not 0 <= minutes <= MAX_MINUTES_PER_WEEK:
        errors["minutes_per_week"] = [_("Vul tussen 0 en 80 uur per week in.")]
    tie = data.get("tie") or ""
    if tie not in Tie.values:
        errors["tie"] = [_("Kies hoe de organisatie met de wijk verbonden is.")]
    if errors:
        raise ValidationError(errors)
    assert isinstance(minutes, int)
    organisation = data.get("organisation")
    if organisation is None:
        organisation = Organisation.objects.filter(name__iexact=clean["organisation_name"]).first()
    with transaction.atomic():
        if presence is None:
            presence = Presence(wijkbeeld=wijkbeeld)
        for field, value in clean.items():
            setattr(presence, field, value)
        presence.organisation = organisation
        presence.minutes_per_week = minutes
        presence.tie = tie
        presence.updated_by = actor
        presence.save()
        _ensure_part(actor, wijkbeeld, PartKind.PROFESSIONALS)
        audit.record(actor, "wijkbeeld.save_presence", presence, minutes=minutes)
    return presence


def remove_presence(actor: Any, presence: Presence) -> None:
    _require(actor, "wijkbeeld.manage_presence", presence.wijkbeeld)
    with transaction.atomic():
        audit.record(actor, "wijkbeeld.remove_presence", presence)
        presence.delete()


def presence_total_minutes(wijkbeeld: Wijkbeeld) -> int:
    return sum(p.minutes_per_week for p in wijkbeeld.presences.all())


# --- Key people (sensitive) ----------------------------------------------------------------------


def _consent_subquery() -> Subquery:
    return Subquery(
        Consent.objects.filter(user=OuterRef("person"), purpose=Consent.Purpose.KEY_PERSON)
        .order_by("-at", "-id")
        .values("given")[:1]
    )


def has_key_person_consent(user: User) -> bool:
    latest = (
        Consent.objects.filter(user=user, purpose=Consent.Purpose.KEY_PERSON)
        .order_by("-at", "-id")
        .values_list("given", flat=True)
        .first()
    )
    return bool(latest)


#: How a professional may record a key person's consent for them (never "online": that the
#: person does themselves on their own consent page).
KEY_PERSON_CONSENT_METHODS = (Consent.Method.PAPER, Consent.Method.PHONE)


def key_person_candidates(area: Area) -> QuerySet[User]:
    """People with a role in the area or below it: who may be asked to be a key person."""
    from .rules import below_ids

    ids = {area.pk, *below_ids(area)}
    return (
        User.objects.filter(memberships__area_id__in=ids, is_active=True)
        .distinct()
        .order_by("display_name", "pk")
    )


def record_key_person_consent(
    actor: Any,
    wijkbeeld: Wijkbeeld,
    person: User | None,
    *,
    given: bool,
    method: str,
    note: str = "",
) -> Consent:
    """A professional of the area records a consent to be named as key person (or its
    withdrawal) that the person gave on paper or by phone. Stored in the person's own consent
    records (``accounts.record_consent``, the professional as actor) and audited."""
    from buurtbasis.accounts import services as accounts

    _require(actor, "wijkbeeld.manage_key_people", wijkbeeld)
    errors: dict[str, list[str]] = {}
    if person is None or not key_person_candidates(wijkbeeld.area).filter(pk=person.pk).exists():
        errors["person"] = [_("Kies iemand die in dit gebied woont of werkt.")]
    if method not in KEY_PERSON_CONSENT_METHODS:
        errors["method"] = [_("Kies hoe de toestemming binnenkwam: op papier of telefonisch.")]
    note = (note or "").strip()
    if len(note) > 500:
        errors["note"] = [_("Gebruik hoogstens %(n)d tekens.") % {"n": 500}]
    if errors:
        raise ValidationError(errors)
    assert person is not None
    with transaction.atomic():
        consent = accounts.record_consent(
            person, Consent.Purpose.KEY_PERSON, given, method=method, actor=actor, note=note
        )
        audit.record(
            actor,
            "wijkbeeld.record_key_person_consent",
            wijkbeeld,
            person=person.pk,
            given=bool(given),
            method=method,
        )
    return consent


def add_key_person(
    actor: Any, wijkbeeld: Wijkbeeld, person: User | None, *, kind: str, description: str
) -> KeyPerson:
    """Name a key person in the wijkbeeld: only when that person has given their own consent
    (recorded in their account: online, or on paper / by phone through a professional)."""
    _require(actor, "wijkbeeld.manage_key_people", wijkbeeld)
    errors: dict[str, Any] = {}
    if person is None:
        errors["person"] = [_("Kies wie u als sterkhouder wilt noemen.")]
    if kind not in KeyPersonKind.values:
        errors["kind"] = [_("Kies wat voor sterkhouder dit is.")]
    try:
        description = _text(
            description,
            "description",
            500,
            required=_("Schrijf kort waarvoor mensen bij deze persoon terecht kunnen."),
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    assert person is not None
    if not has_key_person_consent(person):
        audit.record(
            actor,
            "wijkbeeld.add_key_person",
            wijkbeeld,
            result="denied",
            person=person.pk,
            reason="no_consent",
        )
        raise ValidationError(
            {
                "person": _(
                    "Deze persoon heeft geen toestemming gegeven om als sterkhouder genoemd te "
                    "worden. Vraag het eerst; hij of zij legt dat zelf vast bij 'Mijn "
                    "gegevens', of u legt een toestemming op papier of per telefoon vast."
                )
            },
            code="no_consent",
        )
    if KeyPerson.objects.filter(wijkbeeld=wijkbeeld, person=person).exists():
        raise ValidationError(
            {"person": _("Deze persoon staat al bij de sterkhouders.")}, code="exists"
        )
    with transaction.atomic():
        entry = KeyPerson.objects.create(
            wijkbeeld=wijkbeeld,
            person=person,
            kind=kind,
            description=description,
            added_by=actor,
        )
        _ensure_part(actor, wijkbeeld, PartKind.KEY_PEOPLE)
        audit.record(actor, "wijkbeeld.add_key_person", entry, person=person.pk, kind=kind)
    return entry


def remove_key_person(actor: Any, entry: KeyPerson) -> None:
    """Take a key person off the list: by a professional, or by the person themselves."""
    if not (
        getattr(actor, "pk", None) == entry.person_id
        or actor.has_perm("wijkbeeld.manage_key_people", entry.wijkbeeld)
    ):
        raise PermissionDenied(_("U mag dit niet doen."))
    with transaction.atomic():
        audit.record(actor, "wijkbeeld.remove_key_person", entry, person=entry.person_id)
        entry.delete()


def visible_key_people(actor: Any, wijkbeeld: Wijkbeeld) -> list[KeyPerson] | None:
    """The key people the actor may see (``None`` when not allowed): only those whose consent
    is still given (a withdrawn consent hides them at once). Each read is audited."""
    if actor is None or not actor.has_perm("wijkbeeld.view_key_people", wijkbeeld):
        return None
    entries: QuerySet[KeyPerson] = (
        KeyPerson.objects.filter(wijkbeeld=wijkbeeld)
        .annotate(consent=_consent_subquery())
        .filter(consent=True)
        .select_related("person")
    )
    result = list(entries)
    audit.record(
        actor, "wijkbeeld.view_key_people", wijkbeeld, count=len(result), area=wijkbeeld.area.code
    )
    return result
