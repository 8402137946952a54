"""The write paths of the agenda pages: as the right role a POST changes things; as a wrong
role it is refused; bad input gives an error and changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from buurtbasis.accounts.models import Role
from buurtbasis.agenda import services
from buurtbasis.agenda.models import AgendaAction, BuurtTop, WorkingGroup
from tests.places.helpers import Town, person

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_create_buurttop_page(client: Client, town: Town) -> None:
    worker = person(town.wk, Role.PROFESSIONAL)
    resident = person(town.bu, Role.RESIDENT)
    url = reverse("agenda:area", args=[town.wk.code])
    good = {"title": "BuurtTop Oostwijk", "kind": "summit", "held_on": TODAY.isoformat()}
    client.force_login(resident)
    assert client.post(url, good).status_code == 403
    assert not BuurtTop.objects.exists()
    client.force_login(worker)
    bad = client.post(url, {**good, "title": " "})
    assert bad.status_code == 200 and "Geef de BuurtTop een titel." in bad.content.decode()
    no_date = client.post(url, {**good, "held_on": ""})
    assert "Vul de datum van de BuurtTop in." in no_date.content.decode()
    assert not BuurtTop.objects.exists()
    response = client.post(url, {**good, "location": "Sporthal"})
    top = BuurtTop.objects.get()
    assert response.status_code == 302 and response["Location"] == top.get_absolute_url()
    assert (top.title, top.location, top.area, top.organiser) == (
        "BuurtTop Oostwijk",
        "Sporthal",
        town.wk,
        worker,
    )


def test_buurttop_edit_page(client: Client, town: Town) -> None:
    worker = person(town.wk, Role.PROFESSIONAL)
    top = services.create_buurttop(worker, town.wk, {"title": "BuurtTop", "held_on": TODAY})
    url = reverse("agenda:buurttop_edit", args=[top.pk])
    good = {"title": "BuurtTop Oostwijk 2026", "kind": "yearly_day", "held_on": "2026-06-13"}
    client.force_login(person(town.bu, Role.RESIDENT))
    assert client.get(url).status_code == 403
    assert client.post(url, good).status_code == 403
    top.refresh_from_db()
    assert top.title == "BuurtTop"
    client.force_login(worker)
    bad = client.post(url, {**good, "title": ""})
    assert "Geef de BuurtTop een titel." in bad.content.decode()
    top.refresh_from_db()
    assert top.title == "BuurtTop" and top.kind == "summit"
    assert client.post(url, good).status_code == 302
    top.refresh_from_db()
    assert (top.title, top.kind, top.held_on.isoformat()) == (
        "BuurtTop Oostwijk 2026",
        "yearly_day",
        "2026-06-13",
    )


def test_create_working_group_page(client: Client, town: Town) -> None:
    worker = person(town.wk, Role.PROFESSIONAL)
    top = services.create_buurttop(worker, town.wk, {"title": "BuurtTop", "held_on": TODAY})
    url = reverse("agenda:group_add", args=["buurttop", top.pk])
    client.force_login(person(town.bu, Role.RESIDENT))
    assert client.post(url, {"name": "Groen"}).status_code == 403
    assert not WorkingGroup.objects.exists()
    client.force_login(worker)
    bad = client.post(url, {"name": "", "theme": "groen"})
    assert "Geef de werkgroep een naam." in bad.content.decode()
    assert not WorkingGroup.objects.exists()
    response = client.post(url, {"name": "Werkgroep Groen", "theme": "groen", "purpose": "Daken"})
    group = WorkingGroup.objects.get()
    assert response.status_code == 302 and response["Location"] == group.get_absolute_url()
    assert (group.buurttop, group.theme, group.created_by) == (top, "groen", worker)


def _agenda_with_goal(town: Town):  # type: ignore[no-untyped-def]
    worker = person(town.wk, Role.PROFESSIONAL)
    agenda = services.create_agenda(worker, town.wk, {"title": "Oostwijk 2035"})
    goal = services.add_goal(
        worker, agenda, {"title": "Buurtfeest", "horizon_years": 5, "residents_own": True}
    )
    action = services.add_action(worker, goal, {"title": "Feest in september"})
    return worker, agenda, goal, action


def test_goal_edit_page(client: Client, town: Town) -> None:
    worker, agenda, goal, _action = _agenda_with_goal(town)
    url = reverse("agenda:goal_edit", args=[agenda.pk, goal.pk])
    good = {"title": "Twee buurtfeesten", "horizon_years": "10", "residents_own": "on"}
    client.force_login(person(town.bu, Role.RESIDENT))
    assert client.post(url, good).status_code == 403
    client.force_login(worker)
    bad = client.post(url, {**good, "horizon_years": ""})
    assert "Kies waar we over 5 of over 10 jaar willen staan." in bad.content.decode()
    assert client.post(url, {**good, "horizon_years": "7"}).context["form"].errors
    assert "Beschrijf het doel." in client.post(url, {**good, "title": ""}).content.decode()
    goal.refresh_from_db()
    assert (goal.title, goal.horizon_years) == ("Buurtfeest", 5)
    response = client.post(url, good)
    assert response.status_code == 302
    goal.refresh_from_db()
    assert (goal.title, goal.horizon_years) == ("Twee buurtfeesten", 10)


def test_action_status_page(client: Client, town: Town) -> None:
    worker, _agenda, _goal, action = _agenda_with_goal(town)
    url = reverse("agenda:action_status", args=[action.pk])
    client.force_login(person(town.bu, Role.RESIDENT))
    assert client.post(url, {"status": "done"}).status_code == 403
    action.refresh_from_db()
    assert action.status == AgendaAction.Status.PLANNED
    client.force_login(worker)
    assert client.get(url).status_code == 405
    bad = client.post(url, {"status": "bijna"}, follow=True)
    assert "Kies hoe het ervoor staat." in bad.content.decode()
    action.refresh_from_db()
    assert action.status == AgendaAction.Status.PLANNED
    client.post(url, {"status": "running"})
    action.refresh_from_db()
    assert action.status == AgendaAction.Status.RUNNING


def test_public_values_are_shared_with_the_budget_themes(town: Town) -> None:
    """A new framework takes its public values from the budgets' themes of the municipality
    (agenda/services.py ``budget_theme_names``), not the five default values."""
    from buurtbasis.budgets import services as budgets

    clerk = person(town.gm, Role.CIVIL_SERVANT)
    budget_framework = budgets.create_framework(
        town.gm, actor=clerk, name="Wijkbudgetten", start_year=2026, end_year=2029
    )
    themes = list(budget_framework.themes.order_by("position"))
    budgets.set_themes(
        budget_framework,
        [budgets.ThemeInput(name="Groen en schoon", share_bp=1500, pk=themes[0].pk)]
        + [budgets.ThemeInput(name=t.name, share_bp=t.share_bp, pk=t.pk) for t in themes[1:]],
        actor=clerk,
    )
    expected = list(budget_framework.themes.order_by("position").values_list("name", flat=True))
    assert expected[0] == "Groen en schoon"
    assert services.budget_theme_names(town.gm) == expected
    framework = services.get_or_create_framework(clerk, town.gm)
    assert list(framework.public_values.values_list("name", flat=True)) == expected
    # Without budget themes the five values of the seed text are used (another municipality).
    other = type(town.gm).objects.create(code="GM9903", level="GM", name="Elders")
    other.municipality = other
    other.save()
    assert services.budget_theme_names(other) == []
    admin = person(other, Role.ADMINISTRATOR)
    values = services.get_or_create_framework(admin, other).public_values.all()
    assert [v.name for v in values][:2] == ["Duurzaamheid", "Leefbaarheid"]
