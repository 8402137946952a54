"""Help for tests that commit ledger rows (``transactional_db``, ``live_server``).

Django empties the test database after such a test. On PostgreSQL it uses TRUNCATE, which the
ledger's row triggers do not see. On SQLite it uses ``DELETE FROM``, which the append-only
triggers refuse. Call :func:`empty_ledger_for_tests` at the end of such a test (a fixture is
easiest, see ``ledger_flushable`` in tests/ledger/conftest.py) so the flush finds nothing.
"""

from __future__ import annotations

from django.db import connections, transaction

from .guards import guard_enabled


def empty_ledger_for_tests(using: str = "default") -> None:
    """Delete every ledger row, in a test database on SQLite only; elsewhere do nothing."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict["NAME"])
    in_memory = connection.is_in_memory_db()  # type: ignore[attr-defined]
    if not (in_memory or "test" in name.rsplit("/", 1)[-1]):
        raise RuntimeError(f"refusing to empty the ledger of a non-test database: {name}")
    token = guard_enabled.set(False)
    try:
        with transaction.atomic(using=using), connection.cursor() as cursor:
            for table in [
                "ledger_entry",
                "ledger_accountbalance",
                "ledger_transaction",
                "ledger_account",
            ]:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (fixed table names)
    finally:
        guard_enabled.reset(token)
