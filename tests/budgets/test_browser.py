"""The budget pages in a real browser: every page reachable from /budgetten/ passes axe (no
serious or critical violations), anonymous and signed in as the demo civil servant,
professional and resident, including the editing pages of a new draft framework."""

from __future__ import annotations

from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest

from tests.browser_support import Violation, log_in, serious_violations

pytestmark = pytest.mark.browser

ROLES = ("civil_servant", "professional", "resident")


MAX_PAGES = 120


def _check(tab: Any, base: str, label: str, problems: list[Violation]) -> list[str]:
    """Open every page under /budgetten/ reachable from /budgetten/ (breadth first) and run
    axe on it; open-data files are fetched for their status only."""
    origin = urlsplit(base).netloc
    queue = [base + "/budgetten/"]
    seen = set(queue)
    visited: list[str] = []
    while queue and len(visited) < MAX_PAGES:
        url = queue.pop(0)
        head = tab.context.request.get(url, max_redirects=5)
        assert head.status < 400, f"{url} answered {head.status}"
        if "text/html" not in head.headers.get("content-type", ""):
            continue
        response = tab.goto(url)
        assert response is not None and response.status < 400, url
        visited.append(tab.url)
        problems.extend(serious_violations(tab, f"[{label}] {tab.url}"))
        hrefs: list[str] = tab.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        for href in hrefs:
            href = urldefrag(href).url
            parts = urlsplit(href)
            if parts.netloc == origin and parts.path.startswith("/budgetten/") and href not in seen:
                seen.add(href)
                queue.append(href)
    return visited


def test_budget_pages_pass_axe(
    browser: Any,  # noqa: F811
    page: Any,  # noqa: F811
    live_server: Any,
    demo: dict[str, str],  # noqa: F811
) -> None:
    from buurtbasis.core import demo as demo_data

    base = live_server.url
    problems: list[Violation] = []
    visited = _check(page, base, "anonymous", problems)
    assert any("/geldstromen/" in url for url in visited)
    assert any("/budgetten/wijk/" in url for url in visited)
    for role in ROLES:
        person = next(p for p in demo_data.PEOPLE if p.key == role)
        context = browser.new_context(  # noqa: F811
            locale="nl-NL", viewport={"width": 1280, "height": 900}
        )
        try:
            signed_in = context.new_page()
            log_in(signed_in, base, person.email, demo_data.DEMO_PASSWORD)
            if role == "civil_servant":
                # A draft to check the editing pages too.
                signed_in.goto(base + "/budgetten/kaders/nieuw/")
                main = signed_in.locator("main")
                main.get_by_label("Naam").fill("Concept voor de test")
                main.get_by_label("Eerste jaar").fill("2031")
                main.get_by_label("Laatste jaar").fill("2032")
                main.get_by_role("button", name="Budgetkader maken").click()
                signed_in.wait_for_load_state()
                assert "/bronnen/" in signed_in.url
                problems.extend(serious_violations(signed_in, "[draft] sources"))
                framework_url = signed_in.url.rsplit("/bronnen/", 1)[0]
                for suffix in ("themas/", "gewichten/", "voorvertoning/", "vaststellen/"):
                    signed_in.goto(f"{framework_url}/{suffix}")
                    problems.extend(serious_violations(signed_in, f"[draft] {suffix}"))
            visited = _check(signed_in, base, role, problems)
            assert len(visited) > 3
            if role == "professional":
                assert any("/trekkingsrechten/" in url for url in visited)
        finally:
            context.close()
    report = "\n".join(str(p) for p in problems)
    assert not problems, f"serious/critical axe violations:\n{report}"
