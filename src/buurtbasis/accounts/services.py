"""Business rules for people, their roles per area and their consents.

Every function validates its input and raises :class:`django.core.exceptions.ValidationError`
with a translated (Dutch first) message on bad input; nothing is changed then. Changes to
people and reads of sensitive personal data are written to the audit log.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import (
    PROTECT,
    RESTRICT,
    ForeignObjectRel,
    ProtectedError,
    Q,
    RestrictedError,
)
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from sesame import utils as sesame_utils

from buurtbasis.areas.models import Area, Level
from buurtbasis.core import audit, personal_data
from buurtbasis.core.models import AuditEvent
from buurtbasis.core.personal_data import rows

from .models import Consent, Membership, Organisation, Role, User

#: Who may confirm that a person lives in an area (of that area or above it).
VERIFIER_ROLES = (Role.PROFESSIONAL, Role.CIVIL_SERVANT, Role.ADMINISTRATOR)


def _error(messages: dict[str, Any], code: str = "invalid") -> ValidationError:
    """A ValidationError per field that keeps ``code`` on each field's error."""
    return ValidationError(
        {
            field: ValidationError(message, code=code) if isinstance(message, str) else message
            for field, message in messages.items()
        }
    )


def normalise_email(email: str | None) -> str | None:
    """Strip and lower-case an e-mail address; ``None`` or empty gives ``None``."""
    if email is None:
        return None
    email = BaseUserManager.normalize_email(email.strip()).lower()
    return email or None


def forget_role_cache(user: User) -> None:
    """Drop the memberships remembered on this user object (see ``predicates``)."""
    user.__dict__.pop("_bb_roles", None)
    user.__dict__.pop("_bb_verified", None)


def _clean_display_name(display_name: str) -> str:
    display_name = (display_name or "").strip()
    if not display_name:
        raise _error(
            {"display_name": _("Vul een naam in die anderen mogen zien.")}, code="required"
        )
    if len(display_name) > 100:
        raise _error(
            {"display_name": _("Deze naam is te lang: gebruik hoogstens 100 tekens.")},
            code="max_length",
        )
    return display_name


def _check_neighbourhood(area: Area | None) -> None:
    if area is not None and area.level != Level.NEIGHBOURHOOD:
        raise _error(
            {"home_neighbourhood": _("Kies een buurt als woonbuurt, geen wijk of gemeente.")},
            code="invalid",
        )


def register_user(
    *,
    email: str | None,
    display_name: str,
    password: str | None = None,
    home_neighbourhood: Area | None = None,
    languages: str = "",
    phone: str = "",
) -> User:
    """Create a person. With a home neighbourhood they become a resident there.

    ``email`` may be ``None`` (an account without e-mail, e.g. in demo data or an assisted
    account). ``password`` ``None``/empty gives an unusable password (sign-in by e-mail link
    only). The strength of the password is checked by the sign-up form, not here, so that
    demo data and imports can set known passwords.
    """
    clean_email = normalise_email(email)
    if clean_email is not None:
        try:
            validate_email(clean_email)
        except ValidationError:
            raise _error({"email": _("Dit is geen geldig e-mailadres.")}, code="invalid") from None
    display_name = _clean_display_name(display_name)
    _check_neighbourhood(home_neighbourhood)
    if len(languages) > 200:
        raise _error({"languages": _("Gebruik hoogstens 200 tekens.")}, code="max_length")
    if len(phone) > 30:
        raise _error({"phone": _("Gebruik hoogstens 30 tekens.")}, code="max_length")

    duplicate = _error(
        {"email": _("Er bestaat al een account met dit e-mailadres.")}, code="unique"
    )
    if clean_email is not None and User.objects.filter(email__iexact=clean_email).exists():
        raise duplicate
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                clean_email,
                password or None,
                display_name=display_name,
                home_neighbourhood=home_neighbourhood,
                languages=languages.strip(),
                phone=phone.strip(),
            )
            audit.record(
                user,
                "accounts.register",
                user,
                home_neighbourhood=home_neighbourhood.code if home_neighbourhood else "",
                with_email=clean_email is not None,
            )
            if home_neighbourhood is not None:
                grant_role(user, home_neighbourhood, Role.RESIDENT, actor=user)
    except IntegrityError:
        # Two sign-ups with the same address at the same moment.
        raise duplicate from None
    return user


