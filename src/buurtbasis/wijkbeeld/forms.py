"""Forms only parse input; the rules are in services.py."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from buurtbasis.accounts.models import Consent, User

from .models import Channel, ConversationRound, KeyPersonKind, PartKind, Tie


class IntroForm(forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=200, required=False)
    intro = forms.CharField(
        label=_("Inleiding"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )


class PartForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Over welk onderdeel gaat dit?"),
        choices=[("", "—"), *PartKind.choices],
        required=False,
    )
    title = forms.CharField(label=_("Titel"), max_length=200, required=False)
    body = forms.CharField(
        label=_("Tekst"),
        widget=forms.Textarea(attrs={"rows": 12}),
        required=False,
        help_text=_("Schrijf in gewone taal. Een lege regel begint een nieuwe alinea."),
    )
    written_on = forms.DateField(
        label=_("Datum"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Wanneer is dit geschreven of verteld?"),
    )
    image = forms.FileField(
        label=_("Afbeelding, bijvoorbeeld een oude foto (mag leeg)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )
    image_alt = forms.CharField(
        label=_("Wat staat er op de afbeelding?"), max_length=300, required=False
    )
    change_note = forms.CharField(
        label=_("Wat heeft u veranderd? (voor de versiegeschiedenis)"),
        max_length=300,
        required=False,
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["kind"]
        else:
            del self.fields["change_note"]


class CommentForm(forms.Form):
    round = forms.ModelChoiceField(
        label=_("Gespreksronde"),
        queryset=ConversationRound.objects.none(),
        empty_label=None,
        required=False,
    )
    body = forms.CharField(
        label=_("Uw reactie"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    channel = forms.ChoiceField(
        label=_("Hoe is de reactie gegeven?"),
        choices=Channel.choices,
        required=False,
        initial=Channel.ONLINE,
    )
    author_name = forms.CharField(
        label=_("Van wie is de reactie? (als die niet online is gegeven)"),
        max_length=100,
        required=False,
    )

    def __init__(self, *args: Any, rounds: Any = None, for_others: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if rounds is not None:
            self.fields["round"].queryset = rounds  # type: ignore[attr-defined]
        if not for_others:
            del self.fields["channel"]
            del self.fields["author_name"]


class RoundForm(forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=200, required=False)
    held_on = forms.DateField(
        label=_("Datum van de bijeenkomst"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    location = forms.CharField(label=_("Plek"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Waar gaat het gesprek over?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )


class PresenceForm(forms.Form):
    organisation_name = forms.CharField(label=_("Organisatie"), max_length=200, required=False)
    work = forms.CharField(label=_("Wat doen ze in de wijk?"), max_length=300, required=False)
    contact_name = forms.CharField(label=_("Contactpersoon"), max_length=100, required=False)
    hours = forms.DecimalField(
        label=_("Uren per week in de wijk"),
        min_value=Decimal("0"),
        max_digits=5,
        decimal_places=2,
        required=False,
        help_text=_("Bijvoorbeeld 16 of 2,5"),
        localize=True,
    )
    tie = forms.ChoiceField(label=_("Hoe verbonden met de wijk?"), choices=Tie.choices)

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        hours = data.pop("hours", None)
        data["minutes_per_week"] = None if hours is None else int((hours * 60).to_integral_value())
        return data


class KeyPersonForm(forms.Form):
    person = forms.ModelChoiceField(
        label=_("Wie"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Alleen mensen die zelf toestemming gaven, worden echt genoemd."),
    )
    kind = forms.ChoiceField(
        label=_("Wat voor sterkhouder?"),
        choices=[("", "—"), *KeyPersonKind.choices],
        required=False,
    )
    description = forms.CharField(
        label=_("Waarvoor kunnen mensen bij hem of haar terecht?"),
        max_length=500,
        required=False,
    )

    def __init__(self, *args: Any, people: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if people is not None:
            self.fields["person"].queryset = people  # type: ignore[attr-defined]
        self.fields["person"].label_from_instance = (  # type: ignore[attr-defined]
            lambda user: user.display_name
        )


class KeyPersonConsentForm(forms.Form):
    person = forms.ModelChoiceField(
        label=_("Wie"), queryset=User.objects.none(), required=False, empty_label="—"
    )
    given = forms.TypedChoiceField(
        label=_("Wat zei deze persoon?"),
        choices=[
            ("1", _("Geeft toestemming om als sterkhouder genoemd te worden")),
            ("0", _("Trekt de toestemming in")),
        ],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        initial="1",
    )
    method = forms.ChoiceField(
        label=_("Hoe kwam de toestemming binnen?"),
        choices=[
            (Consent.Method.PAPER, Consent.Method.PAPER.label),
            (Consent.Method.PHONE, Consent.Method.PHONE.label),
        ],
        widget=forms.RadioSelect,
        required=False,
    )
    note = forms.CharField(
        label=_("Toelichting (niet verplicht)"),
        max_length=500,
        required=False,
        help_text=_("Bijv. waar het getekende formulier ligt, of wanneer u belde."),
    )

    def __init__(self, *args: Any, people: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if people is not None:
            self.fields["person"].queryset = people  # type: ignore[attr-defined]
        self.fields["person"].label_from_instance = (  # type: ignore[attr-defined]
            lambda user: user.display_name
        )
