"""Forms only parse input; the rules are in services.py (their errors are put back on the form)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from buurtbasis.areas.models import Area

from .images import validate_image
from .models import CRYSTALLISATION_TAGS, THIRD_PLACE_TAGS, Kind, Place


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form, on the field it names when present."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class EuroField(forms.DecimalField):
    """An amount in euros typed by a person, given to services as integer cents."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 10)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0"))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> int | None:
        if isinstance(value, str):
            value = value.replace("€", "").strip()
            if "," in value:  # Dutch notation: 1.250,50
                value = value.replace(".", "").replace(",", ".")
        amount = super().clean(value)
        if amount is None:
            return None
        return int((amount * 100).to_integral_value())


class PlaceForm(forms.Form):
    area = forms.ModelChoiceField(
        queryset=Area.objects.none(), label=_("Buurt"), required=False, empty_label=None
    )
    name = forms.CharField(label=_("Naam"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Soort"), choices=[("", "—"), *Kind.choices], required=False)
    description = forms.CharField(
        label=_("Wat is het? Wat gebeurt er?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    schedule = forms.CharField(
        label=_("Wanneer"),
        required=False,
        max_length=300,
        help_text=_("Openingstijden of wanneer de groep samenkomt, bijv. elke dinsdag 10–12 uur"),
    )
    how_to_join = forms.CharField(
        label=_("Zo doe je mee"),
        required=False,
        max_length=300,
        help_text=_("Bijv. gewoon binnenlopen, of even bellen met de gastvrouw"),
    )
    drop_in = forms.BooleanField(
        label=_("Vrije inloop: je kunt zonder afspraak komen"), required=False
    )
    address = forms.CharField(label=_("Adres of plek"), required=False, max_length=200)
    latitude = forms.DecimalField(
        label=_("Breedtegraad (bijv. 52.0907)"), required=False, max_digits=9, decimal_places=6
    )
    longitude = forms.DecimalField(
        label=_("Lengtegraad (bijv. 5.1214)"), required=False, max_digits=9, decimal_places=6
    )
    host_name = forms.CharField(
        label=_("Gastvrouw, gastheer of contactpersoon"), required=False, max_length=100
    )
    contact_phone = forms.CharField(label=_("Telefoon"), required=False, max_length=30)
    contact_email = forms.CharField(label=_("E-mail"), required=False, max_length=254)
    wheelchair_accessible = forms.BooleanField(label=_("Toegankelijk met rolstoel"), required=False)
    accessibility = forms.CharField(
        label=_("Toegankelijkheid"),
        required=False,
        max_length=300,
        help_text=_("Bijv. drempel bij de ingang, invalidentoilet, ringleiding"),
    )
    owner = forms.CharField(label=_("Eigenaar van het gebouw"), required=False, max_length=200)
    rent = EuroField(label=_("Huur per maand in euro"))
    market_rent = EuroField(label=_("Marktconforme huur per maand in euro"))
    photo = forms.FileField(
        label=_("Foto (JPG, PNG, GIF of WebP)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )
    is_active = forms.BooleanField(
        label=_("Deze plek of groep loopt nog"), required=False, initial=True
    )

    def __init__(self, *args: Any, areas: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field, label in (*THIRD_PLACE_TAGS, *CRYSTALLISATION_TAGS):
            self.fields[field] = forms.BooleanField(label=label, required=False)
        if areas is not None:
            self.fields["area"].queryset = areas  # type: ignore[attr-defined]

    def clean_photo(self) -> Any:
        photo = self.cleaned_data.get("photo")
        if photo:
            validate_image(photo)
        return photo or None

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["rent_cents"] = data.pop("rent", None)
        data["market_rent_cents"] = data.pop("market_rent", None)
        data.pop("photo", None)
        return data

    @property
    def third_place_fields(self) -> list[forms.BoundField]:
        return [self[field] for field, _label in THIRD_PLACE_TAGS]

    @property
    def crystallisation_fields(self) -> list[forms.BoundField]:
        return [self[field] for field, _label in CRYSTALLISATION_TAGS]

    @classmethod
    def initial_from(cls, place: Place) -> dict[str, Any]:
        initial: dict[str, Any] = {
            field: getattr(place, field)
            for field in (
                "area",
                "name",
                "kind",
                "description",
                "schedule",
                "how_to_join",
                "drop_in",
                "address",
                "latitude",
                "longitude",
                "host_name",
                "contact_phone",
                "contact_email",
                "wheelchair_accessible",
                "accessibility",
                "owner",
                "is_active",
            )
        }
        initial["rent"] = Decimal(place.rent_cents) / 100 if place.rent_cents is not None else None
        initial["market_rent"] = (
            Decimal(place.market_rent_cents) / 100 if place.market_rent_cents is not None else None
        )
        for field, _label in (*THIRD_PLACE_TAGS, *CRYSTALLISATION_TAGS):
            initial[field] = getattr(place, field)
        return initial


class AreaContactForm(forms.Form):
    name = forms.CharField(label=_("Naam buurtwerker"), max_length=100, required=False)
    organisation = forms.CharField(label=_("Organisatie"), max_length=200, required=False)
    phone = forms.CharField(label=_("Telefoon"), max_length=30, required=False)
    walk_in = forms.CharField(
        label=_("Inloopspreekuur: waar en wanneer"), max_length=300, required=False
    )
    note = forms.CharField(label=_("Extra regel op de poster"), max_length=300, required=False)
