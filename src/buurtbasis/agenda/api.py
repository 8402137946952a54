"""``/api/v1/agenda/``: goals of the published wijktoekomstagenda's (public)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.responses import Status

from buurtbasis.areas.models import Area

from . import selectors
from .models import Agenda, AgendaGoal

router = Router(tags=["agenda"])


class ErrorOut(Schema):
    error: str


class GoalLineOut(Schema):
    line_id: int
    year: int
    line: str = Field(..., description="Het thema van de budgetregel, of de ondersteuning.")
    district_code: str
    allocated_cents: int = Field(..., description="Begroot, in centen.")
    committed_cents: int = Field(..., description="Toegezegd aan organisaties, in centen.")
    other_spent_cents: int = Field(..., description="Andere uitgaven, in centen.")
    balance_cents: int = Field(..., description="Nog beschikbaar, in centen.")


class GoalOut(Schema):
    id: int
    agenda: int
    title: str
    description: str
    horizon_years: int = Field(..., description="5 of 10 jaar.")
    target_year: int
    public_value: str | None = Field(..., description="De publieke waarde, of leeg.")
    residents_own: bool = Field(..., description="Een eigen doel van de bewoners.")
    budget_lines: list[GoalLineOut] = Field(
        ..., description="De budgetregels van het wijkbudget die aan dit doel meebetalen."
    )


@router.get(
    "/goals",
    response={200: list[GoalOut], 404: ErrorOut},
    summary="Doelen in een gebied",
    description="De doelen van de gepubliceerde toekomstagenda's van een wijk of buurt.",
)
def goals_in_area(request: HttpRequest, area: str) -> object:
    found = Area.objects.filter(code=area.strip().upper()).first()
    if found is None:
        return Status(404, {"error": _("Gebied %(code)s bestaat niet.") % {"code": area}})
    return _with_money(list(selectors.goals_for_area(found)))


@router.get("/{agenda_id}/goals", response={200: list[GoalOut], 404: ErrorOut}, summary="Doelen")
def agenda_goals(request: HttpRequest, agenda_id: int) -> object:
    agenda = Agenda.objects.filter(pk=agenda_id, status=Agenda.Status.PUBLISHED).first()
    if agenda is None:
        return Status(404, {"error": _("Deze agenda bestaat niet of is nog niet gepubliceerd.")})
    return _with_money(list(agenda.goals.select_related("agenda", "public_value")))


def _with_money(goals: list[AgendaGoal]) -> list[dict[str, object]]:
    money = selectors.money_for_goals(goals)
    return [selectors.goal_as_dict(g, money.get(g.pk)) for g in goals]
