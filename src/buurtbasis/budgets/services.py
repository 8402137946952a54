"""Business rules for neighbourhood budgets.

Every function that changes something validates first and raises
:class:`django.core.exceptions.ValidationError` (translated message) on bad input or
:class:`django.core.exceptions.PermissionDenied` when the actor may not do it; nothing has
changed then (each runs in ``transaction.atomic``). Money and hours move only through
:mod:`buurtbasis.ledger.services`, with deterministic idempotency keys, so a retried call
posts nothing twice. Every change of money is written to the audit log.

Ledger accounts (unit, owner · purpose):

- EUR  SourceAmount · ``source``   one per source per year; may go negative (the outside world)
- EUR  BudgetFramework · ``fund-<year>``   the municipal fund of the district budgets
- EUR  DistrictBudget · ``budget``   a district's budget for one year (its reserve)
- EUR  BudgetLine · ``line``   a theme line or the support line
- EUR  Commitment · ``committed``   what a line has committed to an organisation
- HOURS Organisation/User · ``hours-provided``   a provider's hours; may go negative
- HOURS DrawingRight · ``hours``   hours a group may still call on
- HOURS DrawingRight · ``hours-used``   confirmed hours
- HOURS DrawingRight · ``hours-lapsed``   hours that lapsed at year end
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model, Q, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from buurtbasis.accounts.models import Organisation, User
from buurtbasis.areas.models import Area, Indicator, Level
from buurtbasis.core import audit
from buurtbasis.ledger import services as ledger
from buurtbasis.ledger.errors import InsufficientFunds, LedgerError
from buurtbasis.ledger.models import Account, Unit
from buurtbasis.ledger.money import MAX_AMOUNT, format_cents, format_minutes

from . import allocation, statistics
from .models import (
    FULL_SHARE,
    MAX_PERIOD_YEARS,
    AllocationWeight,
    BudgetFramework,
    BudgetLine,
    Commitment,
    CommitmentYear,
    DistrictBudget,
    DrawingRight,
    FundingSource,
    HoursDelivery,
    ResidentGroup,
    SourceAmount,
    Theme,
)

# Transaction kinds this app posts (see docs/budgets.md).
KIND_SOURCE = "budgets.source"
KIND_ALLOCATION = "budgets.allocation"
KIND_LINES = "budgets.lines"
KIND_COMMITMENT = "budgets.commitment"
KIND_HOURS_GRANT = "budgets.hours_grant"
KIND_HOURS_USE = "budgets.hours_use"
KIND_HOURS_LAPSE = "budgets.hours_lapse"
KIND_HOURS_CARRY = "budgets.hours_carry_over"

DEFAULT_SOURCES: tuple[tuple[Any, str], ...] = (
    (gettext_lazy("Wmo"), FundingSource.Kind.MUNICIPAL),
    (gettext_lazy("Jeugdwet"), FundingSource.Kind.MUNICIPAL),
    (gettext_lazy("Zvw"), FundingSource.Kind.CARE_INSURANCE),
    (gettext_lazy("Wlz"), FundingSource.Kind.CARE_INSURANCE),
    (gettext_lazy("Fondsen"), FundingSource.Kind.FUND),
    (gettext_lazy("Woningcorporaties"), FundingSource.Kind.HOUSING),
    (gettext_lazy("Eigen bijdragen"), FundingSource.Kind.OWN),
    (gettext_lazy("Bedrijven"), FundingSource.Kind.BUSINESS),
)
# The five public-value themes of seed 001 (L7398), 15 % each: with 25 % for organisational
# support that is 100 %.
DEFAULT_THEMES: tuple[Any, ...] = (
    gettext_lazy("Duurzaamheid"),
    gettext_lazy("Leefbaarheid"),
    gettext_lazy("Zorgzaamheid & zorg"),
    gettext_lazy("Delen & herverdelen"),
    gettext_lazy("Inclusiviteit & samenleven"),
)
DEFAULT_THEME_SHARE_BP = 1500
DEFAULT_WEIGHTS: dict[str, int] = {
    "low_income_households": 3000,
    "age_65_plus": 1500,
    "single_person_households": 1000,
}
MIN_YEAR = 2000
MAX_YEAR = 2100
MAX_MINUTES = 100_000 * 60


# --- Small helpers ------------------------------------------------------------------------------


def _require(actor: Any, perm: str, obj: Any, action: str) -> None:
    """Refuse (and log the refusal) when ``actor`` lacks ``perm`` on ``obj``."""
    if (
        actor is not None
        and getattr(actor, "is_authenticated", False)
        and actor.has_perm(perm, obj)
    ):
        return
    audit.record(actor, action, obj if isinstance(obj, Model) else None, result="denied")
    raise PermissionDenied(_("U mag dit niet doen."))


def _require_draft(framework: BudgetFramework) -> None:
    if not framework.is_draft:
        raise ValidationError(
            _("Dit budgetkader is al vastgesteld en kan niet meer worden gewijzigd."),
            code="adopted",
        )


def _describe(message: str, params: Mapping[str, Any]) -> str:
    """A ledger description, always in the site's language (not the reader's): a retried
    posting must carry exactly the same text, or the ledger refuses it as a conflict."""
    with translation.override(settings.LANGUAGE_CODE):
        return _(message) % params


def _require_change(actor: Any, framework: BudgetFramework, action: str) -> None:
    """An adopted framework is refused with a clear message first (it is public anyway), then
    anyone who may not change it."""
    _require_draft(framework)
    _require(actor, "budgets.change_framework", framework, action)


def _ledger_error(error: LedgerError) -> ValidationError:
    return ValidationError(str(error), code="ledger")


def _lock(model_obj: Model) -> None:
    """Lock the row for the rest of the transaction (PostgreSQL; SQLite takes the whole
    database at BEGIN IMMEDIATE)."""
    type(model_obj)._default_manager.select_for_update().filter(pk=model_obj.pk).exists()


def _check_amount(cents: int, *, allow_zero: bool, what: str) -> int:
    if not isinstance(cents, int) or isinstance(cents, bool):
        raise ValidationError(_("%(what)s: geef een bedrag in hele centen.") % {"what": what})
    if cents < 0 or (cents == 0 and not allow_zero):
        raise ValidationError(
            _("%(what)s moet groter zijn dan € 0,00.") % {"what": what}
            if not allow_zero
            else _("%(what)s kan niet negatief zijn.") % {"what": what},
            code="amount",
        )
    if cents > MAX_AMOUNT:
        raise ValidationError(_("%(what)s is te groot.") % {"what": what}, code="amount")
    return cents


def _check_share(bp: int, what: str, *, allow_negative: bool = False) -> int:
    low = -FULL_SHARE if allow_negative else 0
    if not isinstance(bp, int) or not low <= bp <= FULL_SHARE:
        raise ValidationError(
            _("%(what)s moet tussen %(low)s en 100 %% liggen.")
            % {"what": what, "low": "-100 %" if allow_negative else "0 %"},
            code="share",
        )
    return bp


def site_min_support_share_bp() -> int:
    """The least share for organisational support that any framework on this site must keep
    (setting ``BUURTBASIS["MIN_SUPPORT_SHARE_BP"]``, from ``BUURTBASIS_MIN_SUPPORT_SHARE``;
    default 25 %). A framework may ask more, never less."""
    return int(str(settings.BUURTBASIS.get("MIN_SUPPORT_SHARE_BP", 2500)))


def required_support_share_bp(framework: BudgetFramework) -> int:
    """The share for organisational support this framework must at least give: its own
    minimum, but never less than the site's."""
    return max(framework.min_support_share_bp, site_min_support_share_bp())


