"""Every page of places, the wijkbeeld, the framework, the BuurtTop and the agenda passes axe
(no serious or critical violations), anonymous and signed in; and a resident reacts on the
wijkbeeld in the browser, without JavaScript being needed."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.browser_support import Violation, log_in, serious_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def wijk_demo(transactional_db: None) -> dict[str, Any]:
    from buurtbasis.agenda.models import Agenda, BuurtTop, WorkingGroup
    from buurtbasis.core import demo as demo_data
    from buurtbasis.places.models import Place
    from buurtbasis.wijkbeeld.demo import load_demo_wijkbeeld
    from buurtbasis.wijkbeeld.models import ConversationRound, Part

    # Only the demo steps this needs (areas, figures, people): no money is posted, so the live
    # server's database can be flushed afterwards (the ledger refuses deletes).
    loaded = demo_data.Demo()
    for step in (demo_data.load_areas, demo_data.load_statistics, demo_data.load_people):
        step(loaded)
    municipality = loaded.municipality
    assert municipality is not None
    wijkbeeld = load_demo_wijkbeeld(municipality)
    assert wijkbeeld is not None
    district = wijkbeeld.area
    neighbourhood = district.children.order_by("code").first()
    assert neighbourhood is not None
    top = BuurtTop.objects.get()
    agenda = Agenda.objects.get()
    part = Part.objects.filter(wijkbeeld=wijkbeeld, version__gt=1).first()
    assert part is not None
    urls = [
        reverse("places:area", args=[district.code]),
        reverse("places:area", args=[neighbourhood.code]),
        reverse("places:area", args=[municipality.code]),
        Place.objects.filter(area=neighbourhood).first().get_absolute_url(),  # type: ignore[union-attr]
        reverse("wijkbeeld:index"),
        reverse("wijkbeeld:detail", args=[district.code]),
        reverse("wijkbeeld:part_history", args=[part.pk]),
        reverse("wijkbeeld:changes", args=[district.code]),
        reverse("wijkbeeld:round", args=[ConversationRound.objects.first().pk]),  # type: ignore[union-attr]
        reverse("agenda:index"),
        reverse("agenda:framework", args=[municipality.code]),
        reverse("agenda:area", args=[district.code]),
        top.get_absolute_url(),
        reverse("agenda:briefing", args=[top.pk]),
        WorkingGroup.objects.first().get_absolute_url(),  # type: ignore[union-attr]
        agenda.get_absolute_url(),
    ]
    signed_in = [
        reverse("places:create", args=[district.code]),
        reverse("places:contact", args=[district.code]),
        reverse("wijkbeeld:part_add", args=[district.code]),
        reverse("wijkbeeld:part_edit", args=[part.pk]),
        reverse("wijkbeeld:rounds", args=[district.code]),
        reverse("wijkbeeld:presence_add", args=[district.code]),
        reverse("wijkbeeld:key_person_add", args=[district.code]),
        reverse("wijkbeeld:key_person_consent", args=[district.code]),
        reverse("agenda:registrations", args=[top.pk]),
        reverse("agenda:buurttop_outcomes", args=[top.pk]),
        reverse("agenda:goal_add", args=[agenda.pk]),
        reverse("agenda:goal_edit", args=[agenda.pk, agenda.goals.first().pk]),  # type: ignore[union-attr]
        reverse("agenda:review_add", args=[agenda.goals.first().pk]),  # type: ignore[union-attr]
        reverse("agenda:create", args=[district.code]),
    ]
    return {"urls": urls, "signed_in": signed_in, "district": district.code}


def check(page: Any, base: str, urls: list[str]) -> list[Violation]:
    problems: list[Violation] = []
    for url in urls:
        response = page.goto(base + url)
        assert response is not None and response.status == 200, (url, response)
        problems.extend(serious_violations(page, url))
    return problems


def test_pages_pass_axe(page: Any, live_server: Any, wijk_demo: dict[str, Any]) -> None:
    from buurtbasis.core import demo as demo_data

    base = live_server.url
    problems = check(page, base, wijk_demo["urls"])
    professional = next(p for p in demo_data.PEOPLE if p.key == "professional")
    log_in(page, base, professional.email, demo_data.DEMO_PASSWORD)
    problems += check(page, base, wijk_demo["urls"] + wijk_demo["signed_in"])
    assert not problems, "\n".join(str(p) for p in problems)


def test_resident_reacts_without_javascript(
    browser: Any, live_server: Any, wijk_demo: dict[str, Any]
) -> None:
    from buurtbasis.core import demo as demo_data
    from buurtbasis.wijkbeeld.models import Comment

    context = browser.new_context(locale="nl-NL", java_script_enabled=False)
    page = context.new_page()
    resident = next(p for p in demo_data.PEOPLE if p.key == "resident")
    page.goto(live_server.url + "/account/inloggen/")
    main = page.locator("main")
    main.get_by_label("E-mailadres").fill(resident.email)
    main.get_by_label("Wachtwoord").fill(demo_data.DEMO_PASSWORD)
    main.get_by_role("button", name="Inloggen").click()
    page.goto(live_server.url + reverse("wijkbeeld:detail", args=[wijk_demo["district"]]))
    form = page.locator("form.comment-form").first
    form.locator("textarea").fill("Zet er een bankje bij de speeltuin!")
    form.get_by_role("button", name="Reageer").click()
    page.wait_for_load_state()
    assert "Dank u wel voor uw reactie." in page.content()
    assert Comment.objects.filter(body="Zet er een bankje bij de speeltuin!").exists()
    context.close()
