"""Business rules for places, their keepers and the neighbourhood contact for print.

Every function checks the actor's permission and its input, and raises
:class:`~django.core.exceptions.ValidationError` (translated, Dutch first) or
:class:`~django.core.exceptions.PermissionDenied`; nothing is changed then.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from buurtbasis.areas.models import Area, Level
from buurtbasis.core import audit

from .images import validate_image
from .models import CRYSTALLISATION_TAGS, THIRD_PLACE_TAGS, AreaContact, Kind, Place, PlaceKeeper

# A generous box around the Netherlands (incl. the Wadden and Zuid-Limburg).
NL_LAT = (Decimal("50.6"), Decimal("53.7"))
NL_LON = (Decimal("3.2"), Decimal("7.3"))
PHONE_RE = re.compile(r"^\+?[0-9 ()\-]{6,30}$")

TEXT_FIELDS: dict[str, int] = {
    "description": 5000,
    "address": 200,
    "schedule": 300,
    "how_to_join": 300,
    "accessibility": 300,
    "owner": 200,
}
BOOL_FIELDS = (
    ["drop_in", "wheelchair_accessible", "is_active"]
    + [field for field, _label in THIRD_PLACE_TAGS]
    + [field for field, _label in CRYSTALLISATION_TAGS]
)


def _require(actor: Any, perm: str, obj: Any) -> None:
    if actor is None or not actor.has_perm(perm, obj):
        raise PermissionDenied(_("U mag dit niet doen."))


def clean_phone(value: str, field: str = "contact_phone") -> str:
    value = (value or "").strip()
    if value and not PHONE_RE.match(value):
        raise ValidationError(
            {field: _("Vul een telefoonnummer in met alleen cijfers, spaties, + of -.")},
            code="invalid",
        )
    return value


def _clean_point(data: dict[str, Any]) -> tuple[Decimal | None, Decimal | None]:
    raw_lat, raw_lon = data.get("latitude"), data.get("longitude")
    if raw_lat in (None, "") and raw_lon in (None, ""):
        return None, None
    if raw_lat in (None, "") or raw_lon in (None, ""):
        raise ValidationError(
            {
                "latitude": _(
                    "Vul beide coördinaten in (breedte- en lengtegraad), of geen van twee."
                )
            },
            code="incomplete",
        )
    try:
        lat = Decimal(str(raw_lat)).quantize(Decimal("0.000001"))
        lon = Decimal(str(raw_lon)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        raise ValidationError(
            {"latitude": _("De coördinaten zijn geen getallen.")}, code="invalid"
        ) from None
    if not (NL_LAT[0] <= lat <= NL_LAT[1] and NL_LON[0] <= lon <= NL_LON[1]):
        raise ValidationError(
            {"latitude": _("Dit punt ligt niet in Nederland. Controleer de coördinaten.")},
            code="outside",
        )
    return lat, lon


def _clean_cents(value: Any, field: str) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError({field: _("Vul een bedrag in hele centen in.")}, code="invalid")
    if value < 0 or value > 100_000_000:
        raise ValidationError(
            {field: _("Vul een bedrag tussen 0 en 1 miljoen euro in.")}, code="invalid"
        )
    return value


def clean_place_data(area: Area | None, data: dict[str, Any]) -> dict[str, Any]:
    """Validate the fields of a place; returns the cleaned values. Collects all errors."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}

    def fail(exc: ValidationError) -> None:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)

    if area is None:
        errors["area"] = [_("Kies de buurt waar deze plek is.")]
    elif area.level != Level.NEIGHBOURHOOD:
        errors["area"] = [_("Kies een buurt, geen wijk of gemeente.")]
    name = (data.get("name") or "").strip()
    if not name:
        errors["name"] = [_("Geef de plek een naam.")]
    elif len(name) > 200:
        errors["name"] = [_("Gebruik hoogstens 200 tekens.")]
    clean["name"] = name
    kind = data.get("kind") or ""
    if kind not in Kind.values:
        errors["kind"] = [_("Kies wat voor plek of activiteit dit is.")]
    clean["kind"] = kind
    host = (data.get("host_name") or "").strip()
    if len(host) > 100:
        errors["host_name"] = [_("Gebruik hoogstens 100 tekens.")]
    clean["host_name"] = host
    for field, limit in TEXT_FIELDS.items():
        value = (data.get(field) or "").strip()
        if len(value) > limit:
            errors[field] = [_("Gebruik hoogstens %(n)d tekens.") % {"n": limit}]
        clean[field] = value
    try:
        clean["contact_phone"] = clean_phone(data.get("contact_phone") or "")
    except ValidationError as exc:
        fail(exc)
    email = (data.get("contact_email") or "").strip().lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["contact_email"] = [_("Dit is geen geldig e-mailadres.")]
    clean["contact_email"] = email
    try:
        clean["latitude"], clean["longitude"] = _clean_point(data)
    except ValidationError as exc:
        fail(exc)
    for field in ("rent_cents", "market_rent_cents"):
        try:
            clean[field] = _clean_cents(data.get(field), field)
        except ValidationError as exc:
            fail(exc)
    for field in BOOL_FIELDS:
        clean[field] = bool(data.get(field, field == "is_active"))
    if errors:
        raise ValidationError(errors)
    return clean