def get_or_create_organisation(name: str, kind: str = "") -> Organisation:
    """The organisation with this name (case-insensitive), created when new."""
    name = (name or "").strip()
    if not name:
        raise _error({"name": _("Vul de naam van de organisatie in.")}, code="required")
    if len(name) > 200:
        raise _error({"name": _("Gebruik hoogstens 200 tekens.")}, code="max_length")
    existing = Organisation.objects.filter(name__iexact=name).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Organisation.objects.create(name=name, kind=(kind or "").strip()[:100])
    except IntegrityError:
        return Organisation.objects.get(name__iexact=name)


def grant_role(
    user: User,
    area: Area,
    role: str,
    *,
    organisation: Organisation | None = None,
    actor: User | None = None,
) -> Membership:
    """Give ``user`` the ``role`` in ``area`` (and so in every area below it).

    Idempotent: granting a role the person already has returns the existing membership
    (a different organisation given for it replaces the old one). A professional needs an
    organisation."""
    if role not in Role.values:
        raise _error({"role": _("Onbekende rol: %(role)s.") % {"role": role}})
    if role == Role.PROFESSIONAL and organisation is None:
        raise _error(
            {"organisation": _("Een professional werkt altijd voor een organisatie: kies er een.")},
            code="required",
        )
    with transaction.atomic():
        membership = Membership.objects.filter(user=user, area=area, role=role).first()
        if membership is not None:
            if organisation is not None and membership.organisation_id != organisation.pk:
                membership.organisation = organisation
                membership.save(update_fields=["organisation"])
                audit.record(
                    actor,
                    "accounts.change_role",
                    membership,
                    user=user.pk,
                    area=area.code,
                    role=role,
                    organisation=organisation.pk,
                )
            return membership
        membership = Membership.objects.create(
            user=user, area=area, role=role, organisation=organisation
        )
        audit.record(
            actor,
            "accounts.grant_role",
            membership,
            user=user.pk,
            area=area.code,
            role=role,
            organisation=organisation.pk if organisation else None,
        )
    forget_role_cache(user)
    return membership


def verify_resident(membership: Membership, *, actor: User) -> Membership:
    """Confirm that the person lives in the area of this resident role: done by a professional
    or civil servant of that area (or above it), or by an administrator, never by the person
    themselves. Idempotent; written to the audit log."""
    if membership.role != Role.RESIDENT:
        raise _error({"membership": _("Alleen een rol als bewoner kan worden bevestigd.")})
    if membership.user_id == getattr(actor, "pk", None):
        audit.record(actor, "accounts.verify_resident", membership, result=AuditEvent.Result.DENIED)
        raise PermissionDenied(_("U kunt uw eigen woonbuurt niet zelf bevestigen."))
    if not actor.has_perm("accounts.verify_resident", membership):
        audit.record(actor, "accounts.verify_resident", membership, result=AuditEvent.Result.DENIED)
        raise PermissionDenied(
            _(
                "Alleen een professional of ambtenaar van deze buurt, of een beheerder, "
                "bevestigt waar iemand woont."
            )
        )
    with transaction.atomic():
        current = Membership.objects.select_for_update().filter(pk=membership.pk).first()
        if current is None:
            raise _error({"membership": _("Deze rol bestaat niet meer.")})
        if current.verified_at is None:
            current.verified_at = timezone.now()
            current.verified_by = actor
            current.save(update_fields=["verified_at", "verified_by"])
            audit.record(
                actor,
                "accounts.verify_resident",
                current,
                user=current.user_id,
                area=membership.area.code,
            )
    membership.verified_at, membership.verified_by_id = current.verified_at, current.verified_by_id
    forget_role_cache(membership.user)
    return membership