def _check_years(start_year: int, end_year: int) -> None:
    if not (MIN_YEAR <= start_year <= MAX_YEAR and MIN_YEAR <= end_year <= MAX_YEAR):
        raise ValidationError(
            _("Kies jaren tussen %(min)s en %(max)s.") % {"min": MIN_YEAR, "max": MAX_YEAR},
            code="year",
        )
    if end_year < start_year:
        raise ValidationError(_("Het laatste jaar ligt vóór het eerste jaar."), code="period")
    if end_year - start_year + 1 > MAX_PERIOD_YEARS:
        raise ValidationError(
            _("Een budgetkader duurt hoogstens %(n)s jaar.") % {"n": MAX_PERIOD_YEARS},
            code="period",
        )


# --- Frameworks ---------------------------------------------------------------------------------


FRAMEWORK_SETTINGS = (
    "name",
    "start_year",
    "end_year",
    "min_support_share_bp",
    "support_share_bp",
    "base_amount_per_1000_cents",
    "hours_rule",
    "statistics_year",
)


def _validate_settings(values: dict[str, Any]) -> dict[str, Any]:
    name = str(values.get("name") or "").strip()
    if not name:
        raise ValidationError({"name": _("Geef het budgetkader een naam.")}, code="required")
    if len(name) > 200:
        raise ValidationError({"name": _("Gebruik hoogstens 200 tekens.")}, code="max_length")
    values["name"] = name
    _check_years(int(values["start_year"]), int(values["end_year"]))
    _check_share(values["min_support_share_bp"], _("Het minimale aandeel organisatieondersteuning"))
    floor = site_min_support_share_bp()
    if values["min_support_share_bp"] < floor:
        raise ValidationError(
            {
                "min_support_share_bp": _(
                    "Het minimale aandeel organisatieondersteuning kan niet lager zijn dan "
                    "%(floor)s: dat is de ondergrens voor alle budgetkaders. Een hoger "
                    "minimum mag wel."
                )
                % {"floor": format_share(floor)}
            },
            code="support_floor",
        )
    _check_share(values["support_share_bp"], _("Het aandeel organisatieondersteuning"))
    _check_amount(values["base_amount_per_1000_cents"], allow_zero=True, what=_("Het basisbedrag"))
    if values["hours_rule"] not in BudgetFramework.HoursRule.values:
        raise ValidationError(_("Kies wat er met niet gebruikte uren gebeurt."), code="hours_rule")
    stat_year = values.get("statistics_year")
    if stat_year is not None and not MIN_YEAR - 50 <= stat_year <= MAX_YEAR:
        raise ValidationError(_("Kies een geldig jaar voor de wijkcijfers."), code="year")
    return values


def create_framework(
    municipality: Area,
    *,
    actor: User,
    name: str,
    start_year: int,
    end_year: int,
    min_support_share_bp: int | None = None,
    support_share_bp: int | None = None,
    base_amount_per_1000_cents: int = 2_000_000,
    hours_rule: str = BudgetFramework.HoursRule.LAPSE,
    statistics_year: int | None = None,
    with_defaults: bool = True,
) -> BudgetFramework:
    """A new draft framework, with the default sources (amount 0 each year), themes and
    weights unless ``with_defaults`` is false. The minimum share for organisational support
    defaults to the site's (:func:`site_min_support_share_bp`) and cannot be lower."""
    if min_support_share_bp is None:
        min_support_share_bp = site_min_support_share_bp()
    if municipality.level != Level.MUNICIPALITY:
        raise ValidationError(_("Een budgetkader hoort bij een gemeente."), code="municipality")
    _require(actor, "budgets.add_framework", municipality, "budgets.create_framework")
    values = _validate_settings(
        {
            "name": name,
            "start_year": start_year,
            "end_year": end_year,
            "min_support_share_bp": min_support_share_bp,
            "support_share_bp": (
                min_support_share_bp if support_share_bp is None else support_share_bp
            ),
            "base_amount_per_1000_cents": base_amount_per_1000_cents,
            "hours_rule": hours_rule,
            "statistics_year": statistics_year,
        }
    )
    with transaction.atomic():
        framework = BudgetFramework.objects.create(
            municipality=municipality, created_by=actor, **values
        )
        if with_defaults:
            for position, (source_name, kind) in enumerate(DEFAULT_SOURCES, start=1):
                source = FundingSource.objects.create(
                    framework=framework, name=str(source_name), kind=kind, position=position * 10
                )
                SourceAmount.objects.bulk_create(
                    SourceAmount(source=source, year=y, amount_cents=0) for y in framework.years
                )
            Theme.objects.bulk_create(
                Theme(
                    framework=framework,
                    name=str(theme),
                    share_bp=DEFAULT_THEME_SHARE_BP,
                    position=position * 10,
                )
                for position, theme in enumerate(DEFAULT_THEMES, start=1)
            )
            indicators = {i.key: i for i in Indicator.objects.filter(key__in=DEFAULT_WEIGHTS)}
            AllocationWeight.objects.bulk_create(
                AllocationWeight(framework=framework, indicator=indicators[key], weight_bp=bp)
                for key, bp in DEFAULT_WEIGHTS.items()
                if key in indicators
            )
        audit.record(actor, "budgets.create_framework", framework, name=framework.name)
    return framework


def update_framework(framework: BudgetFramework, *, actor: User, **changes: Any) -> BudgetFramework:
    """Change the settings of a draft framework (see ``FRAMEWORK_SETTINGS``). Shortening the
    period drops the source amounts of the years that fall out."""
    unknown = set(changes) - set(FRAMEWORK_SETTINGS)
    if unknown:
        raise ValueError(f"unknown framework settings: {sorted(unknown)}")
    _require_change(actor, framework, "budgets.update_framework")
    with transaction.atomic():
        _lock(framework)
        framework.refresh_from_db()
        _require_draft(framework)
        values = {f: getattr(framework, f) for f in FRAMEWORK_SETTINGS}
        values.update(changes)
        values = _validate_settings(values)
        for key, value in values.items():
            setattr(framework, key, value)
        framework.save()
        SourceAmount.objects.filter(source__framework=framework).exclude(
            year__in=framework.years
        ).delete()
        audit.record(
            actor,
            "budgets.update_framework",
            framework,
            changes={k: v for k, v in changes.items() if k != "name"},
        )
    return framework


@dataclass
class SourceInput:
    """One row of the sources table: ``pk`` None for a new source."""

    name: str
    kind: str = FundingSource.Kind.OTHER
    amounts: dict[int, int] = field(default_factory=dict)
    public_totals: dict[int, int] = field(default_factory=dict)
    pk: int | None = None
    delete: bool = False


