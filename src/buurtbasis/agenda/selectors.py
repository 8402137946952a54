"""Reading frameworks, BuurtTops and agendas for pages, print and the API."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.urls import reverse

from buurtbasis.areas.models import Area

from .models import (
    Agenda,
    AgendaAction,
    AgendaGoal,
    BuurtTop,
    Framework,
    GoalBudgetLine,
    GoalReview,
    PublicValue,
    WorkingGroup,
)


def overview() -> dict[str, Any]:
    return {
        "frameworks": list(Framework.objects.select_related("municipality").order_by("title")),
        "tops": list(BuurtTop.objects.select_related("area").order_by("-held_on")[:50]),
        "agendas": list(
            Agenda.objects.filter(status=Agenda.Status.PUBLISHED)
            .select_related("area")
            .order_by("area__name")
        ),
    }


def groups_with_members(groups: QuerySet[WorkingGroup]) -> list[WorkingGroup]:
    return list(
        groups.select_related("public_value")
        .annotate(member_count=Count("members", distinct=True))
        .order_by("name", "pk")
    )


def agenda_groups(agenda: Agenda) -> list[WorkingGroup]:
    """The working groups of an agenda: its own follow-up groups and those of its BuurtTop."""
    qs = WorkingGroup.objects.filter(agenda=agenda)
    if agenda.buurttop_id:
        qs = qs | WorkingGroup.objects.filter(buurttop_id=agenda.buurttop_id)
    return groups_with_members(qs.distinct())


def goals(agenda: Agenda) -> QuerySet[AgendaGoal]:
    return agenda.goals.select_related("public_value").prefetch_related(
        Prefetch("actions", queryset=AgendaAction.objects.select_related("working_group")),
        Prefetch(
            "reviews", queryset=GoalReview.objects.select_related("buurttop").order_by("-year")
        ),
    )


@dataclass
class ValueGroup:
    value: PublicValue | None  # None: the residents' own goals
    goals: list[AgendaGoal]


def goals_by_value(agenda: Agenda) -> list[ValueGroup]:
    """Goals grouped under the municipality's public values (in the framework's order), the
    residents' own goals last."""
    by_value: dict[int | None, ValueGroup] = {}
    for goal in goals(agenda).order_by("public_value__position", "position", "pk"):
        key = goal.public_value_id if goal.public_value_id else None
        group = by_value.setdefault(key, ValueGroup(goal.public_value, []))
        group.goals.append(goal)
    ordered = [g for k, g in by_value.items() if k is not None]
    if None in by_value:
        ordered.append(by_value[None])
    attach_money(goal for group in ordered for goal in group.goals)
    return ordered


def goals_for_area(area: Area) -> QuerySet[AgendaGoal]:
    """Goals of the published agendas of an area (for budget lines to point to)."""
    return AgendaGoal.objects.filter(
        agenda__area=area, agenda__status=Agenda.Status.PUBLISHED
    ).select_related("agenda", "public_value")


@dataclass
class LineMoney:
    """A budget line linked to a goal, with its money as the budgets app reports it."""

    line_id: int
    year: int
    label: str
    district_code: str
    allocated: int
    committed: int
    other_spent: int
    balance: int

    @property
    def url(self) -> str:
        return reverse("budgets:line_detail", kwargs={"pk": self.line_id})

    @property
    def spent(self) -> int:
        return self.committed + self.other_spent

    def as_dict(self) -> dict[str, Any]:
        return {
            "line_id": self.line_id,
            "year": self.year,
            "line": self.label,
            "district_code": self.district_code,
            "allocated_cents": self.allocated,
            "committed_cents": self.committed,
            "other_spent_cents": self.other_spent,
            "balance_cents": self.balance,
        }


def money_for_goals(goals: Iterable[AgendaGoal]) -> dict[int, list[LineMoney]]:
    """Per goal id, the budget lines that pay for it with budgeted, committed, otherwise spent
    and remaining amounts. The amounts come from ``budgets.selectors.open_line_rows`` (which
    reads the ledger's balances): nothing is recomputed here. A fixed number of queries: one
    for the links, and when there are any, one for the districts and three per district."""
    from buurtbasis.budgets.selectors import open_line_rows

    goal_ids = [g.pk for g in goals]
    links = list(
        GoalBudgetLine.objects.filter(goal_id__in=goal_ids).values_list(
            "goal_id", "budget_line_id", "budget_line__district_budget__district_id"
        )
    )
    if not links:
        return {}
    rows: dict[int, dict[str, Any]] = {}
    for district in Area.objects.filter(pk__in={d for _g, _l, d in links}):
        for line_row in open_line_rows(district=district):
            rows[line_row["line_id"]] = line_row
    result: dict[int, list[LineMoney]] = {}
    for goal_id, line_id, _district in links:
        row = rows.get(line_id)
        if row is None:  # a line of a framework that is no longer adopted
            continue
        result.setdefault(goal_id, []).append(
            LineMoney(
                line_id=line_id,
                year=row["year"],
                label=row["line"],
                district_code=row["district_code"],
                allocated=row["allocated_cents"],
                committed=row["committed_cents"],
                other_spent=row["other_spent_cents"],
                balance=row["balance_cents"],
            )
        )
    for lines in result.values():
        lines.sort(key=lambda m: (m.year, m.label))
    return result


def attach_money(goal_list: Iterable[AgendaGoal]) -> None:
    """Set ``goal.money`` (a list of :class:`LineMoney`) on each goal, for templates."""
    goal_list = list(goal_list)
    money = money_for_goals(goal_list)
    for goal in goal_list:
        goal.money = money.get(goal.pk, [])  # type: ignore[attr-defined]


def goals_for_budget_line(line: Any) -> list[AgendaGoal]:
    """The goals of published agendas that a budget line pays for (for the budget line page)."""
    return list(
        AgendaGoal.objects.filter(
            budget_links__budget_line_id=line.pk, agenda__status=Agenda.Status.PUBLISHED
        )
        .select_related("agenda__area", "public_value")
        .order_by("agenda__title", "position", "pk")
    )


def budget_line_panel(line: Any, request: Any) -> dict[str, Any] | None:
    """Context of the "for which agenda goals" section on the budget line page (registered
    in ``AgendaConfig.ready`` with :func:`buurtbasis.core.navigation.register_panel`)."""
    found = goals_for_budget_line(line)
    return {"goals": found} if found else None


def goal_as_dict(goal: AgendaGoal, money: list[LineMoney] | None = None) -> dict[str, Any]:
    return {
        "id": goal.pk,
        "agenda": goal.agenda_id,
        "title": goal.title,
        "description": goal.description,
        "horizon_years": goal.horizon_years,
        "target_year": goal.target_year,
        "public_value": goal.public_value.name if goal.public_value else None,
        "residents_own": goal.residents_own,
        "budget_lines": [m.as_dict() for m in money or []],
    }
