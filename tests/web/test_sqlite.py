"""The SQLite connection as configured in settings: WAL journal, a busy timeout, and IMMEDIATE
transactions (a writer takes the lock at BEGIN, so concurrent writers queue)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.db.backends.sqlite3.base import DatabaseWrapper

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite settings only (this run uses PostgreSQL)"
)


def _wrapper(path: Path, alias: str, **options: Any) -> Any:
    """A connection to ``path`` with the project's own settings (``options`` override)."""
    settings_dict = {
        **connection.settings_dict,
        "NAME": str(path),
        "OPTIONS": {**connection.settings_dict["OPTIONS"], **options},
    }
    return DatabaseWrapper(settings_dict, alias=alias)


def _pragma(wrapper: DatabaseWrapper, name: str) -> Any:
    with wrapper.cursor() as cursor:
        cursor.execute(f"PRAGMA {name}")
        return cursor.fetchone()[0]


@pytest.fixture(autouse=True)
def _own_connections(django_db_blocker: Any) -> Any:
    # These tests open their own connections to files of their own, not the test database.
    with django_db_blocker.unblock():
        yield


def test_wal_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    db = _wrapper(tmp_path / "wal.sqlite3", "wal")
    try:
        assert str(_pragma(db, "journal_mode")).lower() == "wal"
        assert _pragma(db, "busy_timeout") == 20_000
        assert _pragma(db, "foreign_keys") == 1
        assert _pragma(db, "synchronous") == 1  # NORMAL
    finally:
        db.close()
    # WAL is a property of the file: a plain connection sees it too.
    plain = sqlite3.connect(tmp_path / "wal.sqlite3")
    assert plain.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    plain.close()


def test_transactions_take_the_write_lock_at_begin(tmp_path: Path) -> None:
    """With IMMEDIATE, a second writer cannot even BEGIN while the first holds a transaction
    that has not written yet (with DEFERRED it could, and would fail later, half-way)."""
    path = tmp_path / "immediate.sqlite3"
    first = _wrapper(path, "first")
    init = str(connection.settings_dict["OPTIONS"]["init_command"])
    second = _wrapper(path, "second", timeout=0.1, init_command=init.replace("20000", "100"))
    try:
        with first.cursor() as cursor:
            cursor.execute("CREATE TABLE t (x INTEGER)")
        assert first.transaction_mode == "IMMEDIATE"
        # What transaction.atomic() does on SQLite: BEGIN (IMMEDIATE) on the raw connection.
        first._start_transaction_under_autocommit()
        with first.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM t")  # a read only: the lock came with BEGIN
        second.ensure_connection()
        with pytest.raises(OperationalError, match="locked"):
            second._start_transaction_under_autocommit()
        with first.cursor() as cursor:
            cursor.execute("ROLLBACK")
        second._start_transaction_under_autocommit()  # free again
        with second.cursor() as cursor:
            cursor.execute("ROLLBACK")
    finally:
        second.close()
        first.close()