def set_sources(
    framework: BudgetFramework, rows: Sequence[SourceInput], *, actor: User
) -> list[FundingSource]:
    """Replace the sources of a draft framework with ``rows`` (existing sources not listed are
    kept; rows with ``delete`` are removed). Amounts per year are cents, never negative."""
    _require_change(actor, framework, "budgets.set_sources")
    years = set(framework.years)
    seen: set[str] = set()
    for row in rows:
        if row.delete:
            continue
        row.name = (row.name or "").strip()
        if not row.name:
            raise ValidationError(_("Elke geldbron heeft een naam nodig."), code="required")
        if len(row.name) > 100:
            raise ValidationError(
                _("De naam %(name)s is te lang (hoogstens 100 tekens).") % {"name": row.name}
            )
        if row.name.lower() in seen:
            raise ValidationError(
                _("De geldbron %(name)s staat er twee keer in.") % {"name": row.name},
                code="unique",
            )
        seen.add(row.name.lower())
        if row.kind not in FundingSource.Kind.values:
            raise ValidationError(_("Kies de soort van %(name)s.") % {"name": row.name})
        for year, cents in {**row.amounts, **row.public_totals}.items():
            if year not in years:
                raise ValidationError(
                    _("%(year)s valt buiten de looptijd van het kader.") % {"year": year},
                    code="year",
                )
            _check_amount(
                cents, allow_zero=True, what=_("Het bedrag van %(name)s") % {"name": row.name}
            )
        for year, total in row.public_totals.items():
            if total and total < row.amounts.get(year, 0):
                raise ValidationError(
                    _(
                        "%(name)s %(year)s: het totaal aan publiek geld is kleiner dan het bedrag "
                        "voor de wijkbudgetten."
                    )
                    % {"name": row.name, "year": year},
                    code="public_total",
                )
    with transaction.atomic():
        _lock(framework)
        framework.refresh_from_db()
        _require_draft(framework)
        existing = {s.pk: s for s in framework.sources.all()}
        names_kept = {
            s.name.lower() for s in existing.values() if not any(r.pk == s.pk for r in rows)
        }
        clash = names_kept & seen
        if clash:
            raise ValidationError(
                _("Er is al een geldbron met de naam %(name)s.") % {"name": sorted(clash)[0]},
                code="unique",
            )
        # Free the names first, so that two sources can swap names.
        for row in rows:
            if row.pk is not None and row.pk not in existing:
                raise ValidationError(_("Deze geldbron hoort niet bij dit kader."))
            if row.pk is not None:
                FundingSource.objects.filter(pk=row.pk).update(name=f"\u2060swap-{row.pk}")
        result = []
        next_position = max((s.position for s in existing.values()), default=0) + 10
        for row in rows:
            if row.delete:
                if row.pk is not None:
                    existing[row.pk].delete()
                continue
            if row.pk is None:
                source = FundingSource.objects.create(
                    framework=framework, name=row.name, kind=row.kind, position=next_position
                )
                next_position += 10
            else:
                source = existing[row.pk]
                source.name = row.name
                source.kind = row.kind
                source.save(update_fields=["name", "kind"])
            current = {a.year: a for a in source.amounts.all()}
            for year in sorted(years):
                amount = current.get(year) or SourceAmount(source=source, year=year)
                amount.amount_cents = row.amounts.get(year, amount.amount_cents or 0)
                amount.public_total_cents = row.public_totals.get(
                    year, amount.public_total_cents or 0
                )
                if amount.public_total_cents and amount.public_total_cents < amount.amount_cents:
                    raise ValidationError(
                        _(
                            "%(name)s %(year)s: het totaal aan publiek geld is kleiner dan het "
                            "bedrag voor de wijkbudgetten."
                        )
                        % {"name": row.name, "year": year},
                        code="public_total",
                    )
                amount.save()
            result.append(source)
        audit.record(
            actor,
            "budgets.set_sources",
            framework,
            sources=[
                {"name": r.name, "amounts": {str(y): c for y, c in r.amounts.items()}}
                for r in rows
                if not r.delete
            ],
            deleted=[r.pk for r in rows if r.delete and r.pk],
        )
    return result


@dataclass
class ThemeInput:
    name: str
    share_bp: int
    pk: int | None = None
    delete: bool = False


def set_themes(
    framework: BudgetFramework, rows: Sequence[ThemeInput], *, actor: User
) -> list[Theme]:
    """Add, rename, re-weigh or remove themes of a draft framework. The shares may add up to
    more than is left after organisational support while editing; adoption refuses that."""
    _require_change(actor, framework, "budgets.set_themes")
    seen: set[str] = set()
    for row in rows:
        if row.delete:
            continue
        row.name = (row.name or "").strip()
        if not row.name:
            raise ValidationError(_("Elk thema heeft een naam nodig."), code="required")
        if len(row.name) > 100:
            raise ValidationError(
                _("De naam %(name)s is te lang (hoogstens 100 tekens).") % {"name": row.name}
            )
        if row.name.lower() in seen:
            raise ValidationError(
                _("Het thema %(name)s staat er twee keer in.") % {"name": row.name},
                code="unique",
            )
        seen.add(row.name.lower())
        _check_share(row.share_bp, _("Het aandeel van %(name)s") % {"name": row.name})
    with transaction.atomic():
        _lock(framework)
        framework.refresh_from_db()
        _require_draft(framework)
        existing = {t.pk: t for t in framework.themes.all()}
        kept = {t.name.lower() for t in existing.values() if not any(r.pk == t.pk for r in rows)}
        if kept & seen:
            raise ValidationError(
                _("Er is al een thema met de naam %(name)s.") % {"name": sorted(kept & seen)[0]},
                code="unique",
            )
        for row in rows:
            if row.pk is not None and row.pk not in existing:
                raise ValidationError(_("Dit thema hoort niet bij dit kader."))
            if row.pk is not None:
                Theme.objects.filter(pk=row.pk).update(name=f"\u2060swap-{row.pk}")
        result = []
        next_position = max((t.position for t in existing.values()), default=0) + 10
        for row in rows:
            if row.delete:
                if row.pk is not None:
                    existing[row.pk].delete()
                continue
            if row.pk is None:
                theme = Theme.objects.create(
                    framework=framework,
                    name=row.name,
                    share_bp=row.share_bp,
                    position=next_position,
                )
                next_position += 10
            else:
                theme = existing[row.pk]
                theme.name = row.name
                theme.share_bp = row.share_bp
                theme.save(update_fields=["name", "share_bp"])
            result.append(theme)
        audit.record(
            actor,
            "budgets.set_themes",
            framework,
            themes=[{"name": r.name, "share_bp": r.share_bp} for r in rows if not r.delete],
        )
    return result


def set_weights(
    framework: BudgetFramework, weights: Mapping[str, int], *, actor: User
) -> list[AllocationWeight]:
    """Set the allocation weight (basis points, −100 % … +100 %) of indicators by key; a
    weight of 0 removes the indicator from the formula. Keys not given are left alone."""
    _require_change(actor, framework, "budgets.set_weights")
    if "inhabitants" in weights:
        raise ValidationError(
            _("Het aantal inwoners zit al in de formule; het kan geen gewicht krijgen."),
            code="indicator",
        )
    indicators = {i.key: i for i in Indicator.objects.filter(key__in=list(weights))}
    unknown = sorted(set(weights) - set(indicators))
    if unknown:
        raise ValidationError(
            _("Onbekende indicator: %(keys)s.") % {"keys": ", ".join(unknown)}, code="indicator"
        )
    for key, bp in weights.items():
        _check_share(
            bp, _("Het gewicht van %(name)s") % {"name": indicators[key].label}, allow_negative=True
        )
    with transaction.atomic():
        _lock(framework)
        framework.refresh_from_db()
        _require_draft(framework)
        for key, bp in weights.items():
            if bp == 0:
                AllocationWeight.objects.filter(
                    framework=framework, indicator=indicators[key]
                ).delete()
            else:
                AllocationWeight.objects.update_or_create(
                    framework=framework, indicator=indicators[key], defaults={"weight_bp": bp}
                )
        audit.record(actor, "budgets.set_weights", framework, weights=dict(weights))
    return list(framework.weights.select_related("indicator"))


# --- Preview ------------------------------------------------------------------------------------


@dataclass
class PreviewRow:
    district: Area
    inhabitants: int | None
    weight: Fraction
    weight_ppm: int
    formula_cents: int
    amounts: list[int]
    missing: list[str]


@dataclass
class Preview:
    framework: BudgetFramework
    years: list[int]
    rows: list[PreviewRow]
    totals: list[int]
    formula_total_cents: int
    coverage: list[Fraction | None]
    #: Per year: [support, theme 1, …, theme n, reserve] summed over the districts.
    line_totals: list[list[int]]
    theme_names: list[str]
    problems: list[str]
    warnings: list[str]
    source_totals: dict[int, int]
    #: The least share for organisational support: the framework's own minimum or the
    #: site's, whichever is higher (basis points).
    required_support_bp: int = 0
    #: The site's floor (``BUURTBASIS_MIN_SUPPORT_SHARE``) in basis points.
    site_support_floor_bp: int = 0

    @property
    def can_adopt(self) -> bool:
        return not self.problems

    @property
    def by_code(self) -> dict[str, PreviewRow]:
        return {r.district.code: r for r in self.rows}


