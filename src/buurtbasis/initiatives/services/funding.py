"""Hybrid co-funding: a funding plan per initiative by source type (pledged and received), the
directory of funds with suggestions that fit an initiative, and the municipal co-funding table
(002 L1559–1562: the municipal share grows with how much an activity serves the care for very
vulnerable residents, from 90 % to less than 10 %)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buurtbasis.accounts.models import Organisation
from buurtbasis.areas.models import Area, Level
from buurtbasis.core import audit

from ..models import (
    FULL_SHARE,
    CoFundingRule,
    Fund,
    FundingLine,
    FundingPlan,
    FundTheme,
    Initiative,
    SourceType,
    Theme,
)
from .common import cents, require, text

MAX_PLAN_LINES = 20

#: The default co-funding table of a municipality (label, explanation, share in basis points).
DEFAULT_COFUNDING: tuple[tuple[Any, Any, int], ...] = (
    (
        gettext_lazy("Onmisbaar voor de zorg voor zeer kwetsbare bewoners"),
        gettext_lazy("Zonder dit vallen mensen tussen wal en schip; de gemeente draagt het meest."),
        9000,
    ),
    (
        gettext_lazy("Helpt duidelijk bij de zorg voor kwetsbare bewoners"),
        gettext_lazy("Bijvoorbeeld een maaltijd of inloop waar de buurtwerker mensen ziet."),
        5000,
    ),
    (
        gettext_lazy("Helpt een beetje bij de zorg voor kwetsbare bewoners"),
        gettext_lazy("Ontmoeting die ook eenzame bewoners bereikt."),
        2500,
    ),
    (
        gettext_lazy("Maakt het samenleven in de buurt beter"),
        gettext_lazy("De kwaliteit van de samenleving: bewoners en fondsen dragen het meest."),
        900,
    ),
)


# --- The co-funding table ---------------------------------------------------------------------


@dataclass(frozen=True)
class RuleInput:
    label: str
    share_bp: int
    description: str = ""
    max_cents: int | None = None
    pk: int | None = None


def cofunding_rules(municipality: Area) -> list[CoFundingRule]:
    return list(CoFundingRule.objects.filter(municipality=municipality).order_by("position", "pk"))


def ensure_default_cofunding(municipality: Area) -> list[CoFundingRule]:
    """The default table when the municipality has none yet."""
    if not CoFundingRule.objects.filter(municipality=municipality).exists():
        CoFundingRule.objects.bulk_create(
            [
                CoFundingRule(
                    municipality=municipality,
                    label=str(label),
                    description=str(description),
                    share_bp=share,
                    position=index,
                )
                for index, (label, description, share) in enumerate(DEFAULT_COFUNDING)
            ]
        )
    return cofunding_rules(municipality)


def set_cofunding_rules(
    municipality: Area, actor: Any, rows: Sequence[RuleInput]
) -> list[CoFundingRule]:
    """Replace the municipality's table with ``rows`` (civil servants and administrators)."""
    require(actor, "initiatives.manage_cofunding", municipality, "initiatives.cofunding")
    if municipality.level != Level.MUNICIPALITY:
        raise ValidationError(_("De tabel hoort bij een gemeente."))
    errors: list[str] = []
    clean: list[RuleInput] = []
    for number, row in enumerate(rows, start=1):
        label = str(row.label or "").strip()
        if not label:
            errors.append(_("Regel %(n)s: geef een omschrijving.") % {"n": number})
            continue
        if not isinstance(row.share_bp, int) or not 0 <= row.share_bp <= FULL_SHARE:
            errors.append(_("Regel %(n)s: het aandeel ligt tussen 0 en 100 %%.") % {"n": number})
            continue
        if row.max_cents is not None and row.max_cents < 0:
            errors.append(_("Regel %(n)s: het maximum kan niet negatief zijn.") % {"n": number})
            continue
        clean.append(
            RuleInput(
                label[:200],
                row.share_bp,
                str(row.description or "").strip()[:500],
                row.max_cents,
                row.pk,
            )
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        existing = {r.pk: r for r in CoFundingRule.objects.filter(municipality=municipality)}
        keep: set[int] = set()
        for position, row in enumerate(clean):
            rule = existing.get(row.pk) if row.pk else None
            if rule is None:
                rule = CoFundingRule(municipality=municipality)
            rule.label, rule.description = row.label, row.description
            rule.share_bp, rule.max_cents, rule.position = row.share_bp, row.max_cents, position
            rule.save()
            keep.add(rule.pk)
        CoFundingRule.objects.filter(municipality=municipality).exclude(pk__in=keep).delete()
        audit.record(actor, "initiatives.cofunding", municipality, rows=len(clean))
    return cofunding_rules(municipality)


def municipal_share(plan: FundingPlan) -> int | None:
    """What the municipality may co-fund under the chosen rule: the share of the plan's total
    (rounded down to the cent), at most the rule's maximum. None without a rule."""
    rule = plan.cofunding_rule
    if rule is None:
        return None
    amount = plan.total_cents * rule.share_bp // FULL_SHARE
    if rule.max_cents is not None:
        amount = min(amount, rule.max_cents)
    return amount


# --- The funding plan -------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanLine:
    source: str
    description: str = ""
    pledged_cents: int = 0
    received_cents: int = 0
    fund: Fund | None = None


def plan_for(initiative: Initiative) -> FundingPlan:
    found = (
        FundingPlan.objects.filter(initiative=initiative).select_related("cofunding_rule").first()
    )
    return found or FundingPlan(initiative=initiative)


def save_funding_plan(
    initiative: Initiative,
    actor: Any,
    *,
    total_cents: int,
    lines: Sequence[PlanLine],
    cofunding_rule: CoFundingRule | None = None,
) -> FundingPlan:
    """Replace the plan: its total and lines (source, from whom, pledged, received)."""
    require(actor, "initiatives.change_funding_plan", initiative, "initiatives.funding_plan")
    total = cents(total_cents, "total_cents", label=_("De totale kosten"), allow_zero=True)
    if len(lines) > MAX_PLAN_LINES:
        raise ValidationError(_("Hoogstens %(n)s regels.") % {"n": MAX_PLAN_LINES})
    errors: list[str] = []
    for number, line in enumerate(lines, start=1):
        if line.source not in SourceType.values:
            errors.append(_("Regel %(n)s: kies een soort bron.") % {"n": number})
        for value in (line.pledged_cents, line.received_cents):
            if not isinstance(value, int) or value < 0:
                errors.append(_("Regel %(n)s: bedragen zijn nul of meer.") % {"n": number})
                break
        if len(line.description) > 200:
            errors.append(_("Regel %(n)s: gebruik hoogstens 200 tekens.") % {"n": number})
    if (
        cofunding_rule is not None
        and cofunding_rule.municipality_id != initiative.area.municipality_id
    ):
        errors.append(_("Kies een regel van de eigen gemeente."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        plan, _created = FundingPlan.objects.get_or_create(initiative=initiative)
        plan.total_cents = total
        plan.cofunding_rule = cofunding_rule
        plan.save()
        plan.lines.all().delete()
        FundingLine.objects.bulk_create(
            [
                FundingLine(
                    plan=plan,
                    source=line.source,
                    description=line.description.strip(),
                    fund=line.fund,
                    pledged_cents=line.pledged_cents,
                    received_cents=line.received_cents,
                    position=position,
                )
                for position, line in enumerate(lines)
            ]
        )
        audit.record(
            actor,
            "initiatives.funding_plan",
            initiative,
            total_cents=total,
            pledged_cents=sum(line.pledged_cents for line in lines),
            received_cents=sum(line.received_cents for line in lines),
        )
    return plan


@dataclass
class PlanSummary:
    plan: FundingPlan
    lines: list[FundingLine]
    by_source: list[tuple[str, int, int]]  # label, pledged, received
    pledged: int
    received: int
    municipal_share: int | None

    @property
    def gap(self) -> int:
        """What is not yet pledged (never below zero)."""
        return max(self.plan.total_cents - self.pledged, 0)


def plan_summary(initiative: Initiative) -> PlanSummary:
    plan = plan_for(initiative)
    lines = list(plan.lines.select_related("fund")) if plan.pk else []
    by_source = []
    for value, label in SourceType.choices:
        rows = [line for line in lines if line.source == value]
        if rows:
            by_source.append(
                (
                    str(label),
                    sum(r.pledged_cents for r in rows),
                    sum(r.received_cents for r in rows),
                )
            )
    return PlanSummary(
        plan=plan,
        lines=lines,
        by_source=by_source,
        pledged=sum(line.pledged_cents for line in lines),
        received=sum(line.received_cents for line in lines),
        municipal_share=municipal_share(plan),
    )


# --- Funds ------------------------------------------------------------------------------------


FUND_FIELDS = (
    "name",
    "description",
    "level",
    "area",
    "min_cents",
    "max_cents",
    "deadline",
    "asks",
    "url",
    "organisation",
    "is_active",
)


def _clean_fund(values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - {*FUND_FIELDS, "themes"}
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    try:
        clean["name"] = text(values.get("name"), "name", max_length=200, label=_("de naam"))
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    clean["description"] = str(values.get("description") or "").strip()[:4000]
    clean["asks"] = str(values.get("asks") or "").strip()[:4000]
    clean["url"] = str(values.get("url") or "").strip()[:200]
    if clean["url"] and not clean["url"].startswith(("https://", "http://")):
        errors["url"] = _("Een webadres begint met https://")
    level = values.get("level")
    if level not in Fund.Level.values:
        errors["level"] = _("Kies lokaal, regionaal of landelijk.")
    clean["level"] = level
    area = values.get("area")
    if level == Fund.Level.NATIONAL:
        area = None
    elif not isinstance(area, Area):
        errors["area"] = _("Kies het werkgebied van het fonds.")
    clean["area"] = area
    for field in ("min_cents", "max_cents"):
        value = values.get(field)
        if value is not None and (not isinstance(value, int) or value < 0):
            errors[field] = _("Geef een bedrag van nul of meer.")
        clean[field] = value
    if (
        clean.get("min_cents") is not None
        and clean.get("max_cents") is not None
        and clean["max_cents"] < clean["min_cents"]
    ):
        errors["max_cents"] = _("Het hoogste bedrag is lager dan het laagste.")
    deadline = values.get("deadline")
    if deadline is not None and not isinstance(deadline, datetime.date):
        errors["deadline"] = _("Geef een datum.")
    clean["deadline"] = deadline
    organisation = values.get("organisation")
    if organisation is not None and not isinstance(organisation, Organisation):
        errors["organisation"] = _("Onbekende organisatie.")
    clean["organisation"] = organisation
    clean["is_active"] = bool(values.get("is_active", True))
    themes = list(dict.fromkeys(values.get("themes") or []))
    if any(t not in Theme.values for t in themes):
        errors["themes"] = _("Onbekend thema.")
    clean["themes"] = themes
    if errors:
        raise ValidationError(errors)
    return clean


def save_fund(actor: Any, fund: Fund | None = None, **values: Any) -> Fund:
    """Add a fund to the directory, or change one (funders, civil servants, administrators)."""
    require(actor, "initiatives.manage_funds", fund, "initiatives.fund")
    clean = _clean_fund(values)
    themes = clean.pop("themes")
    with transaction.atomic():
        fund = fund or Fund()
        for field, value in clean.items():
            setattr(fund, field, value)
        fund.updated_by = actor
        fund.save()
        fund.themes.all().delete()
        FundTheme.objects.bulk_create([FundTheme(fund=fund, theme=t) for t in themes])
        audit.record(actor, "initiatives.fund", fund, name=fund.name)
    return fund


def funds_directory(
    *, theme: str = "", level: str = "", query: str = "", include_closed: bool = False
) -> list[Fund]:
    funds = Fund.objects.filter(is_active=True).select_related("area").prefetch_related("themes")
    if theme in Theme.values:
        funds = funds.filter(themes__theme=theme)
    if level in Fund.Level.values:
        funds = funds.filter(level=level)
    if query:
        funds = funds.filter(
            Q(name__icontains=query) | Q(description__icontains=query) | Q(asks__icontains=query)
        )
    if not include_closed:
        funds = funds.filter(Q(deadline__isnull=True) | Q(deadline__gte=timezone.localdate()))
    return list(funds.distinct().order_by("name", "pk"))


@dataclass(frozen=True)
class Suggestion:
    fund: Fund
    themes: list[str]  # the matching themes' labels
    reason: str


def suggest_funds(
    initiative: Initiative, *, today: datetime.date | None = None, limit: int = 6
) -> list[Suggestion]:
    """Funds whose themes match the initiative's and whose area covers its neighbourhood (or
    that work nationally), still open: most matching themes first, then nearest (local before
    regional before national), then the nearest deadline."""
    today = today or timezone.localdate()
    mine = set(initiative.themes.values_list("theme", flat=True))
    area = initiative.area
    covering = {area.pk, area.parent_id, area.municipality_id} - {None}
    funds = (
        Fund.objects.filter(is_active=True)
        .filter(Q(area__isnull=True) | Q(area_id__in=covering))
        .filter(Q(deadline__isnull=True) | Q(deadline__gte=today))
        .prefetch_related("themes")
    )
    labels = dict(Theme.choices)
    level_rank: dict[str, int] = {
        Fund.Level.LOCAL: 0,
        Fund.Level.REGIONAL: 1,
        Fund.Level.NATIONAL: 2,
    }
    scored = []
    for fund in funds:
        themes = {t.theme for t in fund.themes.all()}
        matching = sorted(mine & themes)
        if mine and not matching:
            continue
        reason = (
            _("Past bij: %(themes)s") % {"themes": ", ".join(str(labels[t]) for t in matching)}
            if matching
            else _("Steunt initiatieven in uw omgeving")
        )
        scored.append(
            (
                -len(matching),
                level_rank.get(fund.level, 3),
                fund.deadline or datetime.date.max,
                fund.name,
                Suggestion(fund, [str(labels[t]) for t in matching], reason),
            )
        )
    scored.sort(key=lambda row: row[:4])
    return [row[4] for row in scored[:limit]]
