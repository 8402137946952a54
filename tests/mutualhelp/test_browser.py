"""Neighbour-help pages in a real browser (Playwright + Debian's chromium) with axe-core: no
serious or critical accessibility problems, and the cupboard story works without JavaScript.

Marked ``browser``: skipped when chromium is absent (see tests/browser)."""

from __future__ import annotations

from typing import Any

import pytest

from buurtbasis.mutualhelp.demo import load_demo_mutualhelp
from tests.browser_support import Violation, log_in, serious_violations

from .conftest import PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def chromium(browser: Any) -> Any:
    """The one shared Playwright browser (tests/browser_support.py)."""
    return browser


def _check(page: Any, url: str, problems: list[Violation]) -> None:
    response = page.goto(url)
    assert response is not None and response.status < 400, f"{url}: {response.status}"
    problems.extend(serious_violations(page, url))


def test_pages_pass_axe_and_work_without_javascript(
    chromium: Any, live_server: Any, world: World
) -> None:
    from buurtbasis.core.demo import DEMO_PASSWORD

    story = load_demo_mutualhelp(world.gm)
    base = live_server.url + "/burenhulp"
    cupboard, sofa = story["cupboard"], story["sofa"]
    conversation = story["conversation"]
    code = cupboard.neighbourhood.code
    problems: list[Violation] = []

    context = chromium.new_context(locale="nl-NL")
    page = context.new_page()
    for path in ("/", f"/buurt/{code}/", f"/oproep/{story['kees_offer'].pk}/"):
        _check(page, base + path, problems)

    log_in(page, live_server.url, story["people"]["sanne"].email, DEMO_PASSWORD)
    for path in (
        "/",
        f"/buurt/{code}/",
        "/nieuw/?richting=vraag",
        f"/oproep/{sofa.pk}/",
        f"/oproep/{sofa.pk}/wie-kan-helpen/",
        f"/oproep/{sofa.pk}/wie-kan-helpen/{story['people']['kees'].pk}/",
        "/berichten/",
        f"/gesprek/{conversation.pk}/",
        "/profiel/?welkom=1",
        "/geblokkeerd/",
        f"/oproep/{story['bram_offer'].pk}/melden/",
    ):
        _check(page, base + path, problems)
    page.goto(base + "/nieuw/?richting=vraag")
    page.get_by_role("button", name="Plaatsen").click()
    page.wait_for_load_state()
    problems.extend(serious_violations(page, "post form with errors"))
    context.close()

    # The same story without JavaScript: a clear error summary on bad input, then a post and
    # its candidates.
    context = chromium.new_context(locale="nl-NL", java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/account/inloggen/")
    page.locator("main").get_by_label("E-mailadres").fill(story["people"]["sanne"].email)
    page.locator("main").get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name="Inloggen").click()
    page.goto(base + "/nieuw/?richting=vraag")
    page.get_by_role("button", name="Plaatsen").click()
    assert "Kies een categorie." in page.locator(".mh-error-summary").inner_text()
    page.get_by_label("Categorie").select_option("moving")
    page.get_by_label("Waar gaat het om?").fill("Wasmachine naar boven")
    page.locator("#id_neighbourhood").select_option(label=cupboard.neighbourhood.name)
    page.get_by_role("button", name="Plaatsen").click()
    assert "wie-kan-helpen" in page.url
    assert "Kees Vermeulen" in page.locator("main").inner_text()
    context.close()

    context = chromium.new_context(locale="nl-NL")
    page = context.new_page()
    log_in(page, live_server.url, world.worker.email, PASSWORD)
    for path in ("/buurtwerk/", "/nieuw/namens/", "/buurtwerk/helpers/"):
        _check(page, base + path, problems)
    context.close()

    report = "\n".join(str(p) for p in problems)
    assert not problems, f"serious/critical axe violations:\n{report}"