def is_verified_resident(user: User, area: Area) -> bool:
    """The person's resident role in ``area`` has been confirmed."""
    return Membership.objects.filter(
        user=user, area=area, role=Role.RESIDENT, verified_at__isnull=False
    ).exists()


def residents_to_verify(actor: User, *, limit: int = 200) -> list[Membership]:
    """Unconfirmed resident roles the actor may confirm: in the areas (and below them) where
    the actor is a professional, civil servant or administrator; everywhere for a
    superuser."""
    if not getattr(actor, "is_authenticated", False):
        return []
    pending = (
        Membership.objects.filter(
            role=Role.RESIDENT, verified_at__isnull=True, user__is_active=True
        )
        .exclude(user=actor)
        .select_related("user", "area")
        .order_by("area__name", "user__display_name", "pk")
    )
    if not actor.is_superuser:
        mine = list(
            Membership.objects.filter(user=actor, role__in=VERIFIER_ROLES).values_list(
                "area_id", flat=True
            )
        )
        if not mine:
            return []
        pending = pending.filter(
            Q(area_id__in=mine) | Q(area__parent_id__in=mine) | Q(area__municipality_id__in=mine)
        )
    return list(pending[:limit])


def revoke_role(user: User, area: Area, role: str, *, actor: User | None = None) -> bool:
    """Take ``role`` in ``area`` away from ``user``. Returns whether there was one."""
    with transaction.atomic():
        deleted, _detail = Membership.objects.filter(user=user, area=area, role=role).delete()
        if deleted:
            audit.record(actor, "accounts.revoke_role", user, area=area.code, role=role)
    forget_role_cache(user)
    return bool(deleted)


def manageable_areas(actor: User) -> list[Area]:
    """The areas where ``actor`` may give and end roles, each with the areas below it: every
    area where they are administrator (a superuser: every municipality)."""
    if not actor.is_authenticated:
        return []
    if actor.is_superuser:
        tops = Area.objects.filter(level=Level.MUNICIPALITY)
    else:
        tops = Area.objects.filter(
            memberships__user=actor, memberships__role=Role.ADMINISTRATOR
        ).distinct()
    return list(tops.order_by("code"))


def assign_role(
    *,
    actor: User,
    area: Area,
    email: str,
    role: str,
    organisation_name: str = "",
) -> Membership:
    """An administrator gives the person with ``email`` the ``role`` in ``area`` (through
    :func:`grant_role`, so it is audit-logged). Refused without ``accounts.manage_roles`` on
    the area."""
    if not actor.has_perm("accounts.manage_roles", area):
        audit.record(
            actor, "accounts.grant_role", None, result=AuditEvent.Result.DENIED, area=area.code
        )
        raise PermissionDenied(_("U mag in dit gebied geen rollen geven."))
    if role not in Role.values:
        raise _error({"role": _("Kies een rol.")})
    clean_email = normalise_email(email)
    user = User.objects.filter(email__iexact=clean_email).first() if clean_email else None
    if user is None:
        raise _error(
            {
                "email": _(
                    "Er is geen account met dit e-mailadres. Vraag de persoon zich eerst "
                    "aan te melden."
                )
            },
            code="unknown",
        )
    organisation = None
    if (organisation_name or "").strip():
        organisation = get_or_create_organisation(organisation_name)
    return grant_role(user, area, role, organisation=organisation, actor=actor)


def end_role(*, actor: User, membership: Membership) -> None:
    """An administrator ends a role (through :func:`revoke_role`, audit-logged). Refused
    without ``accounts.manage_roles`` on the role's area, and for the actor's own
    administrator role (so nobody locks themselves out by mistake)."""
    area = membership.area
    if not actor.has_perm("accounts.manage_roles", area):
        audit.record(
            actor,
            "accounts.revoke_role",
            membership.user,
            result=AuditEvent.Result.DENIED,
            area=area.code,
        )
        raise PermissionDenied(_("U mag in dit gebied geen rollen beëindigen."))
    if membership.user_id == actor.pk and membership.role == Role.ADMINISTRATOR:
        raise _error(
            {
                "__all__": _(
                    "U kunt uw eigen rol als beheerder niet beëindigen. Vraag een andere beheerder."
                )
            },
            code="own_role",
        )
    revoke_role(membership.user, area, membership.role, actor=actor)