def source_totals(framework: BudgetFramework) -> dict[int, int]:
    """The sum of the source amounts per year of the period (0 for a year without any)."""
    totals = dict.fromkeys(framework.years, 0)
    for row in (
        SourceAmount.objects.filter(source__framework=framework, year__in=framework.years)
        .values("year")
        .annotate(total=Sum("amount_cents"))
    ):
        totals[row["year"]] = int(row["total"] or 0)
    return totals


def preview(framework: BudgetFramework) -> Preview:
    """Every district's budget per year as adoption would make it (nothing is written), and
    what stands in the way of adopting (``problems``)."""
    weights = list(framework.weights.select_related("indicator"))
    units = {w.indicator.key: w.indicator.unit for w in weights}
    labels = {w.indicator.key: w.indicator.label for w in weights}
    weights_bp = {w.indicator.key: w.weight_bp for w in weights}
    stats = statistics.load(framework.municipality, units, framework.statistics_year)
    totals = source_totals(framework)
    themes = list(framework.themes.all())
    problems: list[str] = []
    warnings: list[str] = []

    theme_bp = sum(t.share_bp for t in themes)
    if framework.support_share_bp + theme_bp > FULL_SHARE:
        problems.append(
            _(
                "De budgetregels zijn samen meer dan de bronnen: organisatieondersteuning "
                "(%(support)s) en de thema's (%(themes)s) zijn samen meer dan 100 %%."
            )
            % {
                "support": format_share(framework.support_share_bp),
                "themes": format_share(theme_bp),
            }
        )
    required_bp = required_support_share_bp(framework)
    if framework.support_share_bp < required_bp:
        problems.append(
            _(
                "Het aandeel voor organisatieondersteuning (%(share)s) is lager dan het "
                "minimum (%(min)s)."
            )
            % {
                "share": format_share(framework.support_share_bp),
                "min": format_share(required_bp),
            }
        )
    overlapping = (
        BudgetFramework.objects.filter(
            municipality_id=framework.municipality_id,
            status=BudgetFramework.Status.ADOPTED,
            start_year__lte=framework.end_year,
            end_year__gte=framework.start_year,
        )
        .exclude(pk=framework.pk)
        .order_by("start_year", "pk")
    )
    for other in overlapping:
        problems.append(
            _(
                "Voor %(municipality)s is al een budgetkader vastgesteld voor (een deel van) "
                "deze jaren: %(name)s (%(start)s–%(end)s). Elk jaar heeft één budgetkader; "
                "kies jaren die daar niet mee overlappen."
            )
            % {
                "municipality": framework.municipality.name,
                "name": other.name,
                "start": other.start_year,
                "end": other.end_year,
            }
        )
    for year, total in totals.items():
        if total <= 0:
            problems.append(
                _("Voor %(year)s is er nog geen geld: vul de bedragen van de bronnen in.")
                % {"year": year}
            )
    if not stats.districts:
        problems.append(_("Deze gemeente heeft nog geen wijken; laad eerst de gebieden."))

    inputs = []
    rows_missing: dict[str, list[str]] = {}
    for d in stats.districts:
        weight = allocation.district_weight(d.values, stats.reference, weights_bp)
        inputs.append(allocation.DistrictInput(d.district.code, d.inhabitants or 0, weight))
        rows_missing[d.district.code] = [labels[k] for k in weights_bp if k not in d.values]
    unknown_inhabitants = [d.district.name for d in stats.districts if d.inhabitants is None]
    if unknown_inhabitants:
        warnings.append(
            _("Van %(names)s is het aantal inwoners niet bekend; zij krijgen geen budget.")
            % {"names": ", ".join(unknown_inhabitants)}
        )
    missing_ref = [labels[k] for k in weights_bp if k not in stats.reference]
    if missing_ref:
        warnings.append(
            _("Voor %(names)s zijn geen cijfers; dat gewicht telt niet mee.")
            % {"names": ", ".join(missing_ref)}
        )

    if stats.districts and sum(i.inhabitants for i in inputs) == 0:
        problems.append(
            _(
                "Van geen enkele wijk is het aantal inwoners bekend: er is geen basis om het "
                "geld te verdelen."
            )
        )
    elif stats.districts and sum(i.inhabitants * i.weight for i in inputs) == 0:
        problems.append(
            _(
                "Alle wijken krijgen gewicht 0: er is geen basis om het geld te verdelen. "
                "Kies kleinere gewichten."
            )
        )
    result = allocation.allocate(
        totals if not problems else dict.fromkeys(totals, 0),
        inputs,
        framework.base_amount_per_1000_cents,
    )

    years = framework.years
    rows = [
        PreviewRow(
            district=d.district,
            inhabitants=d.inhabitants,
            weight=a.weight,
            weight_ppm=a.weight_ppm,
            formula_cents=a.formula_cents,
            amounts=[a.amounts[y] for y in years],
            missing=rows_missing[d.district.code],
        )
        for d, a in zip(stats.districts, result.districts, strict=True)
    ]
    line_totals = []
    can_split = framework.support_share_bp + theme_bp <= FULL_SHARE
    for index, _year in enumerate(years):
        per_part = [0] * (len(themes) + 2)
        if can_split:
            for row in rows:
                split = allocation.split_lines(
                    row.amounts[index], framework.support_share_bp, [t.share_bp for t in themes]
                )
                parts = [split.support_cents, *split.theme_cents, split.reserve_cents]
                per_part = [a + b for a, b in zip(per_part, parts, strict=True)]
        line_totals.append(per_part)
    return Preview(
        framework=framework,
        years=years,
        rows=rows,
        totals=[result.totals[y] for y in years],
        formula_total_cents=result.formula_total_cents,
        coverage=[result.coverage(y) for y in years],
        line_totals=line_totals,
        theme_names=[t.name for t in themes],
        problems=problems,
        warnings=warnings,
        source_totals=totals,
        required_support_bp=required_bp,
        site_support_floor_bp=site_min_support_share_bp(),
    )


def format_share(bp: int) -> str:
    """Basis points as a Dutch percentage: 2500 → ``25 %``, 1250 → ``12,5 %``."""
    sign = "-" if bp < 0 else ""
    whole, rest = divmod(abs(bp), 100)
    text = f"{whole}" if rest == 0 else f"{whole},{rest:02d}".rstrip("0")
    return f"{sign}{text}\u00a0%"


# --- Adoption -----------------------------------------------------------------------------------


def _stored_account(obj: Model, field_name: str, make: Any) -> Account:
    """The ledger account remembered on ``obj.<field_name>``, made (and remembered) when new.
    Remembering it makes balance reads one query for a whole page."""
    if getattr(obj, f"{field_name}_id") is not None:
        stored: Account = getattr(obj, field_name)
        return stored
    account: Account = make()
    setattr(obj, field_name, account)
    type(obj)._default_manager.filter(pk=obj.pk).update(**{field_name: account})
    return account


def _source_account(amount: SourceAmount, framework: BudgetFramework) -> Account:
    return ledger.get_or_create_account(
        amount,
        "source",
        Unit.EUR,
        allow_negative=True,
        name=_("Bron %(source)s %(year)s (%(municipality)s)")
        % {
            "source": amount.source.name,
            "year": amount.year,
            "municipality": framework.municipality.code,
        },
    )


def _fund_account(framework: BudgetFramework, year: int) -> Account:
    return ledger.get_or_create_account(
        framework,
        f"fund-{year}",
        Unit.EUR,
        name=_("Fonds wijkbudgetten %(municipality)s %(year)s")
        % {"municipality": framework.municipality.code, "year": year},
    )


def _budget_account(budget: DistrictBudget) -> Account:
    return _stored_account(
        budget,
        "account",
        lambda: ledger.get_or_create_account(
            budget,
            "budget",
            Unit.EUR,
            name=_("Wijkbudget %(district)s %(year)s")
            % {"district": budget.district.code, "year": budget.year},
        ),
    )


