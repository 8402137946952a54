"""Reading frameworks, BuurtTops and agendas for pages, print and the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, QuerySet

from buurtbasis.areas.models import Area

from .models import (
    Agenda,
    AgendaAction,
    AgendaGoal,
    BuurtTop,
    Framework,
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
    return ordered


def goals_for_area(area: Area) -> QuerySet[AgendaGoal]:
    """Goals of the published agendas of an area (for budget lines to point to)."""
    return AgendaGoal.objects.filter(
        agenda__area=area, agenda__status=Agenda.Status.PUBLISHED
    ).select_related("agenda", "public_value")


def goal_as_dict(goal: AgendaGoal) -> dict[str, Any]:
    return {
        "id": goal.pk,
        "agenda": goal.agenda_id,
        "title": goal.title,
        "description": goal.description,
        "horizon_years": goal.horizon_years,
        "target_year": goal.target_year,
        "public_value": goal.public_value.name if goal.public_value else None,
        "residents_own": goal.residents_own,
    }