def update_profile(
    user: User,
    *,
    actor: User | None,
    display_name: str,
    home_neighbourhood: Area | None,
    languages: str = "",
    phone: str = "",
) -> User:
    """Change the profile. A new home neighbourhood makes the person a resident there (and no
    longer a resident of the old one)."""
    display_name = _clean_display_name(display_name)
    _check_neighbourhood(home_neighbourhood)
    languages, phone = (languages or "").strip(), (phone or "").strip()
    if len(languages) > 200:
        raise _error({"languages": _("Gebruik hoogstens 200 tekens.")}, code="max_length")
    if len(phone) > 30:
        raise _error({"phone": _("Gebruik hoogstens 30 tekens.")}, code="max_length")
    with transaction.atomic():
        old_home = user.home_neighbourhood
        changed = sorted(
            name
            for name, value in (
                ("display_name", display_name),
                ("home_neighbourhood", home_neighbourhood),
                ("languages", languages),
                ("phone", phone),
            )
            if getattr(user, name) != value
        )
        if not changed:
            return user
        user.display_name = display_name
        user.home_neighbourhood = home_neighbourhood
        user.languages = languages
        user.phone = phone
        user.save(update_fields=["display_name", "home_neighbourhood", "languages", "phone"])
        # Only which fields changed: the values are personal data and stay out of the log.
        audit.record(actor, "accounts.change_profile", user, fields=changed)
        if "home_neighbourhood" in changed:
            if old_home is not None:
                revoke_role(user, old_home, Role.RESIDENT, actor=actor)
            if home_neighbourhood is not None:
                grant_role(user, home_neighbourhood, Role.RESIDENT, actor=actor)
    return user


# --- Consent ----------------------------------------------------------------------------------

#: Purposes a person may give or withdraw themselves on the consents page.
SELF_SERVICE_PURPOSES = (
    Consent.Purpose.PROFILE_VISIBLE,
    Consent.Purpose.KEY_PERSON,
    Consent.Purpose.CONTACT_BY_EMAIL,
)


def record_consent(
    user: User,
    purpose: str,
    given: bool,
    *,
    method: str,
    actor: User | None,
    note: str = "",
) -> Consent:
    """Append a consent (``given=True``) or its withdrawal (``given=False``). Earlier rows stay
    as they are: the newest row per purpose is the current state."""
    if purpose not in Consent.Purpose.values:
        raise _error({"purpose": _("Onbekend doel van de toestemming.")})
    if method not in Consent.Method.values:
        raise _error({"method": _("Kies hoe de toestemming is gegeven.")})
    if len(note or "") > 500:
        raise _error({"note": _("Gebruik hoogstens 500 tekens.")}, code="max_length")
    with transaction.atomic():
        consent = Consent.objects.create(
            user=user,
            purpose=purpose,
            given=bool(given),
            method=method,
            recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
            note=(note or "").strip(),
        )
        audit.record(
            actor,
            "accounts.give_consent" if given else "accounts.withdraw_consent",
            user,
            purpose=purpose,
            method=method,
            consent=consent.pk,
        )
    return consent


def current_consents(user: User) -> dict[str, Consent | None]:
    """The newest row per purpose (``None`` when never asked), for every purpose."""
    state: dict[str, Consent | None] = dict.fromkeys(Consent.Purpose.values)
    for consent in user.consents.select_related("recorded_by").order_by("at", "id"):
        state[consent.purpose] = consent
    return state


def email_opt_outs(user_ids: Any) -> set[int]:
    """Of these people, those whose newest ``contact_by_email`` consent row is a withdrawal:
    they do not want messages by e-mail beyond what they asked for themselves."""
    latest: dict[int, bool] = {}
    for user_id, given in (
        Consent.objects.filter(user_id__in=list(user_ids), purpose=Consent.Purpose.CONTACT_BY_EMAIL)
        .order_by("at", "id")
        .values_list("user_id", "given")
    ):
        latest[user_id] = given
    return {user_id for user_id, given in latest.items() if not given}


