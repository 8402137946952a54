"""Forms only parse input; the rules are in the services (their errors are put back on the
form). The creation form has exactly five required fields."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from buurtbasis.accounts.models import Organisation
from buurtbasis.agenda.models import AgendaGoal
from buurtbasis.areas.models import Area
from buurtbasis.budgets.models import BudgetLine, DrawingRight
from buurtbasis.places.models import Place

from .models import (
    BallotMethod,
    CoFundingRule,
    Fund,
    Initiative,
    Need,
    SourceType,
    Theme,
    Vote,
)


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form, on the field it names when present."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class DutchDecimalField(forms.DecimalField):
    """A number typed the Dutch way (``1.250,50``) or with a decimal point (``1250.50``)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = value.replace("€", "").replace("%", "").replace(" ", "").strip()
            if "," in value:
                value = value.replace(".", "").replace(",", ".")
        return super().to_python(value)


class EuroField(DutchDecimalField):
    """An amount in euros typed by a person, given to the services as integer cents."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0"))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> int | None:
        amount = super().clean(value)
        if amount is None:
            return None
        return int((amount * 100).to_integral_value())


class DateInput(forms.DateInput):
    input_type = "date"


def _goal_label(goal: AgendaGoal) -> str:
    """A goal with the area of its agenda, so goals of different districts can be told apart."""
    return f"{goal.title} ({goal.agenda.area.name})"


class InitiativeForm(forms.Form):
    """The five required fields first; the rest is optional and folded away."""

    name = forms.CharField(label=_("Naam van je initiatief"), max_length=120)
    description = forms.CharField(
        label=_("Wat wil je doen?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Een paar zinnen zijn genoeg."),
    )
    area = forms.ModelChoiceField(
        queryset=Area.objects.none(), label=_("Waar? (buurt)"), empty_label=None
    )
    contact = forms.CharField(
        label=_("Hoe kunnen mensen je bereiken?"),
        max_length=200,
        help_text=_("Bijvoorbeeld een telefoonnummer of e-mailadres. Dit is openbaar."),
    )
    needs_text = forms.CharField(
        label=_("Wat heb je nodig?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Geld, uren hulp, een ruimte, spullen, vrijwilligers … in je eigen woorden."),
    )
    # Optional.
    themes = forms.MultipleChoiceField(
        label=_("Thema's"),
        choices=Theme.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    agenda_goals = forms.ModelMultipleChoiceField(
        label=_("Doelen van de wijkagenda"),
        queryset=AgendaGoal.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    place = forms.ModelChoiceField(label=_("Plek"), queryset=Place.objects.none(), required=False)
    starts_on = forms.DateField(label=_("Begint op"), required=False, widget=DateInput)
    ends_on = forms.DateField(label=_("Eindigt op"), required=False, widget=DateInput)
    photo = forms.FileField(
        label=_("Foto (JPG, PNG, GIF of WebP)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )

    REQUIRED = ("name", "description", "area", "contact", "needs_text")
    OPTIONAL = ("themes", "agenda_goals", "place", "starts_on", "ends_on", "photo")

    def __init__(
        self,
        *args: Any,
        areas: Any = None,
        goals: Any = None,
        places: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if areas is not None:
            self.fields["area"].queryset = areas  # type: ignore[attr-defined]
        if goals is not None:
            field = self.fields["agenda_goals"]
            field.queryset = goals  # type: ignore[attr-defined]
            field.label_from_instance = _goal_label  # type: ignore[attr-defined]
        else:
            del self.fields["agenda_goals"]
        if places is not None:
            self.fields["place"].queryset = places  # type: ignore[attr-defined]

    def service_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "photo"}
        data.setdefault("agenda_goals", [])
        if "agenda_goals" not in self.fields:
            data.pop("agenda_goals")
        return data

    @property
    def required_fields(self) -> list[forms.BoundField]:
        return [self[f] for f in self.REQUIRED]

    @property
    def optional_fields(self) -> list[forms.BoundField]:
        return [self[f] for f in self.OPTIONAL if f in self.fields]


class StateForm(forms.Form):
    state = forms.ChoiceField(label=_("Hoe staat het ervoor?"), choices=Initiative.State.choices)
    state_note = forms.CharField(
        label=_("In je eigen woorden"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class OwnerForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mailadres van de mede-initiatiefnemer"),
        help_text=_("Diegene heeft al een account bij Buurtbasis."),
    )


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Je reactie"), widget=forms.Textarea(attrs={"rows": 3}))
    offer = forms.BooleanField(label=_("Dit is een aanbod van steun"), required=False)


class NeedForm(forms.Form):
    kind = forms.ChoiceField(label=_("Wat heb je nodig?"), choices=Need.Kind.choices)
    description = forms.CharField(label=_("Korte omschrijving"), max_length=300)
    amount = EuroField(label=_("Bedrag in euro (bij geld)"), required=False)
    hours = forms.IntegerField(label=_("Aantal uren (bij uren)"), required=False, min_value=1)


class AnswerForm(forms.Form):
    message = forms.CharField(label=_("Wat bied je aan?"), widget=forms.Textarea(attrs={"rows": 3}))
    hours = forms.IntegerField(label=_("Aantal uren"), required=False, min_value=1)
    drawing_right = forms.ModelChoiceField(
        label=_("Uit trekkingsrecht"), queryset=DrawingRight.objects.none(), required=False
    )
    place = forms.ModelChoiceField(label=_("Plek"), queryset=Place.objects.none(), required=False)

    def __init__(self, *args: Any, rights: Any = None, places: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if rights is not None:
            self.fields["drawing_right"].queryset = rights  # type: ignore[attr-defined]
        else:
            del self.fields["drawing_right"]
        if places is not None:
            self.fields["place"].queryset = places  # type: ignore[attr-defined]
        else:
            del self.fields["place"]


ITEM_ROWS = 5


class GrantForm(forms.Form):
    line = forms.ModelChoiceField(
        label=_("Uit welk potje?"), queryset=BudgetLine.objects.none(), empty_label=None
    )
    why = forms.CharField(label=_("Waarom vraag je dit?"), widget=forms.Textarea(attrs={"rows": 3}))
    for_whom = forms.CharField(
        label=_("Voor wie is het?"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, lines: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if lines is not None:
            self.fields["line"].queryset = lines  # type: ignore[attr-defined]
        for i in range(1, ITEM_ROWS + 1):
            self.fields[f"item_{i}"] = forms.CharField(
                label=_("Begrotingsregel %(n)s: waarvoor") % {"n": i},
                required=False,
                max_length=200,
            )
            self.fields[f"amount_{i}"] = EuroField(
                label=_("Begrotingsregel %(n)s: bedrag in euro") % {"n": i}, required=False
            )

    def items(self) -> list[tuple[str, int]]:
        rows = []
        for i in range(1, ITEM_ROWS + 1):
            what = self.cleaned_data.get(f"item_{i}") or ""
            amount = self.cleaned_data.get(f"amount_{i}")
            if what or amount:
                rows.append((what, amount if amount is not None else 0))
        return rows

    @property
    def item_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"item_{i}"], self[f"amount_{i}"]) for i in range(1, ITEM_ROWS + 1)]


class DecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Uw besluit"),
        choices=[("yes", _("Ja, toekennen")), ("no", _("Nee, niet toekennen"))],
        widget=forms.RadioSelect,
        coerce=lambda v: v == "yes",
    )
    reason = forms.CharField(
        label=_("Waarom? (dit wordt openbaar)"), widget=forms.Textarea(attrs={"rows": 3})
    )


class StoryForm(forms.Form):
    text = forms.CharField(
        label=_("Wat heeft het opgeleverd?"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )
    photo = forms.FileField(
        label=_("Foto (niet verplicht)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )
    photo_alt = forms.CharField(label=_("Wat staat er op de foto?"), required=False, max_length=200)


class ExpenseForm(forms.Form):
    description = forms.CharField(label=_("Waaraan"), max_length=200)
    amount = EuroField(label=_("Bedrag in euro"))
    spent_on = forms.DateField(label=_("Datum"), widget=DateInput)


class LineSettingsForm(forms.Form):
    open_for_requests = forms.BooleanField(label=_("Aanvragen mogelijk"), required=False)
    small_limit = EuroField(
        label=_("Grens voor kleine aanvragen in euro"),
        help_text=_("Tot en met dit bedrag beslissen één bewoner en één professional samen."),
    )
    small_days = forms.IntegerField(
        label=_("Werkdagen voor een besluit over een kleine aanvraag"), min_value=1, max_value=60
    )
    panel_days = forms.IntegerField(
        label=_("Werkdagen voor een besluit van de buurtjury"), min_value=1, max_value=60
    )
    vote_enabled = forms.BooleanField(label=_("Buurtstemming als instrument"), required=False)
    host = forms.ModelChoiceField(
        label=_("Gastorganisatie"),
        queryset=Organisation.objects.all(),
        required=False,
        help_text=_("Beheert het geld voor initiatieven zonder eigen gastorganisatie."),
    )


class AppointForm(forms.Form):
    email = forms.EmailField(label=_("E-mailadres van de bewoner"))


class FundingPlanForm(forms.Form):
    total = EuroField(label=_("Wat kost het initiatief in totaal? (euro)"))
    cofunding_rule = forms.ModelChoiceField(
        label=_("Wat voor activiteit is het?"),
        queryset=CoFundingRule.objects.none(),
        required=False,
        help_text=_("Dit bepaalt welk deel de gemeente kan meebetalen."),
    )

    ROWS = 6

    def __init__(self, *args: Any, rules: Any = None, funds: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if rules is not None:
            self.fields["cofunding_rule"].queryset = rules  # type: ignore[attr-defined]
        for i in range(1, self.ROWS + 1):
            self.fields[f"source_{i}"] = forms.ChoiceField(
                label=_("Regel %(n)s: soort bron") % {"n": i},
                choices=[("", "—"), *SourceType.choices],
                required=False,
            )
            self.fields[f"from_{i}"] = forms.CharField(
                label=_("Regel %(n)s: van wie") % {"n": i}, required=False, max_length=200
            )
            self.fields[f"fund_{i}"] = forms.ModelChoiceField(
                label=_("Regel %(n)s: fonds uit de lijst") % {"n": i},
                queryset=funds if funds is not None else Fund.objects.none(),
                required=False,
            )
            self.fields[f"pledged_{i}"] = EuroField(
                label=_("Regel %(n)s: toegezegd (euro)") % {"n": i}, required=False
            )
            self.fields[f"received_{i}"] = EuroField(
                label=_("Regel %(n)s: ontvangen (euro)") % {"n": i}, required=False
            )

    @property
    def rows(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"{p}_{i}"] for p in ("source", "from", "fund", "pledged", "received")]
            for i in range(1, self.ROWS + 1)
        ]

    def plan_lines(self) -> list[dict[str, Any]]:
        lines = []
        for i in range(1, self.ROWS + 1):
            source = self.cleaned_data.get(f"source_{i}") or ""
            if not source:
                continue
            lines.append(
                {
                    "source": source,
                    "description": self.cleaned_data.get(f"from_{i}") or "",
                    "fund": self.cleaned_data.get(f"fund_{i}"),
                    "pledged_cents": self.cleaned_data.get(f"pledged_{i}") or 0,
                    "received_cents": self.cleaned_data.get(f"received_{i}") or 0,
                }
            )
        return lines


class FundForm(forms.Form):
    name = forms.CharField(label=_("Naam"), max_length=200)
    description = forms.CharField(
        label=_("Wat steunt het fonds?"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    level = forms.ChoiceField(label=_("Niveau"), choices=Fund.Level.choices)
    area = forms.ModelChoiceField(
        label=_("Werkgebied (niet bij landelijk)"), queryset=Area.objects.none(), required=False
    )
    themes = forms.MultipleChoiceField(
        label=_("Thema's"),
        choices=Theme.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    min_amount = EuroField(label=_("Bijdrage vanaf (euro)"), required=False)
    max_amount = EuroField(label=_("Bijdrage tot (euro)"), required=False)
    deadline = forms.DateField(label=_("Uiterste datum"), required=False, widget=DateInput)
    asks = forms.CharField(
        label=_("Wat vraagt het fonds?"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    url = forms.CharField(label=_("Website"), required=False, max_length=200)
    is_active = forms.BooleanField(label=_("Actief"), required=False, initial=True)

    def __init__(self, *args: Any, areas: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if areas is not None:
            self.fields["area"].queryset = areas  # type: ignore[attr-defined]

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["min_cents"] = data.pop("min_amount", None)
        data["max_cents"] = data.pop("max_amount", None)
        return data


class CoFundingForm(forms.Form):
    ROWS = 6

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(1, self.ROWS + 1):
            self.fields[f"label_{i}"] = forms.CharField(
                label=_("Regel %(n)s: soort activiteit") % {"n": i}, required=False, max_length=200
            )
            self.fields[f"description_{i}"] = forms.CharField(
                label=_("Regel %(n)s: toelichting") % {"n": i}, required=False, max_length=500
            )
            self.fields[f"share_{i}"] = DutchDecimalField(
                label=_("Regel %(n)s: aandeel gemeente (%%)") % {"n": i},
                required=False,
                min_value=Decimal("0"),
                max_value=Decimal("100"),
                decimal_places=2,
            )
            self.fields[f"max_{i}"] = EuroField(
                label=_("Regel %(n)s: hoogstens (euro)") % {"n": i}, required=False
            )

    @property
    def rows(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"{p}_{i}"] for p in ("label", "description", "share", "max")]
            for i in range(1, self.ROWS + 1)
        ]


class VoteForm(forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=200)
    description = forms.CharField(
        label=_("Uitleg voor bewoners"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    budget = EuroField(label=_("Te verdelen bedrag (euro)"))
    utility = forms.ChoiceField(label=_("Hoe telt een stem?"), choices=Vote.Utility.choices)
    closes_on = forms.DateField(label=_("Stemmen kan tot en met"), required=False, widget=DateInput)


class NominateForm(forms.Form):
    initiative = forms.ModelChoiceField(
        label=_("Initiatief"), queryset=Initiative.objects.none(), empty_label=None
    )
    amount = EuroField(label=_("Bedrag (euro)"))
    summary = forms.CharField(label=_("Waarvoor is het geld?"), max_length=300)

    def __init__(self, *args: Any, initiatives: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if initiatives is not None:
            self.fields["initiative"].queryset = initiatives  # type: ignore[attr-defined]


class RemoveOptionForm(forms.Form):
    reason = forms.CharField(
        label=_("Waarom mag dit initiatief niet op de stemlijst? (wordt openbaar)"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class BallotForm(forms.Form):
    options = forms.MultipleChoiceField(
        label=_("Voor welke initiatieven stemt u?"),
        widget=forms.CheckboxSelectMultiple,
        choices=[],
    )

    def __init__(self, *args: Any, options: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["options"].choices = [  # type: ignore[attr-defined]
            (str(o.pk), o.initiative.name) for o in options
        ]


class PaperBallotForm(BallotForm):
    voter_email = forms.CharField(
        label=_("E-mailadres of accountnummer van de bewoner"), max_length=254
    )
    method = forms.ChoiceField(
        label=_("Hoe is er gestemd?"),
        choices=[
            (BallotMethod.ASSISTED.value, BallotMethod.ASSISTED.label),
            (BallotMethod.PAPER.value, BallotMethod.PAPER.label),
        ],
        widget=forms.RadioSelect,
    )