def _line_account(line: BudgetLine) -> Account:
    return _stored_account(
        line,
        "account",
        lambda: ledger.get_or_create_account(
            line,
            "line",
            Unit.EUR,
            name=_("%(line)s — %(district)s %(year)s")
            % {
                "line": line.label,
                "district": line.district_budget.district.code,
                "year": line.district_budget.year,
            },
        ),
    )


def adopt(framework: BudgetFramework, actor: User) -> BudgetFramework:
    """Adopt a draft framework: create the district budgets and their lines for every year
    and move the money source → municipal fund → district budget → lines in the ledger.

    Only a civil servant or administrator of the municipality may adopt. Refused (nothing
    changed) when the preview shows problems, e.g. lines that add up to more than the sources.
    Calling it again on an adopted framework posts nothing new (the same idempotency keys)."""
    _require(actor, "budgets.adopt_framework", framework, "budgets.adopt")
    with transaction.atomic():
        # One adoption per municipality at a time, so two overlapping drafts cannot both pass
        # the overlap check.
        _lock(framework.municipality)
        _lock(framework)
        framework.refresh_from_db()
        again = framework.is_adopted
        if again:
            budgets = list(
                framework.district_budgets.select_related("district").prefetch_related(
                    "lines__theme"
                )
            )
        else:
            result = preview(framework)
            if result.problems:
                raise ValidationError(result.problems, code="cannot_adopt")
            budgets = _create_budgets(framework, result)
            framework.status = BudgetFramework.Status.ADOPTED
            framework.adopted_at = timezone.now()
            framework.adopted_by = actor
            framework.save(update_fields=["status", "adopted_at", "adopted_by"])
        try:
            posted = _post_adoption(framework, budgets, actor)
        except LedgerError as error:
            raise _ledger_error(error) from error
        audit.record(
            actor,
            "budgets.adopt",
            framework,
            again=again,
            years=framework.years,
            districts=len({b.district_id for b in budgets}),
            total_cents=sum(b.amount_cents for b in budgets),
            transactions=posted,
        )
    return framework


def _create_budgets(framework: BudgetFramework, result: Preview) -> list[DistrictBudget]:
    themes = list(framework.themes.all())
    budgets: list[DistrictBudget] = []
    for row in result.rows:
        for index, year in enumerate(result.years):
            budgets.append(
                DistrictBudget(
                    framework=framework,
                    district=row.district,
                    year=year,
                    amount_cents=row.amounts[index],
                    inhabitants=row.inhabitants or 0,
                    weight_ppm=row.weight_ppm,
                )
            )
    DistrictBudget.objects.bulk_create(budgets)
    budgets = list(
        framework.district_budgets.select_related("district").order_by("year", "district__code")
    )
    lines: list[BudgetLine] = []
    for budget in budgets:
        split = allocation.split_lines(
            budget.amount_cents, framework.support_share_bp, [t.share_bp for t in themes]
        )
        lines.append(
            BudgetLine(district_budget=budget, is_support=True, amount_cents=split.support_cents)
        )
        for theme, cents in zip(themes, split.theme_cents, strict=True):
            lines.append(BudgetLine(district_budget=budget, theme=theme, amount_cents=cents))
    BudgetLine.objects.bulk_create(lines)
    return list(
        framework.district_budgets.select_related("district")
        .prefetch_related("lines__theme")
        .order_by("year", "district__code")
    )


def _post_adoption(framework: BudgetFramework, budgets: list[DistrictBudget], actor: User) -> int:
    """Post the adoption; returns the number of transactions (new or found again)."""
    prefix = f"budgets:adopt:{framework.pk}"
    posted = 0
    amounts = list(
        SourceAmount.objects.filter(source__framework=framework, amount_cents__gt=0)
        .select_related("source")
        .order_by("year", "source__position", "source_id")
    )
    by_year: dict[int, list[DistrictBudget]] = defaultdict(list)
    for budget in budgets:
        by_year[budget.year].append(budget)
    for year in framework.years:
        fund = _fund_account(framework, year)
        for amount in (a for a in amounts if a.year == year):
            ledger.transfer(
                _source_account(amount, framework),
                fund,
                amount.amount_cents,
                kind=KIND_SOURCE,
                description=_describe(
                    gettext_noop("%(source)s %(year)s naar het fonds wijkbudgetten"),
                    {"source": amount.source.name, "year": year},
                ),
                actor=actor,
                idempotency_key=f"{prefix}:source:{amount.pk}",
                ref=framework,
            )
            posted += 1
        year_budgets = [b for b in by_year[year] if b.amount_cents > 0]
        if year_budgets:
            entries = [(fund, -sum(b.amount_cents for b in year_budgets))]
            entries += [(_budget_account(b), b.amount_cents) for b in year_budgets]
            ledger.post(
                entries,
                kind=KIND_ALLOCATION,
                description=_describe(
                    gettext_noop("Verdeling %(year)s over de wijken"), {"year": year}
                ),
                actor=actor,
                idempotency_key=f"{prefix}:allocation:{year}",
                ref=framework,
            )
            posted += 1
        for budget in year_budgets:
            lines = [line for line in budget.lines.all() if line.amount_cents > 0]
            if not lines:
                continue
            entries = [(_budget_account(budget), -sum(line.amount_cents for line in lines))]
            entries += [(_line_account(line), line.amount_cents) for line in lines]
            ledger.post(
                entries,
                kind=KIND_LINES,
                description=_describe(
                    gettext_noop("Wijkbudget %(district)s %(year)s over de budgetregels"),
                    {"district": budget.district.code, "year": year},
                ),
                actor=actor,
                idempotency_key=f"{prefix}:lines:{budget.district_id}:{year}",
                ref=budget,
            )
            posted += 1
    return posted


# --- Commitments --------------------------------------------------------------------------------


def _line_in_year(line: BudgetLine, year: int) -> BudgetLine | None:
    """The line of the same district and theme (or support) in another year."""
    budget = line.district_budget
    if budget.year == year:
        return line
    same = BudgetLine.objects.select_related("district_budget__district", "theme").filter(
        district_budget__framework_id=budget.framework_id,
        district_budget__district_id=budget.district_id,
        district_budget__year=year,
    )
    if line.is_support:
        return same.filter(is_support=True).first()
    return same.filter(theme=line.theme).first()


def _commitment_account(commitment: Commitment) -> Account:
    return _stored_account(
        commitment,
        "account",
        lambda: ledger.get_or_create_account(
            commitment,
            "committed",
            Unit.EUR,
            name=_("Toezegging %(id)s aan %(organisation)s")
            % {"id": commitment.pk, "organisation": commitment.organisation.name},
        ),
    )


def _post_commitment_year(commitment: Commitment, year: int, actor: User | None) -> CommitmentYear:
    existing = commitment.years.filter(year=year).first()
    if existing is not None:
        return existing
    line = _line_in_year(commitment.line, year)
    if line is None:
        raise ValidationError(
            _("Voor %(year)s is er geen budgetregel om deze toezegging uit te betalen.")
            % {"year": year},
            code="no_line",
        )
    try:
        txn = ledger.transfer(
            _line_account(line),
            _commitment_account(commitment),
            commitment.amount_cents,
            kind=KIND_COMMITMENT,
            description=_describe(
                gettext_noop("Toezegging %(id)s, jaar %(year)s"),
                {"id": commitment.pk, "year": year},
            ),
            actor=actor,
            idempotency_key=f"budgets:commitment:{commitment.pk}:{year}",
            ref=commitment,
        )
    except InsufficientFunds as error:
        raise ValidationError(
            _(
                "Er is niet genoeg geld over op %(line)s %(year)s voor deze toezegging "
                "(%(amount)s). %(detail)s"
            )
            % {
                "line": line.label,
                "year": year,
                "amount": format_cents(commitment.amount_cents),
                "detail": str(error),
            },
            code="overspent",
        ) from error
    except LedgerError as error:
        raise _ledger_error(error) from error
    return CommitmentYear.objects.create(
        commitment=commitment,
        year=year,
        line=line,
        amount_cents=commitment.amount_cents,
        transaction_id=txn.pk,
    )


