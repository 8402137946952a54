"""Forms for the budget pages. Amounts are typed the Dutch way (``1.234,56``), shares as
percentages (``25`` or ``12,5``) and hours as ``3:30``; the forms turn them into cents, basis
points and minutes. The services check the rules again."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buurtbasis.accounts.models import Membership, Organisation, Role, User
from buurtbasis.areas.models import Area, Indicator, Level
from buurtbasis.ledger.money import format_cents, parse_euros, parse_hours

from .models import BudgetFramework, FundingSource, ResidentGroup
from .services import MAX_YEAR, MIN_YEAR, format_share, site_min_support_share_bp

_PERCENT = re.compile(r"^(-)?(\d{1,3})(?:[,.](\d{1,2}))?\s*%?$")


class EuroField(forms.CharField):
    """Euros as text → cents (int). Never negative."""

    def __init__(self, *, allow_zero: bool = True, **kwargs: Any) -> None:
        self.allow_zero = allow_zero
        super().__init__(**kwargs)
        # No max_length: its validator would run on the cleaned number.
        self.widget.attrs.setdefault("maxlength", "30")
        self.widget.attrs.setdefault("inputmode", "decimal")
        self.widget.attrs.setdefault("autocomplete", "off")

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int):
            return format_cents(value).removeprefix("€ ")
        return value

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            cents = parse_euros(str(text))
        except ValueError as error:
            raise ValidationError(str(error), code="invalid") from None
        if cents < 0:
            raise ValidationError(_("Een bedrag kan niet negatief zijn."), code="negative")
        if cents == 0 and not self.allow_zero:
            raise ValidationError(_("Het bedrag moet groter zijn dan € 0,00."), code="zero")
        return cents


class PercentField(forms.CharField):
    """A percentage with at most two decimals → basis points (int)."""

    def __init__(self, *, allow_negative: bool = False, **kwargs: Any) -> None:
        self.allow_negative = allow_negative
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("maxlength", "10")
        self.widget.attrs.setdefault("inputmode", "decimal")

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int):
            sign = "-" if value < 0 else ""
            whole, rest = divmod(abs(value), 100)
            return f"{sign}{whole}" if rest == 0 else f"{sign}{whole},{rest:02d}".rstrip("0")
        return value

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        match = _PERCENT.match(str(text).strip())
        if not match:
            raise ValidationError(
                _("%(text)s is geen percentage (voorbeeld: 25 of 12,5).") % {"text": text},
                code="invalid",
            )
        sign, whole, decimals = match.groups()
        bp = int(whole) * 100 + int((decimals or "0").ljust(2, "0"))
        if sign and not self.allow_negative:
            raise ValidationError(_("Een percentage kan hier niet negatief zijn."))
        if bp > 10_000:
            raise ValidationError(_("Een percentage is hoogstens 100."))
        return -bp if sign else bp


class HoursField(forms.CharField):
    """Hours as ``3:30`` or ``3`` → minutes (int), more than zero."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "help_text", gettext_lazy("Uren en minuten, bijvoorbeeld 1:30 voor anderhalf uur.")
        )
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("maxlength", "12")

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            minutes = parse_hours(str(text))
        except ValueError as error:
            raise ValidationError(str(error), code="invalid") from None
        if minutes <= 0:
            raise ValidationError(_("Vul meer dan 0 uur in."), code="zero")
        return minutes


def _year_field(label: Any, **kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=MIN_YEAR, max_value=MAX_YEAR, **kwargs)


class FrameworkForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Naam"), max_length=200)
    start_year = _year_field(gettext_lazy("Eerste jaar"))
    end_year = _year_field(gettext_lazy("Laatste jaar"))
    support_share_bp = PercentField(
        label=gettext_lazy("Aandeel voor ondersteuning van bewonersorganisaties (%)"),
        help_text=gettext_lazy("Bijvoorbeeld een coördinator of huur van een ruimte."),
    )
    min_support_share_bp = PercentField(
        label=gettext_lazy("Minimaal aandeel voor die ondersteuning (%)"),
        help_text=gettext_lazy("Zoals de raad het heeft vastgelegd."),
    )
    base_amount_per_1000_cents = EuroField(
        label=gettext_lazy("Basisbedrag per 1.000 inwoners per jaar (€)"),
        help_text=gettext_lazy(
            "De norm van de raad. De voorvertoning laat zien welk deel de bronnen betalen."
        ),
    )
    hours_rule = forms.ChoiceField(
        label=gettext_lazy("Niet gebruikte uren van trekkingsrechten"),
        choices=BudgetFramework.HoursRule.choices,
        widget=forms.RadioSelect,
    )
    statistics_year = forms.IntegerField(
        label=gettext_lazy("Jaar van de wijkcijfers (leeg: de nieuwste)"),
        required=False,
        min_value=MIN_YEAR - 50,
        max_value=MAX_YEAR,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        floor = format_share(site_min_support_share_bp())
        self.fields["min_support_share_bp"].help_text = _(
            "Zoals de raad het heeft vastgelegd. Niet lager dan %(floor)s, de ondergrens voor "
            "alle budgetkaders; hoger mag."
        ) % {"floor": floor}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_year"), data.get("end_year")
        if start and end and end < start:
            self.add_error("end_year", _("Het laatste jaar ligt vóór het eerste jaar."))
        return data


class FrameworkCreateForm(FrameworkForm):
    municipality = forms.ModelChoiceField(
        label=gettext_lazy("Gemeente"), queryset=Area.objects.none(), empty_label=None
    )
    field_order = ["municipality", "name", "start_year", "end_year"]

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        official = Membership.objects.filter(
            user=user, role__in=[Role.CIVIL_SERVANT, Role.ADMINISTRATOR]
        ).values("area__municipality_id")
        qs = Area.objects.filter(level=Level.MUNICIPALITY)
        if not user.is_superuser:
            qs = qs.filter(pk__in=official)
        self.fields["municipality"].queryset = qs  # type: ignore[attr-defined]


class SourceRowForm(forms.Form):
    """One row of the sources table: name, kind and an amount per year."""

    pk = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=gettext_lazy("Naam"), max_length=100, required=False)
    kind = forms.ChoiceField(
        label=gettext_lazy("Soort"), choices=FundingSource.Kind.choices, required=False
    )
    delete = forms.BooleanField(label=gettext_lazy("Verwijderen"), required=False)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.years = years
        for year in years:
            self.fields[f"amount_{year}"] = EuroField(
                label=_("Naar wijkbudgetten %(year)s (€)") % {"year": year}, required=False
            )
            self.fields[f"total_{year}"] = EuroField(
                label=_("Totaal publiek geld %(year)s (€, optioneel)") % {"year": year},
                required=False,
            )

    @property
    def year_fields(self) -> list[tuple[int, forms.BoundField, forms.BoundField]]:
        return [(y, self[f"amount_{y}"], self[f"total_{y}"]) for y in self.years]

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not data.get("pk") and not (data.get("name") or "").strip()