def has_consent(user: User, purpose: str) -> bool:
    consent = user.consents.filter(purpose=purpose).order_by("-at", "-id").first()
    return bool(consent and consent.given)


# --- Assisted accounts ------------------------------------------------------------------------

ASSISTED_CONSENT_METHODS = (Consent.Method.PAPER, Consent.Method.PHONE, Consent.Method.IN_PERSON)
TAKEOVER_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: easy to read aloud
TAKEOVER_CODE_LENGTH = 12
TAKEOVER_CODE_VALID = timedelta(days=30)


def register_assisted(
    *,
    professional: User,
    display_name: str,
    home_neighbourhood: Area,
    consent_given: bool,
    consent_method: str,
    consent_note: str = "",
    phone: str = "",
    languages: str = "",
) -> User:
    """A professional registers a resident without e-mail or internet.

    The account has no e-mail and no usable password; the resident becomes a resident of
    their home neighbourhood. Refused (nothing created) without recorded consent, or when the
    professional does not work as a professional in that neighbourhood."""
    if not consent_given:
        raise _error(
            {
                "consent_given": _(
                    "Zonder toestemming van de bewoner kunt u geen account maken. Vraag eerst "
                    "toestemming (op papier, telefonisch of persoonlijk)."
                )
            },
            code="no_consent",
        )
    if consent_method not in ASSISTED_CONSENT_METHODS:
        raise _error({"consent_method": _("Kies hoe de bewoner toestemming gaf.")}, code="invalid")
    if home_neighbourhood is None:
        raise _error(
            {"home_neighbourhood": _("Kies de buurt waar de bewoner woont.")}, code="required"
        )
    _check_neighbourhood(home_neighbourhood)
    if not professional.has_perm("accounts.register_assisted", home_neighbourhood):
        audit.record(
            professional,
            "accounts.register_assisted",
            None,
            result=AuditEvent.Result.DENIED,
            area=home_neighbourhood.code,
        )
        raise PermissionDenied(
            _("U werkt niet als professional in deze buurt en kunt hier geen account maken.")
        )
    with transaction.atomic():
        user = User.objects.create_user(
            None,
            None,
            display_name=_clean_display_name(display_name),
            home_neighbourhood=home_neighbourhood,
            phone=(phone or "").strip()[:30],
            languages=(languages or "").strip()[:200],
            assisted_by=professional,
        )
        audit.record(
            professional,
            "accounts.register_assisted",
            user,
            area=home_neighbourhood.code,
            consent_method=consent_method,
        )
        record_consent(
            user,
            Consent.Purpose.ASSISTED_ACCOUNT,
            True,
            method=consent_method,
            actor=professional,
            note=consent_note,
        )
        membership = grant_role(user, home_neighbourhood, Role.RESIDENT, actor=professional)
        # The professional met the resident and registers them in their own area: that
        # confirms where they live.
        verify_resident(membership, actor=professional)
    return user


def _hash_takeover_code(code: str) -> str:
    normalised = "".join(ch for ch in code.upper() if ch.isalnum())
    return hmac.new(
        settings.SECRET_KEY.encode(), b"takeover:" + normalised.encode(), hashlib.sha256
    ).hexdigest()


