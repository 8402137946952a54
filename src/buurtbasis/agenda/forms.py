"""Forms only parse input; the rules are in services.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import (
    AgendaAction,
    AgendaGoal,
    BuurtTop,
    PublicValue,
    Registration,
    WorkingGroup,
    WorkingGroupMember,
)

DATE = forms.DateInput(attrs={"type": "date"})


def _text(label: Any, rows: int = 4, **kw: Any) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, widget=forms.Textarea(attrs={"rows": rows}), **kw
    )


class FrameworkForm(forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=200, required=False)
    summary = _text(_("Waarom: van aanbesteden naar de wijk"), 5)
    funding_sources = _text(_("Welke geldbronnen gaan naar meerjarige wijkbudgetten?"))
    democratisation = _text(_("Democratisering: medezeggenschap in de wijk"))
    instruments = _text(_("Stappen en instrumenten"))
    start_year = forms.IntegerField(label=_("Tijdspanne: van jaar"), required=False)
    end_year = forms.IntegerField(label=_("Tijdspanne: tot en met jaar"), required=False)
    pilots = _text(_("Pilots, proeftuinen en overgangstijd"))
    role_of_politics = _text(_("De rol van de politiek"))
    district_division = _text(_("Toelichting op de wijkindeling"))


class PublicValueForm(forms.Form):
    name = forms.CharField(label=_("Publieke waarde"), max_length=100, required=False)
    description = forms.CharField(label=_("Omschrijving"), max_length=1000, required=False)


class PartyForm(forms.Form):
    name = forms.CharField(label=_("Partij"), max_length=200, required=False)
    expectation = _text(_("Wat verwachten we van hen?"), 3)
    contribution = forms.CharField(label=_("In welke vorm?"), max_length=300, required=False)


class AdoptForm(forms.Form):
    adopted_on = forms.DateField(label=_("Datum raadsbesluit"), required=False, widget=DATE)
    reference = forms.CharField(label=_("Kenmerk raadsbesluit"), max_length=200, required=False)


class BuurtTopForm(forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Soort"), choices=BuurtTop.Kind.choices)
    held_on = forms.DateField(label=_("Datum"), required=False, widget=DATE)
    location = forms.CharField(label=_("Plek"), max_length=200, required=False)
    description = _text(_("Uitnodiging: wat gaan we doen?"), 5)


class OutcomesForm(forms.Form):
    outcomes = _text(_("Wat heeft de dag opgeleverd?"), 10)


class RegisterForm(forms.Form):
    needs = forms.CharField(
        label=_("Heeft u iets nodig om mee te doen? (mag leeg)"),
        max_length=300,
        required=False,
        help_text=_("Bijv. vervoer, een tolk, kinderopvang, rolstoelplek"),
    )


class RegisterOtherForm(forms.Form):
    name = forms.CharField(label=_("Naam"), max_length=100, required=False)
    channel = forms.ChoiceField(
        label=_("Hoe kwam de aanmelding binnen?"),
        choices=[c for c in Registration.Channel.choices if c[0] != "online"],
    )
    phone = forms.CharField(label=_("Telefoon (mag leeg)"), max_length=30, required=False)
    needs = forms.CharField(
        label=_("Wat heeft deze persoon nodig om mee te doen?"), max_length=300, required=False
    )


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Naam van de werkgroep"), max_length=200, required=False)
    public_value = forms.ModelChoiceField(
        label=_("Thema (publieke waarde)"),
        queryset=PublicValue.objects.none(),
        required=False,
        empty_label=_("— eigen thema —"),
    )
    theme = forms.CharField(label=_("Eigen thema"), max_length=200, required=False)
    purpose = _text(_("Opdracht van de werkgroep"), 3)

    def __init__(self, *args: Any, values: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if values is not None:
            self.fields["public_value"].queryset = values  # type: ignore[attr-defined]


class MemberForm(forms.Form):
    name = forms.CharField(label=_("Naam van het nieuwe lid"), max_length=100, required=False)
    role = forms.ChoiceField(label=_("Rol"), choices=WorkingGroupMember.Role.choices)


class NoteForm(forms.Form):
    held_on = forms.DateField(label=_("Datum bijeenkomst"), required=False, widget=DATE)
    body = _text(_("Verslag"), 6)


class AgendaForm(forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=200, required=False)
    vision = _text(_("Waar willen we over 5 of 10 jaar staan?"), 6)
    start_year = forms.IntegerField(label=_("Vanaf jaar"), required=False)
    buurttop = forms.ModelChoiceField(
        label=_("Gemaakt op de BuurtTop"),
        queryset=BuurtTop.objects.none(),
        required=False,
        empty_label="—",
    )

    def __init__(self, *args: Any, tops: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if tops is None:
            del self.fields["buurttop"]
        else:
            self.fields["buurttop"].queryset = tops  # type: ignore[attr-defined]


class GoalForm(forms.Form):
    title = forms.CharField(label=_("Doel"), max_length=200, required=False)
    description = _text(_("Toelichting"), 3)
    horizon_years = forms.TypedChoiceField(
        label=_("Horizon"),
        choices=[("", "—"), *AgendaGoal.Horizon.choices],
        coerce=int,
        required=False,
        empty_value=None,
    )
    public_value = forms.ModelChoiceField(
        label=_("Publieke waarde van de gemeente"),
        queryset=PublicValue.objects.none(),
        required=False,
        empty_label="—",
    )
    residents_own = forms.BooleanField(label=_("Een eigen doel van de bewoners"), required=False)

    def __init__(self, *args: Any, values: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if values is not None:
            self.fields["public_value"].queryset = values  # type: ignore[attr-defined]


class BudgetLineChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        budget = obj.district_budget
        return f"{budget.district.name} {budget.year} — {obj.label}"


class GoalBudgetLineForm(forms.Form):
    line = BudgetLineChoiceField(
        label=_("Budgetregel uit het wijkbudget"),
        queryset=AgendaGoal.objects.none(),
        required=False,
        empty_label="—",
    )

    def __init__(self, *args: Any, lines: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if lines is not None:
            self.fields["line"].queryset = lines  # type: ignore[attr-defined]


class ActionForm(forms.Form):
    title = forms.CharField(label=_("Actie"), max_length=200, required=False)
    description = _text(_("Toelichting"), 3)
    who = forms.CharField(label=_("Wie doet het?"), max_length=200, required=False)
    working_group = forms.ModelChoiceField(
        label=_("Werkgroep"),
        queryset=WorkingGroup.objects.none(),
        required=False,
        empty_label="—",
    )
    status = forms.ChoiceField(label=_("Stand"), choices=AgendaAction.Status.choices)

    def __init__(self, *args: Any, groups: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if groups is not None:
            self.fields["working_group"].queryset = groups  # type: ignore[attr-defined]


class ReviewForm(forms.Form):
    year = forms.IntegerField(label=_("Jaar"), required=False)
    progress = _text(_("Hoe staat het ervoor? (in woorden)"), 5)
    buurttop = forms.ModelChoiceField(
        label=_("Besproken op de BuurtTopdag"),
        queryset=BuurtTop.objects.none(),
        required=False,
        empty_label="—",
    )

    def __init__(self, *args: Any, tops: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if tops is not None:
            self.fields["buurttop"].queryset = tops  # type: ignore[attr-defined]
