"""Read-side queries for the budget pages, the open data and the API.

Each function runs a fixed number of queries whatever the number of lines, commitments or
ledger entries: balances come from the ledger's maintained balances in one query
(:func:`buurtbasis.ledger.services.balances`), and every account is remembered on the row it
belongs to, so no account lookups are needed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Prefetch, Q, Sum
from django.db.models.functions import Cast

from buurtbasis.accounts.models import Organisation, User
from buurtbasis.areas.models import Area
from buurtbasis.ledger import services as ledger
from buurtbasis.ledger.models import Account, Entry

from .allocation import split_pro_rata
from .models import (
    BudgetFramework,
    BudgetLine,
    Commitment,
    CommitmentYear,
    DistrictBudget,
    DrawingRight,
    HoursDelivery,
    SourceAmount,
)

# --- Drawing rights -----------------------------------------------------------------------------


@dataclass
class RightSummary:
    """Minutes of one drawing right. ``remaining`` is what the provider may still record."""

    right: DrawingRight
    granted: int
    delivered: int
    pending: int
    disputed: int
    confirmed: int
    carried: int
    lapsed: int
    balance: int

    @property
    def remaining(self) -> int:
        return max(self.balance - self.pending, 0)


def right_summaries(rights: Sequence[DrawingRight]) -> list[RightSummary]:
    """Summaries of several rights in three queries (balances, deliveries, carried rights)."""
    rights = list(rights)
    if not rights:
        return []
    accounts = [a for r in rights for a in (r.account, r.used_account) if a is not None]
    found = ledger.balances(accounts)
    by_status: dict[tuple[int, str], int] = {}
    for row in (
        HoursDelivery.objects.filter(drawing_right__in=rights)
        .values("drawing_right_id", "status")
        .annotate(total=Sum("minutes"))
    ):
        by_status[(row["drawing_right_id"], row["status"])] = int(row["total"] or 0)
    carried = dict(
        DrawingRight.objects.filter(carried_from__in=rights).values_list(
            "carried_from_id", "minutes_granted"
        )
    )
    result = []
    for right in rights:
        balance = found.get(right.account, 0) if right.account is not None else 0
        confirmed = found.get(right.used_account, 0) if right.used_account is not None else 0
        pending = by_status.get((right.pk, HoursDelivery.Status.RECORDED), 0)
        moved_on = carried.get(right.pk, 0)
        result.append(
            RightSummary(
                right=right,
                granted=right.minutes_granted,
                delivered=pending + by_status.get((right.pk, HoursDelivery.Status.CONFIRMED), 0),
                pending=pending,
                disputed=by_status.get((right.pk, HoursDelivery.Status.DISPUTED), 0),
                confirmed=confirmed,
                carried=moved_on,
                lapsed=right.minutes_granted - confirmed - balance - moved_on,
                balance=balance,
            )
        )
    return result


def right_summary(right: DrawingRight) -> RightSummary:
    right = DrawingRight.objects.select_related("account", "used_account").get(pk=right.pk)
    return right_summaries([right])[0]


def rights_for_user(user: Any) -> list[DrawingRight]:
    """The drawing rights a person sees as provider or as member of a group."""
    if not getattr(user, "is_authenticated", False):
        return []
    organisations = user.memberships.exclude(organisation=None).values("organisation_id")
    return list(
        DrawingRight.objects.filter(
            Q(provider_user=user)
            | Q(provider_organisation__in=organisations)
            | Q(group__contact=user)
            | Q(group__members=user)
        )
        .distinct()
        .select_related(
            "group__district",
            "provider_organisation",
            "provider_user",
            "line__theme",
            "line__district_budget",
            "account",
            "used_account",
        )
        .order_by("-year", "group__name", "pk")
    )


# --- District budget page -----------------------------------------------------------------------


@dataclass
class LineRow:
    line: BudgetLine
    allocated: int
    balance: int
    committed: int
    commitments: list[CommitmentYear] = field(default_factory=list)
    rights: list[RightSummary] = field(default_factory=list)

    @property
    def other_spent(self) -> int:
        return self.allocated - self.balance - self.committed

    @property
    def hours_granted(self) -> int:
        return sum(r.granted for r in self.rights)

    @property
    def hours_confirmed(self) -> int:
        return sum(r.confirmed for r in self.rights)


@dataclass
class BudgetView:
    budget: DistrictBudget
    lines: list[LineRow]
    reserve: int

    @property
    def framework(self) -> BudgetFramework:
        return self.budget.framework

    @property
    def allocated(self) -> int:
        return sum(r.allocated for r in self.lines)

    @property
    def committed(self) -> int:
        return sum(r.committed for r in self.lines)

    @property
    def other_spent(self) -> int:
        return sum(r.other_spent for r in self.lines)

    @property
    def available(self) -> int:
        return sum(r.balance for r in self.lines)


def district_years(district: Area) -> list[int]:
    """The years for which the district has an adopted budget."""
    return sorted(
        set(
            DistrictBudget.objects.filter(
                district=district, framework__status=BudgetFramework.Status.ADOPTED
            ).values_list("year", flat=True)
        )
    )


def district_overview(district: Area, year: int) -> list[BudgetView]:
    """The district's budgets of ``year`` (one per adopted framework) with their lines,
    balances, commitments and drawing rights. A fixed number of queries."""
    budgets = list(
        DistrictBudget.objects.filter(
            district=district, year=year, framework__status=BudgetFramework.Status.ADOPTED
        )
        .select_related("framework", "account", "district")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=BudgetLine.objects.select_related("theme", "account").order_by(
                    "-is_support", "theme__position", "pk"
                ),
            )
        )
        .order_by("framework_id")
    )
    lines = [line for b in budgets for line in b.lines.all()]
    accounts = [b.account for b in budgets if b.account] + [
        line.account for line in lines if line.account
    ]
    found = ledger.balances(accounts)
    commitments: dict[int, list[CommitmentYear]] = defaultdict(list)
    for posted in (
        CommitmentYear.objects.filter(line__in=lines, reversal_transaction_id=None)
        .select_related("commitment__organisation")
        .order_by("commitment_id")
    ):
        commitments[posted.line_id].append(posted)
    rights = list(
        DrawingRight.objects.filter(line__in=lines)
        .select_related("group", "provider_organisation", "account", "used_account")
        .order_by("pk")
    )
    summaries: dict[int, list[RightSummary]] = defaultdict(list)
    for summary in right_summaries(rights):
        summaries[summary.right.line_id].append(summary)
    views = []
    for budget in budgets:
        rows = [
            LineRow(
                line=line,
                allocated=line.amount_cents,
                balance=found.get(line.account, 0) if line.account else 0,
                committed=sum(c.amount_cents for c in commitments[line.pk]),
                commitments=commitments[line.pk],
                rights=summaries[line.pk],
            )
            for line in budget.lines.all()
        ]
        views.append(
            BudgetView(
                budget=budget,
                lines=rows,
                reserve=found.get(budget.account, 0) if budget.account else 0,
            )
        )
    return views


def line_view(line: BudgetLine) -> LineRow:
    """One line with its balance, commitments (all years of commitments started here too)
    and drawing rights."""
    found = ledger.balances([line.account]) if line.account else {}
    posted = list(
        CommitmentYear.objects.filter(line=line, reversal_transaction_id=None)
        .select_related("commitment__organisation")
        .order_by("commitment_id")
    )
    rights = list(
        DrawingRight.objects.filter(line=line)
        .select_related(
            "group", "provider_organisation", "provider_user", "account", "used_account"
        )
        .order_by("pk")
    )
    return LineRow(
        line=line,
        allocated=line.amount_cents,
        balance=found.get(line.account, 0) if line.account else 0,
        committed=sum(p.amount_cents for p in posted),
        commitments=posted,
        rights=right_summaries(rights),
    )


def commitments_started_on(line: BudgetLine) -> list[Commitment]:
    return list(
        Commitment.objects.filter(line=line)
        .select_related("organisation")
        .prefetch_related("years")
        .order_by("pk")
    )


# --- Money flow ---------------------------------------------------------------------------------


@dataclass
class SourceFlow:
    name: str
    kind: str
    to_budget: int
    public: int


@dataclass
class FlowYear:
    year: int
    budget: int
    sources: list[SourceFlow]
    themes: list[tuple[str, int]]
    share: Fraction  # the district's share of the municipality's inhabitants

    @property
    def public(self) -> int:
        return sum(s.public for s in self.sources)

    @property
    def elsewhere(self) -> int:
        """Public money through the district that does not go through its budget."""
        return max(self.public - self.budget, 0)


@dataclass
class MoneyFlow:
    district: Area
    years: list[FlowYear]
    scenario_bp: int

    def scenario(self, year: FlowYear) -> int:
        """The district budget if ``scenario_bp`` of the other public money went to it."""
        return year.budget + _round(Fraction(year.elsewhere * self.scenario_bp, 10_000))

    @property
    def rows(self) -> list[tuple[FlowYear, int, int]]:
        """Per year: the year, the scenario budget and the difference with today."""
        return [(y, self.scenario(y), self.scenario(y) - y.budget) for y in self.years]

    @property
    def source_table(self) -> list[tuple[str, list[tuple[int, int]]]]:
        """Per source: (public money, part in the district budget) for each year."""
        table = []
        for name in self.source_names:
            cells = []
            for year in self.years:
                found = [s for s in year.sources if s.name == name]
                cells.append((sum(s.public for s in found), sum(s.to_budget for s in found)))
            table.append((name, cells))
        return table

    @property
    def theme_table(self) -> list[tuple[str, list[int]]]:
        return [
            (name, [sum(a for n, a in year.themes if n == name) for year in self.years])
            for name in self.theme_names
        ]

    @property
    def source_names(self) -> list[str]:
        names: list[str] = []
        for year in self.years:
            for source in year.sources:
                if source.name not in names:
                    names.append(source.name)
        return names

    @property
    def theme_names(self) -> list[str]:
        names: list[str] = []
        for year in self.years:
            for name, _amount in year.themes:
                if name not in names:
                    names.append(name)
        return names


def _round(value: Fraction) -> int:
    return int((value + Fraction(1, 2)) // 1)


def money_flow(district: Area, scenario_bp: int = 0) -> MoneyFlow:
    """All public money through the district per year, by source and by theme.

    The district budget is attributed to the sources in proportion to what each source put
    in that year. The public money of a source (its total in the municipality, or only its
    part for the district budgets when no total was given) is attributed to the district in
    proportion to its inhabitants: an estimate, said so on the page."""
    budgets = list(
        DistrictBudget.objects.filter(
            district=district, framework__status=BudgetFramework.Status.ADOPTED
        )
        .select_related("framework")
        .prefetch_related(Prefetch("lines", queryset=BudgetLine.objects.select_related("theme")))
        .order_by("year", "framework_id")
    )
    framework_ids = {b.framework_id for b in budgets}
    inhabitants: dict[tuple[int, int], int] = {}
    for row in (
        DistrictBudget.objects.filter(framework_id__in=framework_ids)
        .values("framework_id", "year")
        .annotate(total=Sum("inhabitants"))
    ):
        inhabitants[(row["framework_id"], row["year"])] = int(row["total"] or 0)
    amounts: dict[tuple[int, int], list[SourceAmount]] = defaultdict(list)
    for amount in (
        SourceAmount.objects.filter(source__framework_id__in=framework_ids)
        .select_related("source")
        .order_by("source__position", "source_id")
    ):
        amounts[(amount.source.framework_id, amount.year)].append(amount)

    per_year: dict[int, FlowYear] = {}
    for budget in budgets:
        total_inh = inhabitants.get((budget.framework_id, budget.year), 0)
        share = Fraction(budget.inhabitants, total_inh) if total_inh else Fraction(0)
        year_amounts = amounts[(budget.framework_id, budget.year)]
        parts = split_pro_rata(budget.amount_cents, [a.amount_cents for a in year_amounts])
        flow = per_year.setdefault(budget.year, FlowYear(budget.year, 0, [], [], share))
        flow.budget += budget.amount_cents
        for amount, part in zip(year_amounts, parts, strict=True):
            public = amount.public_total_cents or amount.amount_cents
            flow.sources.append(
                SourceFlow(
                    name=amount.source.name,
                    kind=amount.source.get_kind_display(),
                    to_budget=part,
                    public=max(_round(public * share), part),
                )
            )
        lines = list(budget.lines.all())
        for line in sorted(
            lines, key=lambda x: (not x.is_support, x.theme.position if x.theme else 0)
        ):
            flow.themes.append((line.label, line.amount_cents))
        reserve = budget.amount_cents - sum(line.amount_cents for line in lines)
        if reserve:
            flow.themes.append((str(_reserve_label()), reserve))
    return MoneyFlow(district=district, years=list(per_year.values()), scenario_bp=scenario_bp)


def _reserve_label() -> str:
    from django.utils.translation import gettext

    return gettext("Nog niet verdeeld (reserve)")


# --- Open data ----------------------------------------------------------------------------------

#: The columns of each open data set, in order. No names of people, no descriptions.
OPEN_DATA_FIELDS: dict[str, list[str]] = {
    "budgets": [
        "framework_id",
        "framework",
        "municipality_code",
        "district_code",
        "district",
        "year",
        "amount_cents",
        "reserve_cents",
        "inhabitants",
        "weight",
    ],
    "lines": [
        "line_id",
        "framework_id",
        "municipality_code",
        "district_code",
        "year",
        "line",
        "organisational_support",
        "allocated_cents",
        "committed_cents",
        "other_spent_cents",
        "balance_cents",
    ],
    "transactions": [
        "transaction_id",
        "date",
        "kind",
        "unit",
        "amount",
        "account",
        "framework_id",
        "district_code",
        "year",
        "line_id",
        "organisation",
        "drawing_right_id",
        "owner_id",
        "reversal_of",
    ],
}


def open_budget_rows(
    municipality: Area | None = None, district: Area | None = None
) -> Iterator[dict[str, Any]]:
    """One row per district budget of adopted frameworks: amounts and balances, no names of
    people."""
    budgets = (
        DistrictBudget.objects.filter(framework__status=BudgetFramework.Status.ADOPTED)
        .select_related("framework__municipality", "district", "account")
        .order_by("framework_id", "year", "district__code")
    )
    if municipality is not None:
        budgets = budgets.filter(framework__municipality=municipality)
    if district is not None:
        budgets = budgets.filter(district=district)
    budgets_list = list(budgets)
    found = ledger.balances([b.account for b in budgets_list if b.account])
    for b in budgets_list:
        yield {
            "framework_id": b.framework_id,
            "framework": b.framework.name,
            "municipality_code": b.framework.municipality.code,
            "district_code": b.district.code,
            "district": b.district.name,
            "year": b.year,
            "amount_cents": b.amount_cents,
            "reserve_cents": found.get(b.account, 0) if b.account else 0,
            "inhabitants": b.inhabitants,
            "weight": str(Decimal(b.weight_ppm) / Decimal(1_000_000)),
        }


def open_line_rows(
    municipality: Area | None = None, district: Area | None = None
) -> Iterator[dict[str, Any]]:
    lines = (
        BudgetLine.objects.filter(district_budget__framework__status=BudgetFramework.Status.ADOPTED)
        .select_related(
            "district_budget__framework__municipality",
            "district_budget__district",
            "theme",
            "account",
        )
        .order_by(
            "district_budget__framework_id",
            "district_budget__year",
            "district_budget__district__code",
            "-is_support",
            "theme__position",
        )
    )
    if municipality is not None:
        lines = lines.filter(district_budget__framework__municipality=municipality)
    if district is not None:
        lines = lines.filter(district_budget__district=district)
    lines_list = list(lines)
    found = ledger.balances([line.account for line in lines_list if line.account])
    committed: dict[int, int] = defaultdict(int)
    for row in (
        CommitmentYear.objects.filter(line__in=lines_list, reversal_transaction_id=None)
        .values("line_id")
        .annotate(total=Sum("amount_cents"))
    ):
        committed[row["line_id"]] = int(row["total"] or 0)
    for line in lines_list:
        budget = line.district_budget
        balance = found.get(line.account, 0) if line.account else 0
        yield {
            "line_id": line.pk,
            "framework_id": budget.framework_id,
            "municipality_code": budget.framework.municipality.code,
            "district_code": budget.district.code,
            "year": budget.year,
            "line": line.label,
            "organisational_support": line.is_support,
            "allocated_cents": line.amount_cents,
            "committed_cents": committed[line.pk],
            "other_spent_cents": line.amount_cents - balance - committed[line.pk],
            "balance_cents": balance,
        }


@dataclass(frozen=True)
class AccountInfo:
    role: str
    framework_id: int
    district_code: str = ""
    year: int | None = None
    line_id: int | None = None
    organisation: str = ""
    drawing_right_id: int | None = None
    owner_id: str = ""


def _scope_account_ids(frameworks: Sequence[BudgetFramework], district: Area | None) -> list[int]:
    """The ledger accounts that belong to the frameworks (to one district of them, if given):
    a transaction is in the open data when it touches one of these."""
    ids = [f.pk for f in frameworks]
    budgets = DistrictBudget.objects.filter(framework_id__in=ids)
    lines = BudgetLine.objects.filter(district_budget__framework_id__in=ids)
    commitments = Commitment.objects.filter(line__district_budget__framework_id__in=ids)
    rights = DrawingRight.objects.filter(line__district_budget__framework_id__in=ids)
    if district is not None:
        budgets = budgets.filter(district=district)
        lines = lines.filter(district_budget__district=district)
        commitments = commitments.filter(line__district_budget__district=district)
        rights = rights.filter(line__district_budget__district=district)
    owned = Q(
        owner_type=ContentType.objects.get_for_model(DrawingRight),
        owner_id__in=rights.annotate(text_pk=Cast("pk", CharField())).values("text_pk"),
    )
    if district is None:
        owned |= Q(
            owner_type=ContentType.objects.get_for_model(BudgetFramework),
            owner_id__in=[str(i) for i in ids],
        ) | Q(
            owner_type=ContentType.objects.get_for_model(SourceAmount),
            owner_id__in=SourceAmount.objects.filter(source__framework_id__in=ids)
            .annotate(text_pk=Cast("pk", CharField()))
            .values("text_pk"),
        )
    found = set(Account.objects.filter(owned).values_list("pk", flat=True))
    for queryset in (budgets, lines, commitments):
        found.update(queryset.exclude(account=None).values_list("account_id", flat=True))
    return sorted(found)


def _describe_accounts(account_ids: Sequence[int]) -> dict[int, AccountInfo]:
    """What each ledger account is, without names of people: organisations are named; groups,
    drawing rights and accounts of other apps (e.g. an initiative's) only by number; a
    person's account (a freelancer's hours) has neither name nor number."""
    accounts = list(
        Account.objects.filter(pk__in=list(account_ids)).only(
            "pk", "owner_type_id", "owner_id", "purpose"
        )
    )
    by_type: dict[int, list[Account]] = defaultdict(list)
    for account in accounts:
        by_type[account.owner_type_id].append(account)

    def owners(model: type[Any], type_accounts: list[Account], *related: str) -> dict[str, Any]:
        pks = {a.owner_id for a in type_accounts}
        found = model._default_manager.filter(pk__in=list(pks)).select_related(*related)
        return {str(obj.pk): obj for obj in found}

    info: dict[int, AccountInfo] = {}
    for type_id, type_accounts in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is DistrictBudget:
            budgets = owners(DistrictBudget, type_accounts, "district")
            for a in type_accounts:
                b = budgets[a.owner_id]
                info[a.pk] = AccountInfo("district_budget", b.framework_id, b.district.code, b.year)
        elif model is BudgetLine:
            lines = owners(BudgetLine, type_accounts, "district_budget__district")
            for a in type_accounts:
                db = lines[a.owner_id].district_budget
                info[a.pk] = AccountInfo(
                    "line", db.framework_id, db.district.code, db.year, int(a.owner_id)
                )
        elif model is Commitment:
            found = owners(
                Commitment, type_accounts, "organisation", "line__district_budget__district"
            )
            for a in type_accounts:
                c = found[a.owner_id]
                db = c.line.district_budget
                info[a.pk] = AccountInfo(
                    "commitment",
                    db.framework_id,
                    db.district.code,
                    None,
                    c.line_id,
                    c.organisation.name,
                )
        elif model is DrawingRight:
            rights = owners(DrawingRight, type_accounts, "line__district_budget__district")
            roles = {"hours": "drawing_right", "hours-used": "hours_used"}
            for a in type_accounts:
                r = rights[a.owner_id]
                db = r.line.district_budget
                info[a.pk] = AccountInfo(
                    roles.get(a.purpose, "hours_lapsed"),
                    db.framework_id,
                    db.district.code,
                    r.year,
                    r.line_id,
                    "",
                    r.pk,
                )
        elif model is BudgetFramework:
            for a in type_accounts:
                year = int(a.purpose.split("-")[-1]) if a.purpose.startswith("fund-") else None
                info[a.pk] = AccountInfo("municipal_fund", int(a.owner_id), "", year)
        elif model is SourceAmount:
            amounts = owners(SourceAmount, type_accounts, "source")
            for a in type_accounts:
                amount = amounts[a.owner_id]
                info[a.pk] = AccountInfo(
                    "source", amount.source.framework_id, "", amount.year, None, amount.source.name
                )
        elif model is Organisation:
            names = {k: o.name for k, o in owners(Organisation, type_accounts).items()}
            for a in type_accounts:
                role = "provider" if a.purpose == "hours-provided" else "organisation"
                info[a.pk] = AccountInfo(role, 0, organisation=names.get(a.owner_id, ""))
        elif model is None or issubclass(model, User):
            # A person (e.g. a freelancer's hours): no name and no number.
            for a in type_accounts:
                role = "provider" if a.purpose == "hours-provided" else "person"
                info[a.pk] = AccountInfo(role, 0)
        else:
            # An account of another app (an initiative's grants): what it is and its number.
            for a in type_accounts:
                info[a.pk] = AccountInfo(model._meta.model_name or "other", 0, owner_id=a.owner_id)
    return info


def open_transaction_rows(
    municipality: Area | None = None, district: Area | None = None
) -> Iterator[dict[str, Any]]:
    """One row per ledger entry of every transaction that touches an account of the adopted
    frameworks (of one district, if given): transaction number, date, kind, unit, amount and
    what the account is. Every leg of such a transaction is listed (also the other district
    budgets of an allocation, the provider's hours, an initiative that received a grant), so
    each transaction adds up to zero. Never descriptions or who acted."""
    frameworks = BudgetFramework.objects.filter(status=BudgetFramework.Status.ADOPTED)
    if municipality is not None:
        frameworks = frameworks.filter(municipality=municipality)
    if district is not None:
        frameworks = frameworks.filter(municipality_id=district.municipality_id)
    scoped = _scope_account_ids(list(frameworks), district)
    if not scoped:
        return
    touching = Entry.objects.filter(account_id__in=scoped).values("transaction_id")
    legs = Entry.objects.filter(transaction_id__in=touching)
    info = _describe_accounts(list(legs.values_list("account_id", flat=True).distinct()))
    entries = (
        legs.select_related("transaction")
        .order_by("transaction_id", "id")
        .values_list(
            "transaction_id",
            "transaction__created_at",
            "transaction__kind",
            "transaction__unit",
            "transaction__reversal_of_id",
            "account_id",
            "amount",
        )
    )
    for txn_id, created_at, kind, unit, reversal_of, account_id, amount in entries.iterator(
        chunk_size=5000
    ):
        account = info[account_id]
        yield {
            "transaction_id": txn_id,
            "date": created_at.date().isoformat(),
            "kind": kind,
            "unit": unit,
            "amount": amount,
            "account": account.role,
            "framework_id": account.framework_id or None,
            "district_code": account.district_code,
            "year": account.year,
            "line_id": account.line_id,
            "organisation": account.organisation,
            "drawing_right_id": account.drawing_right_id,
            "owner_id": account.owner_id,
            "reversal_of": reversal_of,
        }
