"""Every page of the demo works with JavaScript switched off: it answers without error and
shows its main content (one main region with a heading and text), anonymously and signed in."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import crawl, log_in

pytestmark = pytest.mark.browser


def _check_main(page: Any, url: str, problems: list[str]) -> None:
    main = page.locator("main")
    if main.count() != 1:
        problems.append(f"{url}: {main.count()} main regions")
        return
    if main.locator("h1").count() != 1:
        problems.append(f"{url}: no single h1 in main")
    if len(main.inner_text().strip()) < 20:
        problems.append(f"{url}: main is (almost) empty")
    if not main.is_visible():
        problems.append(f"{url}: main is hidden")


def test_every_demo_page_works_without_javascript(
    browser: Any, live_server: Any, demo: dict[str, str]
) -> None:
    from buurtbasis.core import demo as demo_data

    base = live_server.url
    problems: list[str] = []
    broken: list[str] = []
    visited: dict[str, list[str]] = {}
    people = {"anonymous": None, "administrator": None, "resident": None}
    for label in people:
        context = browser.new_context(java_script_enabled=False, locale="nl-NL")
        try:
            page = context.new_page()
            if label != "anonymous":
                person = next(p for p in demo_data.PEOPLE if p.key == label)
                log_in(page, base, person.email, demo_data.DEMO_PASSWORD)  # a plain form
            assert page.evaluate("() => 1") == 1  # evaluate still works; page scripts do not

            def check(url: str, page: Any = page) -> None:
                _check_main(page, url, problems)

            visited[label] = crawl(page, base, check, per_pattern=1, broken=broken)
        finally:
            context.close()
    assert all(len(urls) > 5 for urls in visited.values()), {k: len(v) for k, v in visited.items()}
    assert not broken and not problems, "\n".join(broken + problems)
