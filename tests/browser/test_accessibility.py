"""Every page reachable from the home page passes axe without serious or critical
violations: in Dutch, in English, and signed in as demo people of several roles.

One test does all crawls, so the demo is loaded once. Every reachable page is fetched and must
answer without error; axe runs on the first pages of each kind (two in Dutch, one in the other
crawls), as pages of one kind share their template."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Violation, crawl, log_in, serious_violations

pytestmark = pytest.mark.browser

# A resident, a professional and a civil servant see different pages; the administrator sees
# the most.
ROLES = ("resident", "professional", "civil_servant", "administrator")


def check_all_pages(
    page: Any,
    base_url: str,
    label: str,
    problems: list[Violation],
    broken: list[str],
    per_pattern: int = 2,
) -> list[str]:
    def visit(url: str) -> None:
        problems.extend(serious_violations(page, f"[{label}] {url}"))

    errors: list[str] = []
    visited = crawl(page, base_url, visit, per_pattern=per_pattern, broken=errors)
    broken.extend(f"[{label}] {e}" for e in errors)
    print(f"\n[{label}] axe checked {len(visited)} pages")
    return visited


def test_every_page_passes_axe(
    browser: Any, page: Any, live_server: Any, demo: dict[str, str]
) -> None:
    from buurtbasis.core import demo as demo_data

    base = live_server.url
    problems: list[Violation] = []
    broken: list[str] = []

    visited = check_all_pages(page, base, "nl", problems, broken)
    assert any(demo["neighbourhood"] in url for url in visited)
    assert any(demo["district"] in url for url in visited)
    assert page.locator("html").get_attribute("lang") == "nl"

    # Switch language with the form in the header (a POST to set_language), then crawl again.
    page.goto(base + "/")
    page.locator("form.lang-form").get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    check_all_pages(page, base, "en", problems, broken, per_pattern=1)
    assert page.locator("html").get_attribute("lang") == "en"

    for role in ROLES:
        person = next(p for p in demo_data.PEOPLE if p.key == role)
        context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
        try:
            signed_in = context.new_page()
            log_in(signed_in, base, person.email, demo_data.DEMO_PASSWORD)
            visited = check_all_pages(signed_in, base, role, problems, broken, per_pattern=1)
            assert len(visited) > 3
        finally:
            context.close()

    report = "\n".join(str(p) for p in problems)
    links = "\n".join(broken)
    assert not problems and not broken, (
        f"serious/critical axe violations:\n{report}\nlinks to error pages:\n{links}"
    )


def test_axe_reports_serious_problems(page: Any) -> None:
    """The check itself works: a page with an unlabelled field and an image without text fails."""
    page.set_content(
        '<!doctype html><html lang="nl"><body><main><h1>Test</h1>'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><input type="text">'
        "</main></body></html>"
    )
    rules = {v.rule for v in serious_violations(page, "test")}
    assert {"image-alt", "label"} <= rules
