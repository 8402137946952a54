"""Business rules for people, their roles per area and their consents.

Every function validates its input and raises :class:`django.core.exceptions.ValidationError`
with a translated (Dutch first) message on bad input; nothing is changed then. Changes to
people and reads of sensitive personal data are written to the audit log.
"""

from __future__ import annotations

from django.contrib.auth.base_user import BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from buurtbasis.areas.models import Area, Level
from buurtbasis.core import audit

from .models import Membership, Organisation, Role, User


def normalise_email(email: str | None) -> str | None:
    """Strip and lower-case an e-mail address; ``None`` or empty gives ``None``."""
    if email is None:
        return None
    email = BaseUserManager.normalize_email(email.strip()).lower()
    return email or None


def covering_area_ids(area: Area) -> set[int]:
    """The ids of the area itself and every area above it (district, municipality).

    A role held in any of these areas counts in ``area``. Needs no query: the parent and the
    municipality are columns of the area itself (municipality → district → neighbourhood)."""
    ids = {area.pk}
    if area.parent_id:
        ids.add(area.parent_id)
    if area.municipality_id:
        ids.add(area.municipality_id)
    return ids


def forget_role_cache(user: User) -> None:
    """Drop the memberships remembered on this user object (see ``predicates``)."""
    user.__dict__.pop("_bb_roles", None)


def _clean_display_name(display_name: str) -> str:
    display_name = (display_name or "").strip()
    if not display_name:
        raise ValidationError(
            {"display_name": _("Vul een naam in die anderen mogen zien.")}, code="required"
        )
    if len(display_name) > 100:
        raise ValidationError(
            {"display_name": _("Deze naam is te lang: gebruik hoogstens 100 tekens.")},
            code="max_length",
        )
    return display_name


def _check_neighbourhood(area: Area | None) -> None:
    if area is not None and area.level != Level.NEIGHBOURHOOD:
        raise ValidationError(
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
            raise ValidationError(
                {"email": _("Dit is geen geldig e-mailadres.")}, code="invalid"
            ) from None
    display_name = _clean_display_name(display_name)
    _check_neighbourhood(home_neighbourhood)
    if len(languages) > 200:
        raise ValidationError({"languages": _("Gebruik hoogstens 200 tekens.")}, code="max_length")
    if len(phone) > 30:
        raise ValidationError({"phone": _("Gebruik hoogstens 30 tekens.")}, code="max_length")

    duplicate = ValidationError(
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
        raise ValidationError({"name": _("Vul de naam van de organisatie in.")}, code="required")
    if len(name) > 200:
        raise ValidationError({"name": _("Gebruik hoogstens 200 tekens.")}, code="max_length")
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
        raise ValidationError({"role": _("Onbekende rol: %(role)s.") % {"role": role}})
    if role == Role.PROFESSIONAL and organisation is None:
        raise ValidationError(
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
