"""Browser behaviour of the area pages: keyboard, without JavaScript, strict CSP, the map and
the htmx filter."""

from __future__ import annotations

import os
import re
from typing import Any

import pytest

pytestmark = pytest.mark.browser


def area_url(live_server: Any, code: str) -> str:
    return f"{live_server.url}/gebieden/{code}/"


def test_tab_reaches_the_skip_link_first_and_it_moves_focus_to_main(
    page: Any, live_server: Any, demo: dict[str, str]
) -> None:
    page.goto(area_url(live_server, demo["neighbourhood"]))
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => [document.activeElement.className, document.activeElement.getAttribute('href')]"
    )
    assert focused == ["skip-link", "#main"]
    box = page.locator(".skip-link").bounding_box()
    assert box is not None and box["y"] >= 0  # visible once focused
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    # The next Tab goes into the content, not back to the header.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.closest('main') !== null")


def test_pages_work_without_javascript(
    browser: Any, live_server: Any, demo: dict[str, str]
) -> None:
    context = browser.new_context(java_script_enabled=False, locale="nl-NL")
    page = context.new_page()
    try:
        page.goto(area_url(live_server, demo["neighbourhood"]))
        main = page.locator("main")
        for heading in ("Sterke punten", "Aandachtspunten", "Over de buurt"):
            assert main.get_by_role("heading", name=heading).is_visible()
        assert main.locator(".figure-number").count() > 5
        assert main.get_by_text("Hele gemeente").first.is_visible()
        # no empty map box: the map stays hidden without JavaScript
        assert not page.locator("#map-figure").is_visible()

        page.goto(area_url(live_server, demo["district"]))
        assert page.locator("main .area-list a").count() > 0

        page.goto(area_url(live_server, demo["municipality"]))
        links = page.locator("#area-list .area-list a")
        total = links.count()
        assert total > 0
        first_name = links.first.inner_text()
        # The filter is a plain GET form.
        page.get_by_label("Zoek een buurt of wijk").fill(first_name)
        page.get_by_role("button", name="Zoek").click()
        page.wait_for_load_state()
        assert "?q=" in page.url
        assert 0 < page.locator("#area-list .area-list a").count() < total
        assert page.locator("h1").count() == 1
    finally:
        context.close()


def test_no_csp_violations_on_pages_with_a_map(
    page: Any, live_server: Any, demo: dict[str, str]
) -> None:
    problems: list[str] = []
    page.on(
        "console",
        lambda msg: problems.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    for kind in ("municipality", "district", "neighbourhood"):
        page.goto(area_url(live_server, demo[kind]))
        page.wait_for_selector("#area-map[data-ready='true']")
        page.locator("#area-map .leaflet-control-zoom-in").click()
    # and an htmx swap
    page.goto(area_url(live_server, demo["municipality"]))
    page.get_by_label("Zoek een buurt of wijk").fill("zzzz")
    page.wait_for_selector("text=Geen buurten gevonden")
    page.wait_for_timeout(300)
    assert not problems, "\n".join(problems)


def test_map_draws_the_boundaries_and_links_to_the_areas(
    page: Any, live_server: Any, demo: dict[str, str]
) -> None:
    page.goto(area_url(live_server, demo["district"]))
    page.wait_for_selector("#area-map[data-ready='true']")
    assert page.locator("#map-figure").is_visible()
    children = page.locator("main .area-list a").count()
    # one path for the district itself, one per neighbourhood
    assert page.locator("#area-map svg path").count() == children + 1
    assert page.locator("#area-map svg path.leaflet-interactive").count() == children
    assert page.get_by_role("region", name=re.compile("Kaart van wijk")).is_visible()
    assert page.get_by_role("button", name="Inzoomen").is_visible()
    page.locator("#area-map svg path.leaflet-interactive").first.dispatch_event("click")
    page.wait_for_url(re.compile(r"/gebieden/BU"))

    page.goto(area_url(live_server, demo["neighbourhood"]))
    page.wait_for_selector("#area-map[data-ready='true']")
    assert page.locator("#area-map svg path").count() == 1


def test_htmx_filter_swaps_only_the_list(page: Any, live_server: Any, demo: dict[str, str]) -> None:
    page.goto(area_url(live_server, demo["municipality"]))
    links = page.locator("#area-list .area-list a")
    total = links.count()
    name = links.nth(1).inner_text()
    page.evaluate("() => { window.__notReloaded = true; }")
    page.get_by_label("Zoek een buurt of wijk").fill(name)
    page.wait_for_function(
        "n => document.querySelectorAll('#area-list .area-list a').length < n", arg=total
    )
    assert page.evaluate("() => window.__notReloaded === true")  # swapped, not reloaded
    assert page.locator("#area-list .area-list a", has_text=name).count() >= 1
    assert page.locator("#area-list [role=status]").inner_text().startswith(tuple("0123456789"))
    assert "q=" in page.url  # the address can be bookmarked and shared


def test_screenshot_of_the_dutch_neighbourhood_page(
    page: Any, live_server: Any, demo: dict[str, str], tmp_path: Any
) -> None:
    """Keeps a screenshot to look at (BUURTBASIS_SCREENSHOTS=<dir> to keep it elsewhere)."""
    target = os.environ.get("BUURTBASIS_SCREENSHOTS") or str(tmp_path)
    page.goto(area_url(live_server, demo["neighbourhood"]))
    page.wait_for_selector("#area-map[data-ready='true']")
    page.screenshot(path=f"{target}/buurt-nl.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(area_url(live_server, demo["municipality"]))
    page.wait_for_selector("#area-map[data-ready='true']")
    page.screenshot(path=f"{target}/gemeente-mobiel.png", full_page=True)
    # narrow screens: nothing wider than the viewport
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
