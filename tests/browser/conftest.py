"""Browser tests: Playwright (sync API) driving Debian's chromium — no browser download — with
axe-core through axe-playwright-python, against pytest-django's live server.

Every test here is marked ``browser``; ``make test`` runs them only when /usr/bin/chromium (or
$CHROMIUM) exists, and they skip themselves otherwise.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the fixtures
# (loading the demo) are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
MAX_PAGES = 200
# Never crawled: the admin, the API, files, and anything that signs out.
SKIP_PREFIXES = ("/beheer/", "/api/", "/static/", "/media/", "/i18n/")
SKIP_WORDS = ("uitloggen", "logout")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def demo(transactional_db: None) -> dict[str, str]:
    """The demo data (``manage.py load_demo``); returns some of its area codes."""
    from django.core.management import call_command

    from buurtbasis.areas.models import Area

    call_command("load_demo", verbosity=0)
    municipality = Area.objects.filter(level="GM").order_by("code").first()
    assert municipality is not None
    district = Area.objects.filter(level="WK", municipality=municipality, boundary__isnull=False)
    neighbourhood = Area.objects.filter(
        level="BU", municipality=municipality, boundary__isnull=False
    )
    return {
        "municipality": municipality.code,
        "district": district.order_by("code").first().code,  # type: ignore[union-attr]
        "neighbourhood": neighbourhood.order_by("code").first().code,  # type: ignore[union-attr]
    }


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: Any) -> Any:
    return context.new_page()


@dataclass
class Violation:
    url: str
    rule: str
    impact: str
    help: str
    targets: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.url}: [{self.impact}] {self.rule} — {self.help} — {self.targets[:5]}"


def serious_violations(page: Any, url: str) -> list[Violation]:
    """Run axe on the current page; the violations of impact serious or critical."""
    from axe_playwright_python.sync_playwright import Axe

    response = Axe().run(page).response
    found = []
    for v in response.get("violations", []):
        if v.get("impact") in ("serious", "critical"):
            targets = [", ".join(map(str, n.get("target", []))) for n in v.get("nodes", [])]
            found.append(Violation(url, v["id"], v["impact"], v.get("help", ""), targets))
    return found


def crawl(page: Any, base_url: str, visit: Callable[[str], None], *, start: str = "/") -> list[str]:
    """Follow every same-origin GET link from ``start`` (breadth first, at most MAX_PAGES
    pages), calling ``visit(url)`` with the page loaded. Returns the URLs visited. Links to
    non-HTML responses (PDF, CSV) are checked for a good status but not opened."""
    origin = urlsplit(base_url).netloc
    queue = [base_url.rstrip("/") + start]
    seen = set(queue)
    visited: list[str] = []
    while queue and len(visited) < MAX_PAGES:
        url = queue.pop(0)
        head = page.context.request.get(url, max_redirects=5)
        assert head.status < 400, f"{url} answered {head.status}"
        if "text/html" not in head.headers.get("content-type", ""):
            continue
        response = page.goto(url)
        assert response is not None and response.status < 400, f"{url}: {response}"
        visited.append(page.url)
        visit(page.url)
        hrefs: list[str] = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        for href in hrefs:
            href = urldefrag(href).url
            parts = urlsplit(href)
            if parts.scheme not in ("http", "https") or parts.netloc != origin:
                continue
            if parts.path.startswith(SKIP_PREFIXES) or any(
                w in parts.path.lower() for w in SKIP_WORDS
            ):
                continue
            if href not in seen:
                seen.add(href)
                queue.append(href)
    return visited


def log_in(page: Any, base_url: str, email: str, password: str) -> None:
    """Sign in through the login form, like a person would."""
    page.goto(base_url + "/account/inloggen/")
    main = page.locator("main")
    main.get_by_label("E-mailadres").fill(email)
    main.get_by_label("Wachtwoord").fill(password)
    main.get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state()
    assert page.locator("form.inline-form button").count() == 1, f"{email} not signed in"
