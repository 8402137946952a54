"""The initiative pages in a real browser: every page under /initiatieven/ reachable from the
overview passes axe (no serious or critical violations), anonymous and signed in as the demo
resident, professional, civil servant and funder — including the forms; a new user starts an
initiative without JavaScript."""

from __future__ import annotations

from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest

from tests.browser_support import Violation, log_in, serious_violations

pytestmark = pytest.mark.browser

MAX_PAGES = 150
ROLES = ("resident", "professional", "civil_servant", "funder")


def _initiatives_demo() -> dict[str, Any]:
    from buurtbasis.areas.models import Area
    from buurtbasis.initiatives.demo import load_demo_initiatives
    from buurtbasis.initiatives.models import GrantRequest, Need, Vote

    municipality = Area.objects.get(code="GM9901")
    initiatives = load_demo_initiatives(municipality)
    garden = next(i for i in initiatives if i.name.startswith("Buurtmoestuin"))
    vote = Vote.objects.get(status=Vote.Status.COUNTED)
    return {
        "garden": garden,
        "vote": vote,
        "line": GrantRequest.objects.get(amount_cents=40_000).line,
        "need": Need.objects.filter(kind=Need.Kind.THINGS, status=Need.Status.OPEN).first(),
        "option": vote.options.first(),
        "nominating": Vote.objects.get(status=Vote.Status.NOMINATING),
    }


def _check(
    tab: Any, base: str, label: str, extra: list[str], problems: list[Violation]
) -> list[str]:
    origin = urlsplit(base).netloc
    queue = [base + "/initiatieven/", *(base + path for path in extra)]
    seen = set(queue)
    visited: list[str] = []
    while queue and len(visited) < MAX_PAGES:
        url = queue.pop(0)
        head = tab.context.request.get(url, max_redirects=5)
        if head.status == 403:
            continue
        assert head.status < 400, f"{url} answered {head.status}"
        response = tab.goto(url)
        assert response is not None and response.status < 400, url
        visited.append(tab.url)
        problems.extend(serious_violations(tab, f"[{label}] {tab.url}"))
        # Leaflet styles the map through the CSSOM later; the HTML we serve has no style="".
        assert " style=" not in head.text(), f"style attribute on {url}"
        hrefs: list[str] = tab.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        for href in hrefs:
            href = urldefrag(href).url
            parts = urlsplit(href)
            if (
                parts.netloc == origin
                and parts.path.startswith("/initiatieven/")
                and href not in seen
            ):
                seen.add(href)
                queue.append(href)
    return visited


def test_initiative_pages_pass_axe(
    browser: Any,  # noqa: F811
    page: Any,  # noqa: F811
    live_server: Any,
    demo: dict[str, str],  # noqa: F811
) -> None:
    from django.urls import reverse

    from buurtbasis.core import demo as demo_data

    objects = _initiatives_demo()
    garden, vote = objects["garden"], objects["vote"]
    forms = [
        reverse("initiatives:create"),
        reverse("initiatives:edit", args=[garden.pk]),
        reverse("initiatives:owners", args=[garden.pk]),
        reverse("initiatives:need_add", args=[garden.pk]),
        reverse("initiatives:grant_new", args=[garden.pk]),
        reverse("initiatives:story_new", args=[garden.pk]),
        reverse("initiatives:funding", args=[garden.pk]),
        reverse("initiatives:fund_new"),
        reverse("initiatives:decisions"),
        reverse("initiatives:vote_new", args=[objects["line"].pk]),
        reverse("initiatives:vote_paper", args=[vote.pk]),
        reverse("initiatives:vote_nominate", args=[objects["nominating"].pk]),
        reverse("initiatives:option_remove", args=[objects["option"].pk]),
        reverse("initiatives:line", args=[objects["line"].pk]),
    ]
    if objects["need"] is not None:
        forms.append(reverse("initiatives:need_answer", args=[objects["need"].pk]))
    base = live_server.url
    problems: list[Violation] = []
    visited = _check(page, base, "anonymous", [], problems)
    assert any("/stemming/" in url for url in visited)
    assert any("/aanvraag/" in url for url in visited)
    assert any("/fondsen/" in url for url in visited)
    for role in ROLES:
        person = next(p for p in demo_data.PEOPLE if p.key == role)
        tab_context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
        try:
            tab = tab_context.new_page()
            log_in(tab, base, person.email, demo_data.DEMO_PASSWORD)
            _check(tab, base, role, forms, problems)
        finally:
            tab_context.close()
    report = "\n".join(str(p) for p in problems)
    assert not problems, f"serious/critical axe violations:\n{report}"


def test_a_new_user_starts_an_initiative_without_javascript(
    browser: Any,  # noqa: F811
    live_server: Any,
    demo: dict[str, str],  # noqa: F811
) -> None:
    from buurtbasis.core import demo as demo_data
    from buurtbasis.initiatives.models import Initiative

    tab_context = browser.new_context(java_script_enabled=False, locale="nl-NL")
    try:
        tab = tab_context.new_page()
        person = next(p for p in demo_data.PEOPLE if p.key == "resident")
        log_in(tab, live_server.url, person.email, demo_data.DEMO_PASSWORD)
        tab.goto(live_server.url + "/initiatieven/nieuw/")
        main = tab.locator("main")
        main.get_by_label("Naam van je initiatief").fill("Boekenruil in de hal")
        main.get_by_label("Wat wil je doen?").fill("Een kast waar buren boeken ruilen.")
        main.get_by_label("Hoe kunnen mensen je bereiken?").fill("Sanne, 06-12345678")
        main.get_by_label("Wat heb je nodig?").fill("Een oude boekenkast.")
        main.get_by_role("button", name="Initiatief plaatsen").click()
        tab.wait_for_load_state()
        assert tab.locator("h1").inner_text() == "Boekenruil in de hal"
        assert Initiative.objects.filter(name="Boekenruil in de hal").exists()
    finally:
        tab_context.close()
