"""Shared fixtures. Tests run against the real database (SQLite by default, PostgreSQL when
DATABASE_URL is set); nothing of our own is mocked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

# One Playwright instance for every browser test, whichever folder it lives in.
pytest_plugins = ["tests.browser_support"]

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def shared_file(*parts: str) -> Path:
    """A file from ../shared/data, or skip the test with a clear message when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data file not present: {path}")
    return path


@pytest.fixture(autouse=True)
def _dutch_by_default() -> Iterator[None]:
    """Every test starts in the site's default language (Dutch) and leaves no language
    active behind it: a page rendered in English must not leak into the next test."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
