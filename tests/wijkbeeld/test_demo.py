from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from buurtbasis.agenda.models import Agenda, BuurtTop, Framework, GoalBudgetLine, Registration
from buurtbasis.core import demo
from buurtbasis.places.models import Place
from buurtbasis.wijkbeeld.demo import load_demo_wijkbeeld
from buurtbasis.wijkbeeld.models import Comment, KeyPerson, PartVersion
from tests.places.helpers import pdf_text

pytestmark = pytest.mark.django_db


def test_demo_builds_everything_once(client: Client, tmp_path: Path) -> None:
    loaded = demo.load()
    municipality = loaded.municipality
    assert municipality is not None
    wijkbeeld = load_demo_wijkbeeld(municipality)
    assert wijkbeeld is not None and wijkbeeld.area.level == "WK"
    assert Place.objects.count() >= 9
    assert wijkbeeld.parts.count() >= 7
    assert PartVersion.objects.filter(number=2).exists()
    assert Comment.objects.filter(round__is_open=False).count() == 3
    assert Comment.objects.filter(channel="paper").count() == 1
    assert KeyPerson.objects.count() == 2
    assert Framework.objects.get().is_adopted
    top = BuurtTop.objects.get()
    assert top.status == "held" and top.groups.count() == 3
    assert Registration.objects.filter(channel__in=["paper", "phone"]).count() == 2
    agenda = Agenda.objects.get()
    assert agenda.is_published and agenda.goals.count() == 4
    # Money traced to the agenda: this year's budget lines of the district pay for the goals.
    links = GoalBudgetLine.objects.select_related("goal__public_value", "budget_line__theme")
    assert links.count() == 4
    for link in links:
        line = link.budget_line
        assert line.district_budget.district_id == agenda.area_id
        assert (
            line.is_support
            if link.goal.residents_own
            else line.theme.name == link.goal.public_value.name
        )
    # Idempotent.
    assert load_demo_wijkbeeld(municipality) == wijkbeeld
    assert Place.objects.count() == 9
    # A resident without an account reads the printed card of a neighbourhood.
    neighbourhood = wijkbeeld.area.children.order_by("code").first()
    card = client.get(reverse("places:card", args=[neighbourhood.code]))
    text = pdf_text(card.content, tmp_path)
    assert "Wat is er te doen in de buurt?" in text and "0343 123 456" in text
    for url in (
        reverse("wijkbeeld:detail", args=[wijkbeeld.area.code]),
        reverse("places:area", args=[wijkbeeld.area.code]),
        reverse("agenda:framework", args=[municipality.code]),
        top.get_absolute_url(),
        agenda.get_absolute_url(),
    ):
        assert client.get(url).status_code == 200, url
    assert "Geld voor dit doel" in client.get(agenda.get_absolute_url()).content.decode()
