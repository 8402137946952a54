"""Shared browser-test support, loaded once as a pytest plugin by tests/conftest.py so that
every browser test in every folder shares ONE Playwright instance (the sync API cannot run two
at once in a process).

Browser tests: Playwright (sync API) driving Debian's chromium — no browser download — with
axe-core through axe-playwright-python, against pytest-django's live server.

Every test here is marked ``browser``; ``make test`` runs them only when /usr/bin/chromium (or
$CHROMIUM) exists, and they skip themselves otherwise.
"""

from __future__ import annotations

import os
import re
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest

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

    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the
    # fixtures (loading the demo) are still plain synchronous code. Set only while the browser
    # runs: this module is loaded as a plugin by every test run, and a process-wide setting
    # would leak into subprocesses (e.g. `check --deploy`, which rightly refuses it).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def _fresh_rate_limits(request: pytest.FixtureRequest) -> None:
    """Each browser test starts with empty rate-limit counters. The log-in limit (10 POSTs per
    15 minutes per address, ``BUURTBASIS_LOGIN_RATE``) counts in the cache, which outlives the
    database flush between tests; every browser test signs in from 127.0.0.1, so without this
    the later tests of a fast run were refused with 429 depending on timing."""
    if request.node.get_closest_marker("browser") is None:
        return
    from django.core.cache import cache

    request.getfixturevalue("django_db_setup")  # the test database, never the developer's
    django_db_blocker = request.getfixturevalue("django_db_blocker")
    with django_db_blocker.unblock():
        cache.clear()


@pytest.fixture
def demo(transactional_db: None) -> Iterator[dict[str, str]]:
    """The demo data (``manage.py load_demo``); returns some of its area codes. Afterwards the
    database is emptied with the ledger's guard switched off: on SQLite Django's own flush uses
    DELETE, which the ledger's append-only triggers refuse (and other apps' rows point at
    ledger rows, so the ledger alone cannot be emptied first)."""
    from django.core.management import call_command
    from django.db import connection

    from buurtbasis.areas.models import Area
    from buurtbasis.ledger.guards import guard_enabled

    call_command("load_demo", verbosity=0)
    municipality = Area.objects.filter(level="GM").order_by("code").first()
    assert municipality is not None
    district = Area.objects.filter(level="WK", municipality=municipality, boundary__isnull=False)
    neighbourhood = Area.objects.filter(
        level="BU", municipality=municipality, boundary__isnull=False
    )
    yield {
        "municipality": municipality.code,
        "district": district.order_by("code").first().code,  # type: ignore[union-attr]
        "neighbourhood": neighbourhood.order_by("code").first().code,  # type: ignore[union-attr]
    }
    if connection.vendor == "sqlite":
        token = guard_enabled.set(False)
        try:
            call_command("flush", interactive=False, verbosity=0)
        finally:
            guard_enabled.reset(token)


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


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def url_pattern(url: str) -> str:
    """The route of a URL: numbers and CBS codes replaced, the query left out, so
    ``/gebieden/BU99010101/`` and ``/gebieden/BU99010102/`` are the same kind of page."""
    path = urlsplit(url).path
    path = re.sub(r"/(GM|WK|BU)[0-9A-Z]{4,8}(?=/|\.|$)", r"/\1<code>", path)
    return re.sub(r"/\d+(?=/|\.|$)", "/<n>", path)


def crawl(
    page: Any,
    base_url: str,
    visit: Callable[[str], None],
    *,
    start: str = "/",
    per_pattern: int = 2,
    broken: list[str] | None = None,
) -> list[str]:
    """Follow every same-origin GET link from ``start``, breadth first (a new kind of page
    before another page of a kind already met), fetching at most MAX_PAGES pages with the
    page's cookies. Each page must answer without an error. The first
    ``per_pattern`` pages of each kind (see :func:`url_pattern`) are opened in the browser and
    passed to ``visit(url)``; the rest are only fetched for their links, which keeps the crawl
    of hundreds of similar pages fast. Non-HTML responses (PDF, CSV) are checked for their
    status only. A page answering with an error fails at once, or, with ``broken``, is added
    there and the crawl goes on. Returns the URLs fetched."""
    origin = urlsplit(base_url).netloc
    first = base_url.rstrip("/") + start
    # Links to a kind of page not met before go first, so the cap leaves out repeats, not kinds.
    fresh: deque[str] = deque([first])
    rest: deque[str] = deque()
    seen = {first}
    linked_from = {first: "(start)"}
    kinds = {url_pattern(first)}
    fetched: list[str] = []
    opened: Counter[str] = Counter()
    while (fresh or rest) and len(fetched) < MAX_PAGES:
        url = fresh.popleft() if fresh else rest.popleft()
        response = page.context.request.get(url, max_redirects=5)
        if response.status >= 400:
            problem = f"{url} answered {response.status} (linked from {linked_from.get(url)})"
            if broken is None:
                raise AssertionError(problem)
            broken.append(problem)
            continue
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        final = response.url
        fetched.append(final)
        pattern = url_pattern(final)
        if opened[pattern] < per_pattern:
            opened[pattern] += 1
            loaded = page.goto(final)
            assert loaded is not None and loaded.status < 400, f"{final}: {loaded}"
            visit(page.url)
        links = _Links()
        links.feed(response.text())
        for href in links.hrefs:
            href = urldefrag(urljoin(final, href)).url
            parts = urlsplit(href)
            if parts.scheme not in ("http", "https") or parts.netloc != origin:
                continue
            if parts.path.startswith(SKIP_PREFIXES) or any(
                w in parts.path.lower() for w in SKIP_WORDS
            ):
                continue
            if href not in seen:
                seen.add(href)
                linked_from[href] = final
                kind = url_pattern(href)
                if kind in kinds:
                    rest.append(href)
                else:
                    kinds.add(kind)
                    fresh.append(href)
    print(f"  fetched {len(fetched)} pages of {len(opened)} kinds, opened {sum(opened.values())}")
    return fetched


def log_in(page: Any, base_url: str, email: str, password: str) -> None:
    """Sign in through the login form, like a person would."""
    page.goto(base_url + "/account/inloggen/")
    main = page.locator("main")
    main.get_by_label("E-mailadres").fill(email)
    main.get_by_label("Wachtwoord").fill(password)
    main.get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state()
    assert page.locator("form.inline-form button").count() == 1, f"{email} not signed in"


__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "MAX_PAGES",
    "SKIP_PREFIXES",
    "SKIP_WORDS",
    "Violation",
    "_Links",
    "crawl",
    "log_in",
    "serious_violations",
    "url_pattern",
]
