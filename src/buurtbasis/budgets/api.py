"""``/api/v1/budgets/``: adopted budget frameworks, district budgets and their balances.

Read-only and public: it is public money. Amounts are integer cents, hours integer minutes,
shares basis points (10 000 = 100 %). Balances come from the ledger. No names of people.
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from buurtbasis.areas.models import Area, Level

from . import selectors, services
from .models import BudgetFramework, BudgetLine

router = Router(tags=["budgets"])


class ErrorOut(Schema):
    error: str = Field(..., description="Wat er mis is, in de taal van het verzoek.")


class YearTotalOut(Schema):
    year: int
    sources_cents: int = Field(..., description="Som van alle geldbronnen in dit jaar (cent).")


class FrameworkOut(Schema):
    id: int
    name: str
    municipality_code: str = Field(..., description="CBS-code van de gemeente, bijv. GM0344.")
    municipality: str
    start_year: int
    end_year: int
    status: str = Field(..., description="draft (concept) of adopted (vastgesteld).")
    adopted_at: datetime | None
    support_share_bp: int = Field(
        ..., description="Aandeel voor ondersteuning van bewonersorganisaties (basispunten)."
    )
    min_support_share_bp: int
    base_amount_per_1000_cents: int = Field(
        ..., description="Basisbedrag per 1.000 inwoners per jaar (cent)."
    )
    hours_rule: str = Field(..., description="lapse (vervallen) of carry_over (meenemen).")
    years: list[YearTotalOut]


class SourceAmountOut(Schema):
    year: int
    amount_cents: int = Field(..., description="Naar de wijkbudgetten (cent).")
    public_total_cents: int = Field(
        ..., description="Totaal publiek geld uit deze bron in de gemeente (cent); 0 = onbekend."
    )


class SourceOut(Schema):
    name: str
    kind: str
    amounts: list[SourceAmountOut]


class ThemeOut(Schema):
    name: str
    share_bp: int


class WeightOut(Schema):
    indicator: str = Field(..., description="Sleutel van het cijfer, bijv. low_income_households.")
    weight_bp: int = Field(..., description="Gewicht in basispunten; negatief mag.")


class FrameworkDetailOut(FrameworkOut):
    sources: list[SourceOut]
    themes: list[ThemeOut]
    weights: list[WeightOut]


class LineOut(Schema):
    id: int
    label: str
    organisational_support: bool
    allocated_cents: int = Field(..., description="Wat het vaststellen aan deze regel gaf.")
    committed_cents: int = Field(..., description="Toegezegd aan organisaties.")
    other_spent_cents: int = Field(..., description="Andere uitgaven van deze regel.")
    balance_cents: int = Field(..., description="Saldo in het grootboek: nog beschikbaar.")
    hours_granted_minutes: int = Field(..., description="Uren van trekkingsrechten (minuten).")
    hours_confirmed_minutes: int = Field(..., description="Bevestigde uren (minuten).")


class DistrictBudgetOut(Schema):
    framework_id: int
    framework: str
    year: int
    amount_cents: int
    reserve_cents: int = Field(..., description="Nog niet over de regels verdeeld (saldo).")
    inhabitants: int
    lines: list[LineOut]


class DistrictOut(Schema):
    code: str
    name: str
    municipality_code: str
    years: list[int] = Field(..., description="Jaren met een vastgesteld wijkbudget.")
    year: int | None = Field(..., description="Het jaar van de budgetten hieronder.")
    budgets: list[DistrictBudgetOut]


def _framework_out(framework: BudgetFramework, totals: dict[int, int]) -> dict[str, object]:
    return {
        "id": framework.pk,
        "name": framework.name,
        "municipality_code": framework.municipality.code,
        "municipality": framework.municipality.name,
        "start_year": framework.start_year,
        "end_year": framework.end_year,
        "status": framework.status,
        "adopted_at": framework.adopted_at,
        "support_share_bp": framework.support_share_bp,
        "min_support_share_bp": framework.min_support_share_bp,
        "base_amount_per_1000_cents": framework.base_amount_per_1000_cents,
        "hours_rule": framework.hours_rule,
        "years": [{"year": y, "sources_cents": totals.get(y, 0)} for y in framework.years],
    }


def _line_out(row: selectors.LineRow) -> dict[str, object]:
    return {
        "id": row.line.pk,
        "label": row.line.label,
        "organisational_support": row.line.is_support,
        "allocated_cents": row.allocated,
        "committed_cents": row.committed,
        "other_spent_cents": row.other_spent,
        "balance_cents": row.balance,
        "hours_granted_minutes": row.hours_granted,
        "hours_confirmed_minutes": row.hours_confirmed,
    }


@router.get(
    "/frameworks",
    response=list[FrameworkOut],
    summary="Vastgestelde budgetkaders",
    description="Alle vastgestelde budgetkaders, eventueel van één gemeente (`municipality`).",
)
def framework_list(request: HttpRequest, municipality: str | None = None) -> object:
    frameworks = BudgetFramework.objects.filter(
        status=BudgetFramework.Status.ADOPTED
    ).select_related("municipality")
    if municipality:
        frameworks = frameworks.filter(municipality__code=municipality.strip().upper())
    result = []
    for framework in frameworks:
        result.append(_framework_out(framework, services.source_totals(framework)))
    return result


@router.get(
    "/frameworks/{framework_id}",
    response={200: FrameworkDetailOut, 404: ErrorOut},
    summary="Een budgetkader",
    description="Met geldbronnen per jaar, thema's en gewichten. Concepten zijn niet openbaar.",
)
def framework_detail(request: HttpRequest, framework_id: int) -> object:
    framework = (
        BudgetFramework.objects.select_related("municipality").filter(pk=framework_id).first()
    )
    if framework is None or not request.user.has_perm("budgets.view_framework", framework):
        return Status(404, {"error": _("Budgetkader %(id)s bestaat niet.") % {"id": framework_id}})
    data = _framework_out(framework, services.source_totals(framework))
    data["sources"] = [
        {
            "name": s.name,
            "kind": s.kind,
            "amounts": [
                {
                    "year": a.year,
                    "amount_cents": a.amount_cents,
                    "public_total_cents": a.public_total_cents,
                }
                for a in s.amounts.all()
            ],
        }
        for s in framework.sources.prefetch_related("amounts")
    ]
    data["themes"] = [{"name": t.name, "share_bp": t.share_bp} for t in framework.themes.all()]
    data["weights"] = [
        {"indicator": w.indicator.key, "weight_bp": w.weight_bp}
        for w in framework.weights.select_related("indicator")
    ]
    return data


class YearQuery(Schema):
    year: int | None = Field(None, description="Jaar; zonder jaar het huidige of eerste jaar.")


@router.get(
    "/districts/{code}",
    response={200: DistrictOut, 404: ErrorOut},
    summary="Wijkbudget van een wijk",
    description="De wijkbudgetten van een wijk in één jaar, met de saldi per budgetregel uit "
    "het grootboek.",
)
def district_detail(request: HttpRequest, code: str, query: Query[YearQuery]) -> object:
    district = (
        Area.objects.select_related("municipality")
        .filter(code=code.strip().upper(), level=Level.DISTRICT)
        .first()
    )
    if district is None:
        return Status(404, {"error": _("Wijk %(code)s bestaat niet.") % {"code": code.upper()}})
    years = selectors.district_years(district)
    year = query.year
    if year is None and years:
        this_year = timezone.localdate().year
        year = this_year if this_year in years else years[0]
    views = selectors.district_overview(district, year) if year is not None else []
    municipality = district.municipality
    return {
        "code": district.code,
        "name": district.name,
        "municipality_code": municipality.code if municipality else "",
        "years": years,
        "year": year,
        "budgets": [
            {
                "framework_id": v.framework.pk,
                "framework": v.framework.name,
                "year": v.budget.year,
                "amount_cents": v.budget.amount_cents,
                "reserve_cents": v.reserve,
                "inhabitants": v.budget.inhabitants,
                "lines": [_line_out(row) for row in v.lines],
            }
            for v in views
        ],
    }


@router.get(
    "/lines/{line_id}",
    response={200: LineOut, 404: ErrorOut},
    summary="Saldo van een budgetregel",
)
def line_detail(request: HttpRequest, line_id: int) -> object:
    line = (
        BudgetLine.objects.select_related("theme", "account", "district_budget__framework")
        .filter(pk=line_id, district_budget__framework__status=BudgetFramework.Status.ADOPTED)
        .first()
    )
    if line is None:
        return Status(404, {"error": _("Budgetregel %(id)s bestaat niet.") % {"id": line_id}})
    return _line_out(selectors.line_view(line))