def format_takeover_code(code: str) -> str:
    """``ABCDEFGHJKLM`` → ``ABCD-EFGH-JKLM`` (easier to copy by hand)."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def create_takeover_code(resident: User, *, actor: User) -> str:
    """Make a new one-time take-over code for an assisted account and return it (formatted).

    Only a keyed hash is stored, so the code can be shown once and never again. A new code
    replaces an older one. Valid for 30 days."""
    if not actor.has_perm("accounts.manage_assisted", resident):
        audit.record(actor, "accounts.takeover_code", resident, result=AuditEvent.Result.DENIED)
        raise PermissionDenied(_("Alleen de professional die dit account maakte kan dat."))
    code = "".join(secrets.choice(TAKEOVER_CODE_ALPHABET) for _i in range(TAKEOVER_CODE_LENGTH))
    with transaction.atomic():
        resident.takeover_code = _hash_takeover_code(code)
        resident.takeover_code_expires = timezone.now() + TAKEOVER_CODE_VALID
        resident.save(update_fields=["takeover_code", "takeover_code_expires"])
        audit.record(actor, "accounts.takeover_code", resident)
    return format_takeover_code(code)


def take_over(*, code: str, email: str, password: str) -> User:
    """The resident takes over their assisted account with the code, an e-mail address and a
    password. The code works once. ``assisted_by`` is cleared (the professional no longer
    manages the account); the history stays in the audit log and the consent records."""
    code = (code or "").strip()
    digest = _hash_takeover_code(code) if code else ""
    user = (
        User.objects.filter(
            takeover_code=digest,
            takeover_code_expires__gt=timezone.now(),
            email__isnull=True,
        ).first()
        if digest
        else None
    )
    if user is None:
        audit.record(None, "accounts.takeover", None, result=AuditEvent.Result.FAILED)
        raise _error(
            {"code": _("Deze code klopt niet of is verlopen. Vraag uw buurtwerker om een nieuwe.")},
            code="invalid",
        )
    clean_email = normalise_email(email)
    if clean_email is None:
        raise _error({"email": _("Vul uw e-mailadres in.")}, code="required")
    try:
        validate_email(clean_email)
    except ValidationError:
        raise _error({"email": _("Dit is geen geldig e-mailadres.")}) from None
    if User.objects.filter(email__iexact=clean_email).exists():
        raise _error(
            {"email": _("Dit e-mailadres kunt u hier niet gebruiken. Kies een ander adres.")},
            code="unique",
        )
    user.email = clean_email
    try:
        password_validation.validate_password(password or "", user)
    except ValidationError as error:
        user.email = None
        raise _error({"password": error.messages}) from None
    helper_id = user.assisted_by_id
    try:
        with transaction.atomic():
            # Claim the code first: a second use of the same code finds nothing.
            claimed = User.objects.filter(pk=user.pk, takeover_code=digest).update(
                takeover_code="", takeover_code_expires=None
            )
            if not claimed:
                raise _error({"code": _("Deze code is al gebruikt.")}, code="used")
            user.set_password(password)
            user.assisted_by = None
            user.takeover_code = ""
            user.takeover_code_expires = None
            user.save(update_fields=["email", "password", "assisted_by"])
            record_consent(
                user,
                Consent.Purpose.ASSISTED_ACCOUNT,
                False,
                method=Consent.Method.ONLINE,
                actor=user,
                note=_("Account overgenomen door de bewoner zelf."),
            )
            audit.record(user, "accounts.takeover", user, assisted_by=helper_id)
    except IntegrityError:
        user.email = None
        raise _error(
            {"email": _("Dit e-mailadres kunt u hier niet gebruiken. Kies een ander adres.")}
        ) from None
    forget_role_cache(user)
    return user


# --- Sign-in links ----------------------------------------------------------------------------


def _mail_link(user: User, *, login_url: str, template: str, subject: str) -> None:
    link = login_url + sesame_utils.get_query_string(user)
    minutes = int(settings.SESAME_MAX_AGE // 60)
    context = {"user": user, "link": link, "minutes": minutes}
    send_mail(
        subject=subject,
        message=render_to_string(template, context),
        from_email=None,
        recipient_list=[str(user.email)],
    )


def send_login_link(email: str, *, login_url: str) -> bool:
    """E-mail a one-time sign-in link when an active account has this address.

    ``login_url`` is the absolute URL of the page that uses the link. Returns whether a mail
    was sent — never show that to the visitor (it would tell who has an account)."""
    clean_email = normalise_email(email)
    if not clean_email:
        return False
    user = User.objects.filter(email__iexact=clean_email, is_active=True).first()
    if user is None:
        return False
    _mail_link(
        user,
        login_url=login_url,
        template="accounts/email/login_link.txt",
        subject=_("Uw inloglink voor Buurtbasis"),
    )
    audit.record(None, "accounts.login_link_sent", user)
    return True


def sign_up(
    *,
    email: str,
    display_name: str,
    password: str | None,
    home_neighbourhood: Area | None,
    login_url: str,
) -> User | None:
    """Sign-up from the web form. A new person gets an account and a welcome mail with a
    sign-in link. When the address has an account already, nothing is created and that
    address gets a mail with a sign-in link instead; the visitor sees the same page either way,
    so the form does not tell who has an account. Returns the new user or ``None``."""
    clean_email = normalise_email(email)
    existing = (
        User.objects.filter(email__iexact=clean_email).first() if clean_email is not None else None
    )
    if existing is None:
        try:
            user = register_user(
                email=clean_email,
                display_name=display_name,
                password=password,
                home_neighbourhood=home_neighbourhood,
            )
        except ValidationError as error:
            email_errors = getattr(error, "error_dict", {}).get("email", [])
            if not any(e.code == "unique" for e in email_errors):
                raise
            existing = User.objects.filter(email__iexact=clean_email).first()
        else:
            if clean_email is not None:
                _mail_link(
                    user,
                    login_url=login_url,
                    template="accounts/email/welcome.txt",
                    subject=_("Welkom bij Buurtbasis"),
                )
            return user
    if password:
        # Hash anyway, so an existing address does not answer measurably faster.
        make_password(password)
    if existing is not None and existing.is_active:
        _mail_link(
            existing,
            login_url=login_url,
            template="accounts/email/already_registered.txt",
            subject=_("U heeft al een account bij Buurtbasis"),
        )
    if existing is not None:
        audit.record(None, "accounts.register", existing, result=AuditEvent.Result.FAILED)
    return None


def set_password(user: User, password: str, *, actor: User) -> None:
    """Set a new password (already checked by the form's validators). Earlier sign-in links
    stop working."""
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit.record(actor, "accounts.set_password", user)


# --- My data ----------------------------------------------------------------------------------


def _event_dict(event: AuditEvent) -> dict[str, Any]:
    return {
        "at": event.at,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "result": event.result,
        "origin": event.origin,
        "detail": event.detail,
    }


def export_account_data(user: User) -> dict[str, Any]:
    """The ``accounts`` section of "download my data": profile, roles, consents and the audit
    events about and by the person (registered in ``AccountsConfig.ready()``)."""
    home = user.home_neighbourhood
    return {
        "profile": {
            "id": user.pk,
            "email": user.email,
            "display_name": user.display_name,
            "home_neighbourhood": {"code": home.code, "name": home.name} if home else None,
            "languages": user.languages,
            "phone": user.phone,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "is_active": user.is_active,
            "has_password": user.has_usable_password(),
            "assisted_by": user.assisted_by.display_name if user.assisted_by else None,
        },
        "memberships": [
            {
                "area": {"code": m.area.code, "name": m.area.name, "level": m.area.level},
                "role": m.role,
                "organisation": m.organisation.name if m.organisation else None,
                "since": m.since,
            }
            for m in user.memberships.select_related("area", "organisation").order_by("since")
        ],
        "consents": [
            {
                "purpose": c.purpose,
                "given": c.given,
                "method": c.method,
                "at": c.at,
                "recorded_by": c.recorded_by.display_name if c.recorded_by else None,
                "note": c.note,
            }
            for c in user.consents.select_related("recorded_by").order_by("at", "id")
        ],
        "assisted_accounts": rows(
            User.objects.filter(assisted_by=user, email__isnull=True), "id", "display_name"
        ),
        "audit_events_about_me": [
            _event_dict(e)
            for e in AuditEvent.objects.filter(
                object_type=User._meta.label_lower, object_id=str(user.pk)
            ).order_by("at", "id")
        ],
        "audit_events_by_me": [
            _event_dict(e) for e in AuditEvent.objects.filter(actor=user).order_by("at", "id")
        ],
    }


def export_user_data(user: User, *, actor: User) -> dict[str, Any]:
    """Everything stored about ``user``, as JSON-ready data: one section per app, each made by
    the exporter the app registered (``buurtbasis.core.personal_data``). Audit-logged as a
    sensitive read."""
    if not actor.has_perm("accounts.export_data", user):
        audit.record(actor, "accounts.export_data", user, result=AuditEvent.Result.DENIED)
        raise PermissionDenied(_("U kunt alleen uw eigen gegevens downloaden."))
    data: dict[str, Any] = {"exported_at": timezone.now(), **personal_data.export_all(user)}
    audit.record(actor, "accounts.export_data", user, sensitive_read=True)
    return data


def export_user_json(user: User, *, actor: User) -> str:
    return json.dumps(
        export_user_data(user, actor=actor), cls=DjangoJSONEncoder, indent=2, ensure_ascii=False
    )


#: The name a stand-in for a deleted person carries (see :func:`delete_account`).
DELETED_NAME = "verwijderd account"


def _kept_references(user: User) -> list[tuple[type[Any], str]]:
    """``(model, field name)`` of every record that must be kept (``PROTECT``/``RESTRICT``
    foreign key) and points at ``user``."""
    kept: list[tuple[type[Any], str]] = []
    # include_hidden: relations with ``related_name="+"`` protect as well.
    for relation in User._meta.get_fields(include_hidden=True):
        if not isinstance(relation, ForeignObjectRel) or relation.many_to_many:
            continue
        if relation.on_delete not in (PROTECT, RESTRICT):
            continue
        model: type[Any] = relation.related_model  # type: ignore[assignment]
        name = relation.field.name
        if model._base_manager.filter(**{name: user}).exists():
            kept.append((model, name))
    return kept


def delete_account(user: User, *, actor: User) -> None:
    """Delete the person: their profile, roles, consents and everything the apps delete with
    them (posts, messages, participations …). Other records that name them lose the name
    (``SET_NULL``). The audit log keeps its rows, naming the person only as ``user:<id>``.

    Records that must be kept (``PROTECT``: hours confirmed under a drawing right, a residents'
    group's contact, …) are handed to a new stand-in account without e-mail, password, phone
    or name ("verwijderd account", inactive), one per deleted person, so those records stay
    whole and the person is still gone."""
    if not actor.has_perm("accounts.delete_account", user):
        audit.record(actor, "accounts.delete_account", user, result=AuditEvent.Result.DENIED)
        raise PermissionDenied(_("U kunt alleen uw eigen account verwijderen."))
    try:
        _delete_account(user, actor=actor)
    except (ProtectedError, RestrictedError) as error:
        # A record deeper down (not pointing at the person) protects something that would go
        # with them. Nothing is changed then.
        kinds = sorted({obj._meta.label_lower for obj in error.args[1]})
        audit.record(
            actor, "accounts.delete_account", user, result=AuditEvent.Result.FAILED, kept=kinds
        )
        raise _error(
            {
                "__all__": _(
                    "Uw account kan nog niet worden verwijderd: het hoort bij gegevens die "
                    "bewaard moeten blijven, zoals besluiten over geld. Neem contact op met de "
                    "beheerder; die helpt u verder."
                )
            },
            code="protected",
        ) from None


def _delete_account(user: User, *, actor: User) -> None:
    with transaction.atomic():
        kept = _kept_references(user)
        detail: dict[str, Any] = {}
        if kept:
            stand_in = User.objects.create_user(None, None, display_name=DELETED_NAME)
            stand_in.is_active = False
            stand_in.save(update_fields=["is_active"])
            for model, name in kept:
                model._base_manager.filter(**{name: user}).update(**{name: stand_in})
            detail = {
                "kept": sorted({model._meta.label_lower for model, _name in kept}),
                "stand_in": stand_in.pk,
            }
        audit.record(actor, "accounts.delete_account", user, **detail)
        user.delete()