def _store_photo(place: Place, photo: UploadedFile) -> None:
    ext = validate_image(photo)
    place.photo.save(f"plek-{place.pk}.{ext}", photo, save=False)


def create_place(
    actor: Any, area: Area | None, data: dict[str, Any], *, photo: UploadedFile | None = None
) -> Place:
    """A resident (or a professional helping) adds a place; the actor becomes its keeper."""
    clean = clean_place_data(area, data)
    assert area is not None
    _require(actor, "places.add_place", area)
    if photo is not None:
        validate_image(photo)
    with transaction.atomic():
        place = Place.objects.create(area=area, created_by=actor, updated_by=actor, **clean)
        PlaceKeeper.objects.create(place=place, user=actor)
        if photo is not None:
            _store_photo(place, photo)
            place.save(update_fields=["photo"])
        audit.record(actor, "places.create", place, area=area.code, kind=place.kind)
    return place


def update_place(
    actor: Any,
    place: Place,
    data: dict[str, Any],
    *,
    photo: UploadedFile | None = None,
    remove_photo: bool = False,
) -> Place:
    """Change a place. ``data`` holds every field (a full form), the area may move to
    another neighbourhood of the same municipality."""
    _require(actor, "places.change_place", place)
    area = data.get("area", place.area)
    clean = clean_place_data(area, data)
    if area.municipality_id != place.area.municipality_id:
        raise ValidationError(
            {"area": _("Een plek kan alleen naar een buurt in dezelfde gemeente verhuizen.")}
        )
    if photo is not None:
        validate_image(photo)
    with transaction.atomic():
        locked = Place.objects.select_for_update().get(pk=place.pk)
        changed = [f for f, v in clean.items() if getattr(locked, f) != v]
        for field, value in clean.items():
            setattr(locked, field, value)
        locked.area = area
        locked.updated_by = actor
        if remove_photo and locked.photo:
            locked.photo.delete(save=False)
            changed.append("photo")
        if photo is not None:
            _store_photo(locked, photo)
            changed.append("photo")
        locked.save()
        audit.record(actor, "places.update", locked, changed=sorted(changed))
    return locked


def keep_place(actor: Any, place: Place) -> PlaceKeeper:
    """The actor joins the people who keep this place up to date."""
    _require(actor, "places.keep_place", place)
    with transaction.atomic():
        link, created = PlaceKeeper.objects.get_or_create(place=place, user=actor)
        if created:
            audit.record(actor, "places.keep", place)
    return link


def stop_keeping(actor: Any, place: Place) -> None:
    """The actor stops keeping the place. The last keeper may leave: professionals can help."""
    with transaction.atomic():
        deleted, _detail = PlaceKeeper.objects.filter(place=place, user=actor).delete()
        if deleted:
            audit.record(actor, "places.stop_keeping", place)


def set_area_contact(actor: Any, area: Area, data: dict[str, Any]) -> AreaContact:
    """Set who to call in a neighbourhood (printed on poster and card)."""
    _require(actor, "places.change_contact", area)
    errors: dict[str, list[str]] = {}
    name = (data.get("name") or "").strip()
    if not name:
        errors["name"] = [_("Vul de naam van de buurtwerker in.")]
    phone = (data.get("phone") or "").strip()
    if not phone:
        errors["phone"] = [_("Vul een telefoonnummer in: zo kunnen mensen zonder internet bellen.")]
    else:
        try:
            phone = clean_phone(phone, "phone")
        except ValidationError as exc:
            errors.update(exc.message_dict)
    values = {
        "organisation": (data.get("organisation") or "").strip()[:200],
        "walk_in": (data.get("walk_in") or "").strip()[:300],
        "note": (data.get("note") or "").strip()[:300],
    }
    if len(name) > 100:
        errors["name"] = [_("Gebruik hoogstens 100 tekens.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        contact, _created = AreaContact.objects.update_or_create(
            area=area, defaults={"name": name, "phone": phone, "updated_by": actor, **values}
        )
        audit.record(actor, "places.set_contact", contact, area=area.code)
    return contact