def _unposted_claims(line: BudgetLine, year: int, *, exclude: int | None = None) -> int:
    """What commitments on the same district and theme (or support) that run in ``year`` but
    have not been posted for it yet will take from that year's line when renewed."""
    budget = line.district_budget
    same = Commitment.objects.filter(
        line__district_budget__framework_id=budget.framework_id,
        line__district_budget__district_id=budget.district_id,
        start_year__lte=year,
    ).filter(Q(end_year__isnull=True) | Q(end_year__gte=year))
    if line.is_support:
        same = same.filter(line__is_support=True)
    else:
        same = same.filter(line__theme=line.theme)
    if exclude is not None:
        same = same.exclude(pk=exclude)
    same = same.exclude(years__year=year)
    return int(same.aggregate(total=Sum("amount_cents"))["total"] or 0)


def _check_years_can_pay(line: BudgetLine, amount_cents: int, last_year: int) -> None:
    """Refuse a new commitment that the line of any year it runs in cannot pay: what is left
    on that year's line, minus what other running commitments will take from it at renewal.
    A check at the moment of committing, not a reservation (see docs/budgets.md)."""
    start_year = line.district_budget.year
    for year in range(start_year, last_year + 1):
        later = _line_in_year(line, year)
        if later is None:
            raise ValidationError(
                _("Voor %(year)s is er geen budgetregel om deze toezegging uit te betalen.")
                % {"year": year},
                code="no_line",
            )
        _lock(later)
        balance = ledger.balance(later.account) if later.account is not None else 0
        free = balance - _unposted_claims(later, year)
        if amount_cents > free:
            raise ValidationError(
                _(
                    "Er is niet genoeg geld over op %(line)s %(year)s voor deze toezegging: er "
                    "is nog %(free)s vrij (na de toezeggingen die dan worden verlengd) en "
                    "%(amount)s per jaar past daar niet in. Kies een lager bedrag of een "
                    "eerder laatste jaar."
                )
                % {
                    "year": year,
                    "line": later.label,
                    "free": format_cents(max(free, 0)),
                    "amount": format_cents(amount_cents),
                },
                code="overspent_later",
            )


def create_commitment(
    line: BudgetLine,
    organisation: Organisation,
    amount_cents: int,
    *,
    actor: User,
    end_year: int | None = None,
    description: str = "",
) -> Commitment:
    """Commit ``amount_cents`` a year from ``line`` to ``organisation``, from the line's year
    on; the first year is posted at once, later years by :func:`renew_commitments`. Refused
    when the line of any year it runs in cannot pay it (counting what other commitments will
    take from that year)."""
    _require(actor, "budgets.manage_commitments", line, "budgets.create_commitment")
    _check_amount(amount_cents, allow_zero=False, what=_("Het bedrag per jaar"))
    framework = line.district_budget.framework
    start_year = line.district_budget.year
    if end_year is not None and not start_year <= end_year <= framework.end_year:
        raise ValidationError(
            _("Het laatste jaar moet tussen %(start)s en %(end)s liggen.")
            % {"start": start_year, "end": framework.end_year},
            code="end_year",
        )
    description = (description or "").strip()
    if len(description) > 300:
        raise ValidationError(_("Gebruik voor de omschrijving hoogstens 300 tekens."))
    with transaction.atomic():
        _lock(line)
        _check_years_can_pay(line, amount_cents, end_year or framework.end_year)
        commitment = Commitment.objects.create(
            line=line,
            organisation=organisation,
            amount_cents=amount_cents,
            start_year=start_year,
            end_year=end_year,
            description=description,
            created_by=actor,
        )
        _post_commitment_year(commitment, start_year, actor)
        audit.record(
            actor,
            "budgets.create_commitment",
            commitment,
            line=line.pk,
            organisation=organisation.pk,
            amount_cents=amount_cents,
            start_year=start_year,
            end_year=end_year,
        )
    return commitment


@dataclass
class Renewal:
    """The outcome of :func:`renew_commitments`: the years posted now, and the commitments
    that could not renew, each with the reason (translated)."""

    year: int
    posted: list[CommitmentYear] = field(default_factory=list)
    refused: list[tuple[Commitment, str]] = field(default_factory=list)


def renew_commitments(framework: BudgetFramework, year: int, *, actor: User | None) -> Renewal:
    """Post ``year`` of every commitment of the framework that runs in that year. Idempotent:
    years already posted are left alone. Each commitment on its own: one that cannot renew
    (its line has too little left, or there is no line) is reported in ``refused`` with the
    reason and changes nothing, the others are posted."""
    if actor is not None:
        _require(actor, "budgets.manage_commitments", framework, "budgets.renew_commitments")
    if not framework.is_adopted:
        raise ValidationError(_("Dit budgetkader is nog niet vastgesteld."), code="draft")
    if year not in framework.years:
        raise ValidationError(
            _("%(year)s valt buiten de looptijd van het kader.") % {"year": year}, code="year"
        )
    result = Renewal(year=year)
    with transaction.atomic():
        commitments = (
            Commitment.objects.filter(line__district_budget__framework=framework)
            .select_related("line__district_budget__district", "line__theme", "organisation")
            .order_by("pk")
        )
        done = set(
            CommitmentYear.objects.filter(
                commitment__line__district_budget__framework=framework, year=year
            ).values_list("commitment_id", flat=True)
        )
        for commitment in commitments:
            if not commitment.runs_in(year) or commitment.pk in done:
                continue
            try:
                with transaction.atomic():  # a savepoint: a refusal undoes only this one
                    result.posted.append(_post_commitment_year(commitment, year, actor))
            except ValidationError as error:
                result.refused.append((commitment, " ".join(error.messages)))
        if result.posted or result.refused:
            audit.record(
                actor,
                "budgets.renew_commitments",
                framework,
                year=year,
                commitments=[p.commitment_id for p in result.posted],
                total_cents=sum(p.amount_cents for p in result.posted),
                refused={str(c.pk): reason for c, reason in result.refused},
            )
    return result


def notice_months() -> int:
    """The notice period of a commitment in months (``BUURTBASIS_COMMITMENT_NOTICE_MONTHS``,
    default 3)."""
    return int(str(settings.BUURTBASIS.get("COMMITMENT_NOTICE_MONTHS", 3)))


def earliest_last_year(commitment: Commitment, notice_date: datetime.date) -> int:
    """The first year that a notice given on ``notice_date`` can end: the year in which the
    notice period runs out (the commitment then ends at that year's end), never before the
    first year, and not after the last year the commitment already had."""
    months = notice_date.month - 1 + notice_months()
    year = notice_date.year + months // 12
    earliest = max(year, commitment.start_year)
    if commitment.end_year is not None:
        earliest = min(earliest, commitment.end_year)
    return earliest