class ThemeRowForm(forms.Form):
    pk = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=gettext_lazy("Thema"), max_length=100, required=False)
    share_bp = PercentField(label=gettext_lazy("Aandeel (%)"), required=False)
    delete = forms.BooleanField(label=gettext_lazy("Verwijderen"), required=False)

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not data.get("pk") and not (data.get("name") or "").strip()


SourceFormSet = forms.formset_factory(SourceRowForm, extra=0)
ThemeFormSet = forms.formset_factory(ThemeRowForm, extra=0)


class WeightsForm(forms.Form):
    """A weight (percentage, may be negative) per indicator of the catalogue."""

    def __init__(self, *args: Any, current: dict[str, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.indicators = list(Indicator.objects.exclude(key="inhabitants").order_by("position"))
        for indicator in self.indicators:
            self.fields[indicator.key] = PercentField(
                label=indicator.label,
                required=False,
                allow_negative=True,
                initial=current.get(indicator.key, 0),
                help_text=_("Hoger is %(reading)s") % {"reading": indicator.get_reading_display()}
                if indicator.reading != Indicator.Reading.NEUTRAL
                else "",
            )


class CommitmentForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Organisatie"), queryset=Organisation.objects.all()
    )
    amount_cents = EuroField(label=gettext_lazy("Bedrag per jaar (€)"), allow_zero=False)
    end_year = forms.IntegerField(
        label=gettext_lazy("Laatste jaar (leeg: loopt door tot opzegging)"),
        required=False,
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
    )
    description = forms.CharField(label=gettext_lazy("Waarvoor"), max_length=300, required=False)


class CommitmentEndForm(forms.Form):
    last_year = forms.IntegerField(
        label=gettext_lazy("Laatste jaar dat nog wordt betaald"),
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
    )


class GroupForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Naam van de groep"), max_length=200)
    contact_email = forms.EmailField(
        label=gettext_lazy("E-mailadres van de contactpersoon"),
        help_text=gettext_lazy("De contactpersoon heeft al een account op Buurtbasis."),
    )
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Organisatie van de groep (als die er is)"),
        queryset=Organisation.objects.all(),
        required=False,
    )

    def clean_contact_email(self) -> User:
        email = self.cleaned_data["contact_email"].strip()
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise ValidationError(_("Er is geen account met dit e-mailadres."))
        return user


class DrawingRightForm(forms.Form):
    group = forms.ModelChoiceField(
        label=gettext_lazy("Bewonersgroep"), queryset=ResidentGroup.objects.none()
    )
    provider_organisation = forms.ModelChoiceField(
        label=gettext_lazy("Aanbieder: organisatie"),
        queryset=Organisation.objects.all(),
        required=False,
    )
    provider_email = forms.EmailField(
        label=gettext_lazy("Of aanbieder: e-mailadres van een zelfstandige"), required=False
    )
    minutes = HoursField(label=gettext_lazy("Aantal uren"))
    description = forms.CharField(label=gettext_lazy("Waarvoor"), max_length=300, required=False)

    def __init__(self, *args: Any, district: Area, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = ResidentGroup.objects.filter(  # type: ignore[attr-defined]
            district=district
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        organisation = data.get("provider_organisation")
        email = (data.get("provider_email") or "").strip()
        if bool(organisation) == bool(email):
            raise ValidationError(
                _("Kies een organisatie óf vul het e-mailadres van een zelfstandige in.")
            )
        if email:
            user = User.objects.filter(email__iexact=email, is_active=True).first()
            if user is None:
                self.add_error("provider_email", _("Er is geen account met dit e-mailadres."))
            data["provider"] = user
        else:
            data["provider"] = organisation
        return data


class RecordHoursForm(forms.Form):
    minutes = HoursField(label=gettext_lazy("Aantal uren"))
    date = forms.DateField(
        label=gettext_lazy("Datum"),
        widget=forms.DateInput(attrs={"type": "date"}),
        initial=timezone.localdate,
    )
    description = forms.CharField(label=gettext_lazy("Wat is er gedaan"), max_length=300)


class DisputeForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Waarom kloppen deze uren niet?"), max_length=300)


class YearForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Jaar"), min_value=MIN_YEAR, max_value=MAX_YEAR)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"] = forms.TypedChoiceField(
            label=gettext_lazy("Jaar"),
            choices=[(y, str(y)) for y in years],
            coerce=int,
            initial=min(max(timezone.localdate().year, years[0]), years[-1]) if years else None,
        )
