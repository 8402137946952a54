"""Forms: they only parse input. The rules (and their error messages) live in services; a
:class:`ValidationError` from a service is put back on the form with :func:`apply_errors`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from buurtbasis.accounts.models import Consent, User
from buurtbasis.areas.models import Area, Level

from .conf import setting
from .models import Category, Direction, Kind, Moment, Recurrence, Report


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form (unknown fields become form errors)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = field if field in form.fields else None
            if field == "lat" and "lat" not in form.fields:
                target = None
            for message in errors:
                form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def moments_to_mask(values: list[str] | None) -> int:
    return sum(int(v) for v in values or [])


def mask_to_moments(mask: int) -> list[str]:
    return [str(m) for m in Moment.values if mask & m]


def radius_field(label: Any, required: bool = True) -> forms.TypedChoiceField:
    choices = [
        (r, _("%(km)s km") % {"km": f"{r / 1000:g}".replace(".", ",")})
        for r in setting("RADIUS_CHOICES_M")
    ]
    return forms.TypedChoiceField(
        label=label,
        choices=choices,
        coerce=int,
        initial=setting("DEFAULT_RADIUS_M"),
        required=required,
        empty_value=None,
    )


class NeighbourhoodChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


def neighbourhood_queryset(near: Area | None) -> QuerySet[Area]:
    """Neighbourhoods of the municipality of ``near`` (all neighbourhoods when unknown)."""
    qs = Area.objects.filter(level=Level.NEIGHBOURHOOD)
    if near is not None and near.municipality_id:
        qs = qs.filter(municipality_id=near.municipality_id)
    return qs.order_by("name")


class PointFields(forms.Form):
    lat = forms.CharField(
        label=_("Breedtegraad"),
        required=False,
        max_length=20,
        help_text=_("Bijvoorbeeld 52.0907. Niemand ziet dit: anderen zien alleen een afstand."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    lon = forms.CharField(
        label=_("Lengtegraad"),
        required=False,
        max_length=20,
        help_text=_("Bijvoorbeeld 5.1214."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class PostForm(PointFields):
    direction = forms.ChoiceField(
        label=_("Vraagt u iets of biedt u iets aan?"),
        choices=Direction.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    category = forms.ChoiceField(
        label=_("Categorie"),
        choices=[("", _("— Kies een categorie —")), *Category.choices],
        required=False,
    )
    title = forms.CharField(
        label=_("Waar gaat het om?"),
        max_length=120,
        required=False,
        help_text=_("In een paar woorden, bijvoorbeeld: kast naar boven tillen."),
    )
    kind = forms.ChoiceField(
        label=_("Soort hulp"),
        choices=Kind.choices,
        initial=Kind.TASK,
        widget=forms.RadioSelect,
        required=False,
    )
    description = forms.CharField(
        label=_("Toelichting (mag leeg)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Zet hier geen adres of telefoonnummer: die deelt u later pas als u wilt."),
    )
    neighbourhood = NeighbourhoodChoiceField(
        label=_("Buurt"),
        queryset=Area.objects.none(),
        required=False,
        empty_label=_("— Kies uw buurt —"),
    )
    radius_m = radius_field(_("Hoe ver weg mag de hulp wonen?"), required=False)
    recurrence = forms.ChoiceField(
        label=_("Hoe vaak?"), choices=Recurrence.choices, initial=Recurrence.ONCE, required=False
    )
    moments = forms.MultipleChoiceField(
        label=_("Wanneer? (niets aangevinkt: maakt niet uit)"),
        choices=[(str(v), label) for v, label in Moment.choices],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    starts_at = forms.DateTimeField(
        label=_("Datum en tijd (mag leeg)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d-%m-%Y %H:%M"],
    )
    return_by = forms.DateField(
        label=_("Bij lenen: terug op (mag leeg)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d-%m-%Y"],
    )
    ride_from = forms.CharField(label=_("Bij een rit: van"), required=False, max_length=100)
    ride_to = forms.CharField(label=_("Bij een rit: naar"), required=False, max_length=100)
    seats = forms.IntegerField(
        label=_("Bij een rit: aantal plaatsen"),
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    hide_location = forms.BooleanField(
        label=_("Toon nooit waar ik woon, ook geen afstand"),
        required=False,
    )

    def __init__(self, *args: Any, near: Area | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["neighbourhood"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = neighbourhood_queryset(near)
        # Show the fields in a clear order: what, where, when, details.
        order = [
            "direction",
            "category",
            "title",
            "kind",
            "description",
            "neighbourhood",
            "lat",
            "lon",
            "radius_m",
            "recurrence",
            "moments",
            "starts_at",
            "return_by",
            "ride_from",
            "ride_to",
            "seats",
            "hide_location",
        ]
        self.order_fields(order)

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "direction": data.get("direction") or "",
            "category": data.get("category") or "",
            "title": data.get("title") or "",
            "kind": data.get("kind") or Kind.TASK,
            "description": data.get("description") or "",
            "neighbourhood": data.get("neighbourhood"),
            "lat": data.get("lat"),
            "lon": data.get("lon"),
            "radius_m": data.get("radius_m"),
            "recurrence": data.get("recurrence") or Recurrence.ONCE,
            "moments": moments_to_mask(data.get("moments")),
            "starts_at": data.get("starts_at"),
            "return_by": data.get("return_by"),
            "ride_from": data.get("ride_from") or "",
            "ride_to": data.get("ride_to") or "",
            "seats": data.get("seats"),
            "hide_location": bool(data.get("hide_location")),
        }


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        area = obj.home_neighbourhood
        return f"{obj.display_name} ({area.name})" if area else str(obj.display_name)


class OnBehalfPostForm(PostForm):
    owner = PersonChoiceField(
        label=_("Voor wie plaatst u dit?"),
        queryset=User.objects.none(),
        empty_label=_("— Kies de persoon —"),
        help_text=_(
            "Alleen mensen zonder internet die toestemming gaven. U krijgt de reacties voor hen."
        ),
    )

    def __init__(self, *args: Any, people: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = people
        self.order_fields(["owner", *[f for f in self.fields if f != "owner"]])


class ProfileForm(PointFields):
    categories = forms.MultipleChoiceField(
        label=_("Waar kunt u buren mee helpen?"),
        choices=Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Iedereen heeft iets te bieden: een ladder, een luisterend oor, een auto."),
    )
    neighbourhood = NeighbourhoodChoiceField(
        label=_("Uw buurt"),
        queryset=Area.objects.none(),
        required=False,
        empty_label=_("— Kies uw buurt —"),
    )
    radius_m = radius_field(_("Hoe ver wilt u gaan om te helpen?"))
    moments = forms.MultipleChoiceField(
        label=_("Wanneer kunt u meestal? (niets aangevinkt: verschilt)"),
        choices=[(str(v), label) for v, label in Moment.choices],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    digest_opt_out = forms.BooleanField(
        label=_("Stuur mij geen dagelijkse e-mail met vragen uit de buurt"), required=False
    )
    vulnerable = forms.BooleanField(
        label=_("Toon bij mijn vragen en aanbod nooit een plek of afstand"), required=False
    )
    use_centre = forms.BooleanField(
        label=_("Mijn opgeslagen plek wissen en het midden van de buurt gebruiken"),
        required=False,
    )

    def __init__(self, *args: Any, near: Area | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["neighbourhood"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = neighbourhood_queryset(near)
        self.order_fields(
            [
                "categories",
                "neighbourhood",
                "lat",
                "lon",
                "use_centre",
                "radius_m",
                "moments",
                "digest_opt_out",
                "vulnerable",
            ]
        )


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Uw bericht"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Deel uw adres of telefoonnummer pas als u elkaar vertrouwt."),
    )


class ThanksForm(forms.Form):
    text = forms.CharField(
        label=_("Uw bedankje (mag leeg)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    nominate = forms.BooleanField(
        label=_("Ik draag deze buurtgenoot voor voor het bloemetje van de maand"),
        required=False,
    )
    reason = forms.CharField(
        label=_("Waarom verdient deze buurtgenoot een bloemetje? (mag leeg)"),
        max_length=500,
        required=False,
    )


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Wat is er mis?"), choices=Report.Reason.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("Toelichting (mag leeg)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Besluit"), choices=Report.Decision.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Waarom? (wordt vastgelegd)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AwardForm(forms.Form):
    citation = forms.CharField(
        label=_("Waarom krijgt deze buurtgenoot het bloemetje?"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AddHelperForm(forms.Form):
    person = PersonChoiceField(
        label=_("Bewoner zonder internet"),
        queryset=User.objects.none(),
        empty_label=_("— Kies de bewoner —"),
    )
    helper_email = forms.EmailField(
        label=_("E-mailadres van de helpende buurtgenoot"),
        help_text=_("De buurtgenoot moet al een account hebben."),
    )
    consent = forms.BooleanField(
        label=_("De bewoner gaf toestemming dat deze buurtgenoot namens hem of haar helpt"),
        required=False,
    )
    method = forms.ChoiceField(
        label=_("Hoe gaf de bewoner toestemming?"),
        choices=[
            (m.value, m.label)
            for m in (Consent.Method.IN_PERSON, Consent.Method.PHONE, Consent.Method.PAPER)
        ],
        widget=forms.RadioSelect,
        required=False,
    )
    note = forms.CharField(label=_("Notitie (mag leeg)"), max_length=300, required=False)

    def __init__(self, *args: Any, people: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["person"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = people