def end_commitment(
    commitment: Commitment,
    *,
    actor: User,
    notice_date: datetime.date | None = None,
    last_year: int | None = None,
) -> Commitment:
    """End a commitment with notice: it runs until the end of the first year end after the
    notice period (:func:`earliest_last_year`), or until a later ``last_year``, and is not
    renewed after that. Years after the last year that were already posted are reversed in
    the ledger. A last year before the notice period ends is refused."""
    _require(actor, "budgets.manage_commitments", commitment, "budgets.end_commitment")
    notice_date = notice_date or timezone.localdate()
    earliest = earliest_last_year(commitment, notice_date)
    last_year = earliest if last_year is None else last_year
    if commitment.notice_given_at is not None:
        raise ValidationError(_("Deze toezegging is al opgezegd."), code="ended")
    if last_year < commitment.start_year:
        raise ValidationError(
            _("Het laatste jaar kan niet vóór het eerste jaar (%(start)s) liggen.")
            % {"start": commitment.start_year},
            code="end_year",
        )
    if last_year < earliest:
        raise ValidationError(
            _(
                "De opzegtermijn is %(months)s maanden: bij opzeggen op %(date)s wordt de "
                "toezegging nog betaald tot en met %(year)s. Kies %(year)s of later."
            )
            % {
                "months": notice_months(),
                "date": notice_date.strftime("%d-%m-%Y"),
                "year": earliest,
            },
            code="notice_period",
        )
    if commitment.end_year is not None and last_year > commitment.end_year:
        last_year = commitment.end_year
    with transaction.atomic():
        _lock(commitment)
        reversed_years = []
        for posted in commitment.years.filter(year__gt=last_year, reversal_transaction_id=None):
            try:
                txn = ledger.reverse(
                    ledger.transactions_for(commitment).get(pk=posted.transaction_id),
                    actor=actor,
                    reason=_describe(
                        gettext_noop("Toezegging %(year)s vervalt door opzegging"),
                        {"year": posted.year},
                    ),
                    idempotency_key=f"budgets:commitment:{commitment.pk}:{posted.year}:reverse",
                )
            except LedgerError as error:
                raise _ledger_error(error) from error
            posted.reversal_transaction_id = txn.pk
            posted.save(update_fields=["reversal_transaction_id"])
            reversed_years.append(posted.year)
        commitment.end_year = last_year
        commitment.notice_given_at = notice_date
        commitment.notice_given_by = actor
        commitment.save(update_fields=["end_year", "notice_given_at", "notice_given_by"])
        audit.record(
            actor,
            "budgets.end_commitment",
            commitment,
            last_year=last_year,
            notice_date=notice_date.isoformat(),
            reversed_years=reversed_years,
        )
    return commitment


# --- Residents' groups and drawing rights ------------------------------------------------------


def create_group(
    district: Area,
    name: str,
    contact: User,
    *,
    actor: User,
    organisation: Organisation | None = None,
    members: Iterable[User] = (),
) -> ResidentGroup:
    """A residents' group in ``district`` with a contact person who can confirm hours."""
    if district.level != Level.DISTRICT:
        raise ValidationError(_("Een bewonersgroep hoort bij een wijk."), code="district")
    _require(actor, "budgets.manage_drawing_rights", district, "budgets.create_group")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Geef de groep een naam.")}, code="required")
    if len(name) > 200:
        raise ValidationError({"name": _("Gebruik hoogstens 200 tekens.")}, code="max_length")
    if ResidentGroup.objects.filter(district=district, name__iexact=name).exists():
        raise ValidationError(
            {"name": _("In deze wijk is al een groep met deze naam.")}, code="unique"
        )
    with transaction.atomic():
        group = ResidentGroup.objects.create(
            district=district, name=name, contact=contact, organisation=organisation
        )
        group.members.set(list(members))
        audit.record(actor, "budgets.create_group", group, district=district.code)
    return group


def _provider_account(provider: Organisation | User) -> Account:
    return ledger.get_or_create_account(
        provider,
        "hours-provided",
        Unit.HOURS,
        allow_negative=True,
        name=_("Uren van aanbieder %(id)s") % {"id": f"{provider._meta.model_name}-{provider.pk}"},
    )


def _right_account(right: DrawingRight) -> Account:
    return _stored_account(
        right,
        "account",
        lambda: ledger.get_or_create_account(
            right, "hours", Unit.HOURS, name=_("Trekkingsrecht %(id)s") % {"id": right.pk}
        ),
    )


def _used_account(right: DrawingRight) -> Account:
    return _stored_account(
        right,
        "used_account",
        lambda: ledger.get_or_create_account(
            right,
            "hours-used",
            Unit.HOURS,
            name=_("Trekkingsrecht %(id)s, gebruikte uren") % {"id": right.pk},
        ),
    )


def _lapsed_account(right: DrawingRight) -> Account:
    return ledger.get_or_create_account(
        right,
        "hours-lapsed",
        Unit.HOURS,
        name=_("Trekkingsrecht %(id)s, vervallen uren") % {"id": right.pk},
    )


def _check_minutes(minutes: int, what: str) -> int:
    if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0:
        raise ValidationError(
            _("%(what)s moet meer dan 0 minuten zijn.") % {"what": what}, code="minutes"
        )
    if minutes > MAX_MINUTES:
        raise ValidationError(_("%(what)s is te groot.") % {"what": what}, code="minutes")
    return minutes


def grant_drawing_right(
    line: BudgetLine,
    group: ResidentGroup,
    *,
    provider: Organisation | User,
    minutes: int,
    actor: User,
    description: str = "",
) -> DrawingRight:
    """Grant ``group`` the right to ``minutes`` of ``provider``'s hours in the line's year."""
    _require(actor, "budgets.manage_drawing_rights", line, "budgets.grant_drawing_right")
    _check_minutes(minutes, _("Het aantal uren"))
    if group.district_id != line.district_budget.district_id:
        raise ValidationError(
            _("De groep hoort niet bij de wijk van deze budgetregel."), code="district"
        )
    if not line.district_budget.framework.is_adopted:
        raise ValidationError(_("Dit budgetkader is nog niet vastgesteld."), code="draft")
    description = (description or "").strip()
    if len(description) > 300:
        raise ValidationError(_("Gebruik voor de omschrijving hoogstens 300 tekens."))
    with transaction.atomic():
        right = DrawingRight.objects.create(
            line=line,
            group=group,
            provider_organisation=provider if isinstance(provider, Organisation) else None,
            provider_user=provider if isinstance(provider, User) else None,
            year=line.district_budget.year,
            minutes_granted=minutes,
            description=description,
            created_by=actor,
        )
        try:
            ledger.transfer(
                _provider_account(provider),
                _right_account(right),
                minutes,
                kind=KIND_HOURS_GRANT,
                description=_describe(
                    gettext_noop("Trekkingsrecht %(id)s: %(hours)s uur toegekend"),
                    {"id": right.pk, "hours": format_minutes(minutes)},
                ),
                actor=actor,
                idempotency_key=f"budgets:drawing_right:{right.pk}:grant",
                ref=right,
            )
        except LedgerError as error:
            raise _ledger_error(error) from error
        audit.record(
            actor,
            "budgets.grant_drawing_right",
            right,
            line=line.pk,
            group=group.pk,
            minutes=minutes,
        )
    return right


def _pending_minutes(right: DrawingRight) -> int:
    return int(
        right.deliveries.filter(status=HoursDelivery.Status.RECORDED).aggregate(
            total=Sum("minutes")
        )["total"]
        or 0
    )


def record_hours(
    right: DrawingRight,
    *,
    minutes: int,
    date: datetime.date,
    description: str,
    actor: User,
) -> HoursDelivery:
    """The provider records hours it delivered. Refused when they do not fit in what is left
    of the right (counting hours that still wait for confirmation)."""
    _require(actor, "budgets.record_hours", right, "budgets.record_hours")
    _check_minutes(minutes, _("Het aantal uren"))
    description = (description or "").strip()
    if not description:
        raise ValidationError(
            {"description": _("Schrijf kort op wat er is gedaan.")}, code="required"
        )
    if len(description) > 300:
        raise ValidationError({"description": _("Gebruik hoogstens 300 tekens.")})
    if date > timezone.localdate():
        raise ValidationError({"date": _("Deze datum ligt in de toekomst.")}, code="date")
    if date.year != right.year:
        raise ValidationError(
            {"date": _("Dit trekkingsrecht geldt voor %(year)s.") % {"year": right.year}},
            code="date",
        )
    with transaction.atomic():
        _lock(right)
        if right.closed_at is not None:
            raise ValidationError(_("Dit trekkingsrecht is afgesloten."), code="closed")
        remaining = ledger.balance(_right_account(right)) - _pending_minutes(right)
        if minutes > remaining:
            raise ValidationError(
                _(
                    "Er is nog %(left)s uur over op dit trekkingsrecht (inclusief uren die nog "
                    "bevestigd moeten worden); %(asked)s uur past daar niet in."
                )
                % {"left": format_minutes(max(remaining, 0)), "asked": format_minutes(minutes)},
                code="too_many_hours",
            )
        delivery = HoursDelivery.objects.create(
            drawing_right=right,
            minutes=minutes,
            date=date,
            description=description,
            recorded_by=actor,
        )
        audit.record(actor, "budgets.record_hours", delivery, right=right.pk, minutes=minutes)
    return delivery


