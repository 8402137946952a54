"""Every page reachable from the home page passes axe without serious or critical
violations: in Dutch, in English, and signed in as demo people of several roles."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Violation, crawl, log_in, serious_violations

pytestmark = pytest.mark.browser

# A resident, a professional and a civil servant see different pages; the administrator sees
# the most.
ROLES = ("resident", "professional", "civil_servant", "administrator")


def check_all_pages(page: Any, base_url: str, label: str) -> list[str]:
    problems: list[Violation] = []

    def visit(url: str) -> None:
        problems.extend(serious_violations(page, url))

    visited = crawl(page, base_url, visit)
    report = "\n".join(str(p) for p in problems)
    print(f"\n[{label}] axe checked {len(visited)} pages")
    assert not problems, f"[{label}] serious/critical axe violations:\n{report}"
    return visited


def test_every_page_in_dutch_and_english(page: Any, live_server: Any, demo: dict[str, str]) -> None:
    base = live_server.url
    visited = check_all_pages(page, base, "nl")
    assert any(demo["neighbourhood"] in url for url in visited)
    assert any(demo["district"] in url for url in visited)
    assert page.locator("html").get_attribute("lang") == "nl"

    # Switch language with the form in the header (a POST to set_language), then crawl again.
    page.goto(base + "/")
    page.locator("form.lang-form").get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    check_all_pages(page, base, "en")
    assert page.locator("html").get_attribute("lang") == "en"


@pytest.mark.parametrize("role", ROLES)
def test_every_page_signed_in(page: Any, live_server: Any, demo: dict[str, str], role: str) -> None:
    from buurtbasis.core import demo as demo_data

    person = next(p for p in demo_data.PEOPLE if p.key == role)
    log_in(page, live_server.url, person.email, demo_data.DEMO_PASSWORD)
    visited = check_all_pages(page, live_server.url, role)
    assert len(visited) > 3


def test_axe_reports_serious_problems(page: Any) -> None:
    """The check itself works: a page with an unlabelled field and an image without text fails."""
    page.set_content(
        '<!doctype html><html lang="nl"><body><main><h1>Test</h1>'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><input type="text">'
        "</main></body></html>"
    )
    rules = {v.rule for v in serious_violations(page, "test")}
    assert {"image-alt", "label"} <= rules
