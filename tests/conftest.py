"""Shared fixtures. Tests run against the real database (SQLite by default, PostgreSQL when
DATABASE_URL is set); nothing of our own is mocked."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def shared_file(*parts: str) -> Path:
    """A file from ../shared/data, or skip the test with a clear message when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data file not present: {path}")
    return path
