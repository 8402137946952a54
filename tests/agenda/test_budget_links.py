"""Budget lines point to agenda goals, so money can be traced to the agenda (issue 5, §5).

The link lives in ``agenda`` (``GoalBudgetLine``) because ``budgets`` sits below it; the budget
line page shows the goals through a panel registered by ``agenda`` (``core.navigation``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from buurtbasis.agenda import selectors, services
from buurtbasis.agenda.models import Agenda, AgendaGoal, GoalBudgetLine
from buurtbasis.budgets import services as budget_services
from buurtbasis.budgets.models import BudgetFramework, BudgetLine
from buurtbasis.core.models import AuditEvent
from tests.budgets.conftest import (  # noqa: F401  (fixtures of the budget tests)
    YEARS,
    People,
    Town,
    adopted,
    draft,
    people,
    town,
)
from tests.places.helpers import pdf_text

pytestmark = pytest.mark.django_db

NOORD = "WK999902"


def _agenda(where: Town, who: People, *, publish: bool = True) -> tuple[Agenda, AgendaGoal]:
    fw = services.get_or_create_framework(who.official, where.municipality)
    value = fw.public_values.order_by("position").first()
    agenda = services.create_agenda(
        who.official,
        where.districts[NOORD],
        {"title": "Noord 2035", "vision": "Groen en samen.", "start_year": YEARS[0]},
    )
    goal = services.add_goal(
        who.official,
        agenda,
        {"title": "Groene daken en straten", "horizon_years": 10, "public_value": value},
    )
    if publish:
        services.publish_agenda(who.official, agenda)
    return agenda, goal


def _line(framework: BudgetFramework, district_code: str, year: int) -> BudgetLine:
    return (
        BudgetLine.objects.filter(
            district_budget__framework=framework,
            district_budget__district__code=district_code,
            district_budget__year=year,
            is_support=False,
        )
        .order_by("theme__position")
        .first()
    )  # type: ignore[return-value]


def test_link_service_rules_and_money(
    town: Town,  # noqa: F811
    people: People,  # noqa: F811
    adopted: BudgetFramework,  # noqa: F811
) -> None:
    _agenda_obj, goal = _agenda(town, people)
    line = _line(adopted, NOORD, YEARS[0])
    other_district_line = _line(adopted, "WK999901", YEARS[0])
    # Who may edit the district budget links; a professional may not (nothing changes).
    with pytest.raises(PermissionDenied):
        services.link_budget_line(people.professional, goal, line)
    with pytest.raises(PermissionDenied):
        services.link_budget_line(people.council, goal, line)
    # A line of another district, or none at all, is refused with a clear message.
    for bad in (other_district_line, None):
        with pytest.raises(ValidationError) as info:
            services.link_budget_line(people.official, goal, bad)
        assert "vastgesteld wijkbudget van deze wijk" in " ".join(info.value.messages)
    assert not GoalBudgetLine.objects.exists()

    services.link_budget_line(people.official, goal, line)
    services.link_budget_line(people.admin, goal, line)  # twice: still one link
    assert GoalBudgetLine.objects.filter(goal=goal, budget_line=line).count() == 1
    assert AuditEvent.objects.filter(action="agenda.link_budget_line").count() == 1

    # The amounts come from the budgets' public selector (the ledger's balances).
    budget_services.create_commitment(
        line, people.welfare, 100_000, actor=people.official, description="Opbouwwerk"
    )
    [money] = selectors.money_for_goals([goal])[goal.pk]
    assert money.line_id == line.pk and money.year == YEARS[0]
    assert money.allocated == line.amount_cents > 0
    assert money.committed == 100_000
    assert money.balance == line.amount_cents - 100_000
    assert money.spent == 100_000 and money.other_spent == 0

    with pytest.raises(PermissionDenied):
        services.unlink_budget_line(people.resident, goal, line)
    services.unlink_budget_line(people.official, goal, line)
    assert not GoalBudgetLine.objects.exists()
    with pytest.raises(ValidationError):
        services.unlink_budget_line(people.official, goal, line)
    assert AuditEvent.objects.filter(action="agenda.unlink_budget_line").count() == 1


def test_lines_of_a_draft_budget_cannot_be_linked(
    town: Town,  # noqa: F811
    people: People,  # noqa: F811
    draft: BudgetFramework,  # noqa: F811
) -> None:
    _agenda_obj, goal = _agenda(town, people)
    assert not services.budget_lines_for_goal(goal).exists()
    line = BudgetLine.objects.filter(district_budget__framework=draft).first()
    if line is not None:
        with pytest.raises(ValidationError):
            services.link_budget_line(people.official, goal, line)
    assert not GoalBudgetLine.objects.exists()


def test_pages_api_and_pdf_show_the_money(
    client: Client,
    town: Town,  # noqa: F811
    people: People,  # noqa: F811
    adopted: BudgetFramework,  # noqa: F811
    tmp_path: Path,
) -> None:
    agenda, goal = _agenda(town, people)
    line = _line(adopted, NOORD, YEARS[0])
    edit_url = reverse("agenda:goal_edit", args=[agenda.pk, goal.pk])
    link_url = reverse("agenda:goal_budget", args=[goal.pk])

    # A professional edits the goal but does not see the form and may not link.
    client.force_login(people.professional)
    response = client.post(link_url, {"line": line.pk})
    assert response.status_code == 403
    assert not GoalBudgetLine.objects.exists()

    # The civil servant sees the lines of the district's adopted budgets on the goal page.
    client.force_login(people.official)
    page = client.get(edit_url).content.decode()
    assert "Geld voor dit doel" in page and f'value="{line.pk}"' in page
    assert f"Noord {YEARS[0]} — {line.label}" in page
    # Bad input: a line of another district gives an error and changes nothing.
    other = _line(adopted, "WK999901", YEARS[0])
    response = client.post(link_url, {"line": other.pk}, follow=True)
    assert "Kies een budgetregel uit een vastgesteld wijkbudget" in response.content.decode()
    assert not GoalBudgetLine.objects.exists()
    response = client.post(link_url, {"line": line.pk})
    assert response.status_code == 302 and response["Location"] == edit_url
    assert GoalBudgetLine.objects.filter(goal=goal, budget_line=line).exists()
    page = client.get(edit_url).content.decode()
    assert "Ontkoppelen" in page and line.get_absolute_url() in page

    # The public agenda page: money for this goal, with the amounts.
    client.logout()
    page = client.get(agenda.get_absolute_url()).content.decode()
    assert "Geld voor dit doel" in page and line.get_absolute_url() in page
    assert "Nog beschikbaar" in page
    # The budget line page shows the goals it serves (budgets does not import agenda).
    page = client.get(line.get_absolute_url()).content.decode()
    assert "Voor deze doelen van de wijkagenda" in page
    assert goal.title in page and goal.get_absolute_url() in page
    # The API: goal -> budget lines with the amounts in cents.
    data = client.get(f"/api/v1/agenda/goals?area={NOORD}").json()
    assert data[0]["budget_lines"] == [
        {
            "line_id": line.pk,
            "year": YEARS[0],
            "line": line.label,
            "district_code": NOORD,
            "allocated_cents": line.amount_cents,
            "committed_cents": 0,
            "other_spent_cents": 0,
            "balance_cents": line.amount_cents,
        }
    ]
    assert client.get(f"/api/v1/agenda/{agenda.pk}/goals").json()[0]["budget_lines"]
    # The PDF mentions the money too.
    text = pdf_text(client.get(reverse("agenda:pdf", args=[agenda.pk])).content, tmp_path)
    assert "Geld uit het wijkbudget" in text and "begroot" in text

    # Unlinking through the page.
    client.force_login(people.official)
    client.post(link_url, {"unlink": line.pk})
    assert not GoalBudgetLine.objects.exists()
    page = client.get(line.get_absolute_url()).content.decode()
    assert "Voor deze doelen van de wijkagenda" not in page


def test_budget_line_page_hides_goals_of_draft_agendas(
    client: Client,
    town: Town,  # noqa: F811
    people: People,  # noqa: F811
    adopted: BudgetFramework,  # noqa: F811
) -> None:
    _agenda_obj, goal = _agenda(town, people, publish=False)
    line = _line(adopted, NOORD, YEARS[0])
    services.link_budget_line(people.official, goal, line)
    page = client.get(line.get_absolute_url()).content.decode()
    assert goal.title not in page


def test_permission_table(
    town: Town,  # noqa: F811
    people: People,  # noqa: F811
    adopted: BudgetFramework,  # noqa: F811
) -> None:
    _agenda_obj, goal = _agenda(town, people)
    allowed = {people.official, people.admin}
    for user in (
        people.official,
        people.admin,
        people.council,
        people.resident,
        people.professional,
        people.outsider,
        people.other_official,
    ):
        assert user.has_perm("agenda.link_budget_line", goal) is (user in allowed)