def confirm_hours(delivery: HoursDelivery, *, actor: User) -> HoursDelivery:
    """The group confirms recorded hours: they are taken from the right in the ledger."""
    right = delivery.drawing_right
    _require(actor, "budgets.confirm_hours", right, "budgets.confirm_hours")
    with transaction.atomic():
        _lock(delivery)
        delivery.refresh_from_db()
        if delivery.status != HoursDelivery.Status.RECORDED:
            raise ValidationError(
                _("Deze uren zijn niet (meer) vastgelegd als geleverd: %(status)s.")
                % {"status": delivery.get_status_display()},
                code="not_recorded",
            )
        try:
            ledger.transfer(
                _right_account(right),
                _used_account(right),
                delivery.minutes,
                kind=KIND_HOURS_USE,
                description=_describe(
                    gettext_noop("Trekkingsrecht %(id)s: %(hours)s uur geleverd op %(date)s"),
                    {
                        "id": right.pk,
                        "hours": format_minutes(delivery.minutes),
                        "date": delivery.date.isoformat(),
                    },
                ),
                actor=actor,
                idempotency_key=f"budgets:delivery:{delivery.pk}:confirm",
                ref=delivery,
            )
        except InsufficientFunds as error:
            raise ValidationError(
                _("U kunt niet meer uren bevestigen dan er zijn toegekend. %(detail)s")
                % {"detail": str(error)},
                code="too_many_hours",
            ) from error
        except LedgerError as error:
            raise _ledger_error(error) from error
        delivery.status = HoursDelivery.Status.CONFIRMED
        delivery.confirmed_by = actor
        delivery.confirmed_at = timezone.now()
        delivery.save(update_fields=["status", "confirmed_by", "confirmed_at"])
        audit.record(
            actor, "budgets.confirm_hours", delivery, right=right.pk, minutes=delivery.minutes
        )
    return delivery


def dispute_hours(delivery: HoursDelivery, *, actor: User, reason: str) -> HoursDelivery:
    """The group does not recognise recorded hours; nothing moves in the ledger."""
    right = delivery.drawing_right
    _require(actor, "budgets.confirm_hours", right, "budgets.dispute_hours")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Schrijf kort op waarom.")}, code="required")
    if len(reason) > 300:
        raise ValidationError({"reason": _("Gebruik hoogstens 300 tekens.")})
    with transaction.atomic():
        _lock(delivery)
        delivery.refresh_from_db()
        if delivery.status != HoursDelivery.Status.RECORDED:
            raise ValidationError(
                _("Deze uren zijn niet (meer) vastgelegd als geleverd: %(status)s.")
                % {"status": delivery.get_status_display()},
                code="not_recorded",
            )
        delivery.status = HoursDelivery.Status.DISPUTED
        delivery.dispute_reason = reason
        delivery.save(update_fields=["status", "dispute_reason"])
        audit.record(actor, "budgets.dispute_hours", delivery, right=right.pk)
    return delivery


@dataclass
class YearClosing:
    year: int
    lapsed_minutes: int = 0
    carried_minutes: int = 0
    closed: list[int] = field(default_factory=list)
    carried_to: list[int] = field(default_factory=list)


def ended_years(framework: BudgetFramework) -> list[int]:
    """The years of the framework that are over (31 December has passed)."""
    today = timezone.localdate()
    return [year for year in framework.years if year < today.year]


def close_year(framework: BudgetFramework, year: int, *, actor: User) -> YearClosing:
    """Close the drawing rights of ``year``: hours neither used nor waiting for confirmation
    lapse, or — when the framework says so and a next year exists — move to a new right for
    the next year. Each right is closed once; running it again changes nothing. Only a year
    that has ended (before today, :func:`django.utils.timezone.localdate`) can be closed."""
    _require(actor, "budgets.close_year", framework, "budgets.close_year")
    if not framework.is_adopted:
        raise ValidationError(_("Dit budgetkader is nog niet vastgesteld."), code="draft")
    if year not in framework.years:
        raise ValidationError(
            _("%(year)s valt buiten de looptijd van het kader.") % {"year": year}, code="year"
        )
    if year not in ended_years(framework):
        raise ValidationError(
            _(
                "%(year)s is nog niet voorbij. Een jaar afsluiten kan pas na 31 december; tot "
                "dan kan de groep de uren nog gebruiken."
            )
            % {"year": year},
            code="year_not_ended",
        )
    carry = (
        framework.hours_rule == BudgetFramework.HoursRule.CARRY_OVER and year < framework.end_year
    )
    summary = YearClosing(year=year)
    with transaction.atomic():
        rights = list(
            DrawingRight.objects.select_for_update(of=("self",))
            .filter(line__district_budget__framework=framework, year=year, closed_at=None)
            .select_related(
                "line__district_budget__district",
                "line__theme",
                "group",
                "provider_organisation",
                "provider_user",
            )
            .order_by("pk")
        )
        for right in rights:
            left = ledger.balance(_right_account(right)) - _pending_minutes(right)
            try:
                if left > 0 and carry:
                    next_line = _line_in_year(right.line, year + 1)
                    assert next_line is not None  # adoption creates every year's lines
                    new = DrawingRight.objects.create(
                        line=next_line,
                        group=right.group,
                        provider_organisation=right.provider_organisation,
                        provider_user=right.provider_user,
                        year=year + 1,
                        minutes_granted=left,
                        description=right.description,
                        carried_from=right,
                        created_by=actor,
                    )
                    ledger.transfer(
                        _right_account(right),
                        _right_account(new),
                        left,
                        kind=KIND_HOURS_CARRY,
                        description=_describe(
                            gettext_noop("Trekkingsrecht %(id)s: %(hours)s uur mee naar %(year)s"),
                            {"id": right.pk, "hours": format_minutes(left), "year": year + 1},
                        ),
                        actor=actor,
                        idempotency_key=f"budgets:drawing_right:{right.pk}:close",
                        ref=right,
                    )
                    summary.carried_minutes += left
                    summary.carried_to.append(new.pk)
                elif left > 0:
                    ledger.transfer(
                        _right_account(right),
                        _lapsed_account(right),
                        left,
                        kind=KIND_HOURS_LAPSE,
                        description=_describe(
                            gettext_noop("Trekkingsrecht %(id)s: %(hours)s uur vervallen"),
                            {"id": right.pk, "hours": format_minutes(left)},
                        ),
                        actor=actor,
                        idempotency_key=f"budgets:drawing_right:{right.pk}:close",
                        ref=right,
                    )
                    summary.lapsed_minutes += left
            except LedgerError as error:
                raise _ledger_error(error) from error
            right.closed_at = timezone.now()
            right.save(update_fields=["closed_at"])
            summary.closed.append(right.pk)
        audit.record(
            actor,
            "budgets.close_year",
            framework,
            year=year,
            closed=len(summary.closed),
            lapsed_minutes=summary.lapsed_minutes,
            carried_minutes=summary.carried_minutes,
        )
    return summary
