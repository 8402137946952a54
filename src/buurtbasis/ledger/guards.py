"""Database triggers that keep the ledger append-only, whatever code (or raw SQL) touches it.

Installed by migration 0002 through :func:`install_guards`, which picks the SQL for the
database in use. Installing is idempotent (drop if exists, create), so a later migration that
rebuilds a ledger table on SQLite (which drops the table's triggers) must end with
``migrations.RunPython(install_guards, migrations.RunPython.noop)``; ``check_ledger`` reports any
missing trigger.

What the triggers refuse, on both databases:

- UPDATE or DELETE of a transaction or an entry. One exception: setting a transaction's
  ``actor_id`` to NULL and nothing else, which is what deleting a person does (right to be
  forgotten, ``on_delete=SET_NULL``).
- DELETE of an account, and UPDATE of its owner, purpose, unit or overdraft rule (the name may
  change).
- An entry whose account has another unit than its transaction.
- A reversal of a reversal.

PostgreSQL also checks, at commit (deferred constraint trigger), that every transaction that got
entries or was inserted has at least two entries that add up to zero.

The balance cache (``ledger_accountbalance``) has no trigger: it is maintained by the services
and checked by ``check_ledger``; a CHECK constraint refuses an overdraft there.

SQLite has no session settings, so its UPDATE/DELETE triggers ask a function that the app
registers on every connection, ``buurtbasis_ledger_guard()``. It answers 1 (guard on) except
inside :func:`buurtbasis.ledger.testing.empty_ledger_for_tests`. A connection without the
function (the ``sqlite3`` shell, another program) cannot update or delete ledger rows at all.
"""

from __future__ import annotations

import contextvars
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

SQLITE_GUARD_FUNCTION = "buurtbasis_ledger_guard"

# False only inside empty_ledger_for_tests() on SQLite.
guard_enabled: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "ledger_guard_enabled", default=True
)

TRANSACTION_COLUMNS = [
    "id",
    "unit",
    "kind",
    "description",
    "ref_type",
    "ref_id",
    "idempotency_key",
    "fingerprint",
    "reversal_of_id",
    "created_at",
]
ACCOUNT_FIXED_COLUMNS = ["id", "owner_type_id", "owner_id", "purpose", "unit", "allow_negative"]

_SQLITE_TXN_SAME = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in TRANSACTION_COLUMNS)

SQLITE_TRIGGERS = {
    "ledger_entry_no_update": f"""
        CREATE TRIGGER ledger_entry_no_update BEFORE UPDATE ON ledger_entry
        WHEN {SQLITE_GUARD_FUNCTION}()
        BEGIN SELECT RAISE(ABORT, 'ledger_entry is append-only: UPDATE refused'); END""",
    "ledger_entry_no_delete": f"""
        CREATE TRIGGER ledger_entry_no_delete BEFORE DELETE ON ledger_entry
        WHEN {SQLITE_GUARD_FUNCTION}()
        BEGIN SELECT RAISE(ABORT, 'ledger_entry is append-only: DELETE refused'); END""",
    "ledger_entry_same_unit": """
        CREATE TRIGGER ledger_entry_same_unit BEFORE INSERT ON ledger_entry
        WHEN (SELECT unit FROM ledger_account WHERE id = NEW.account_id)
             IS NOT (SELECT unit FROM ledger_transaction WHERE id = NEW.transaction_id)
        BEGIN SELECT RAISE(ABORT, 'ledger_entry: account unit differs from transaction unit');
        END""",
    "ledger_transaction_no_update": f"""
        CREATE TRIGGER ledger_transaction_no_update BEFORE UPDATE ON ledger_transaction
        WHEN {SQLITE_GUARD_FUNCTION}() AND NOT (
            NEW.actor_id IS NULL AND {_SQLITE_TXN_SAME}
        )
        BEGIN SELECT RAISE(ABORT, 'ledger_transaction is append-only: UPDATE refused'); END""",
    "ledger_transaction_no_delete": f"""
        CREATE TRIGGER ledger_transaction_no_delete BEFORE DELETE ON ledger_transaction
        WHEN {SQLITE_GUARD_FUNCTION}()
        BEGIN SELECT RAISE(ABORT, 'ledger_transaction is append-only: DELETE refused'); END""",
    "ledger_transaction_no_double_reversal": """
        CREATE TRIGGER ledger_transaction_no_double_reversal BEFORE INSERT ON ledger_transaction
        WHEN NEW.reversal_of_id IS NOT NULL AND
             (SELECT reversal_of_id FROM ledger_transaction WHERE id = NEW.reversal_of_id)
             IS NOT NULL
        BEGIN SELECT RAISE(ABORT, 'ledger_transaction: a reversal cannot be reversed'); END""",
    "ledger_account_no_delete": f"""
        CREATE TRIGGER ledger_account_no_delete BEFORE DELETE ON ledger_account
        WHEN {SQLITE_GUARD_FUNCTION}()
        BEGIN SELECT RAISE(ABORT, 'ledger_account cannot be deleted'); END""",
    "ledger_account_fixed": f"""
        CREATE TRIGGER ledger_account_fixed BEFORE UPDATE ON ledger_account
        WHEN {SQLITE_GUARD_FUNCTION}() AND NOT (
            {" AND ".join(f"NEW.{c} IS OLD.{c}" for c in ACCOUNT_FIXED_COLUMNS)}
        )
        BEGIN SELECT RAISE(ABORT, 'ledger_account: owner, purpose, unit and rule are fixed');
        END""",
}

_PG_RAISE = "RAISE EXCEPTION USING ERRCODE = 'integrity_constraint_violation', MESSAGE ="
_PG_ACCOUNT_SAME = " AND ".join(
    f"NEW.{c} IS NOT DISTINCT FROM OLD.{c}" for c in ACCOUNT_FIXED_COLUMNS
)

PG_FUNCTIONS = {
    "ledger_refuse_change": """
        CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            #RAISE# format('%s is append-only: %s refused', TG_TABLE_NAME, TG_OP);
        END $$""",
    "ledger_transaction_guard": """
        CREATE OR REPLACE FUNCTION ledger_transaction_guard() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            -- Forgetting the actor (on_delete=SET_NULL) is the one change allowed.
            IF TG_OP = 'UPDATE' AND NEW.actor_id IS NULL
               AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
                RETURN NEW;
            END IF;
            #RAISE# format('ledger_transaction is append-only: %s refused', TG_OP);
        END $$""",
    "ledger_account_guard": """
        CREATE OR REPLACE FUNCTION ledger_account_guard() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE' AND #ACCOUNT_SAME# THEN
                RETURN NEW;
            END IF;
            #RAISE# format(
                'ledger_account: %s refused (owner, purpose, unit and rule are fixed)', TG_OP);
        END $$""",
    "ledger_entry_same_unit": """
        CREATE OR REPLACE FUNCTION ledger_entry_same_unit() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF (SELECT unit FROM ledger_account WHERE id = NEW.account_id)
               IS DISTINCT FROM
               (SELECT unit FROM ledger_transaction WHERE id = NEW.transaction_id) THEN
                #RAISE# 'ledger_entry: account unit differs from transaction unit';
            END IF;
            RETURN NEW;
        END $$""",
    "ledger_transaction_no_double_reversal": """
        CREATE OR REPLACE FUNCTION ledger_transaction_no_double_reversal() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.reversal_of_id IS NOT NULL AND EXISTS (
                SELECT 1 FROM ledger_transaction
                WHERE id = NEW.reversal_of_id AND reversal_of_id IS NOT NULL) THEN
                #RAISE# 'ledger_transaction: a reversal cannot be reversed';
            END IF;
            RETURN NEW;
        END $$""",
    "ledger_zero_sum": """
        CREATE OR REPLACE FUNCTION ledger_zero_sum() RETURNS trigger
        LANGUAGE plpgsql AS $$
        DECLARE
            txn bigint;
            total numeric;
            n bigint;
        BEGIN
            IF TG_TABLE_NAME = 'ledger_entry' THEN
                txn := NEW.transaction_id;
            ELSE
                txn := NEW.id;
            END IF;
            SELECT COALESCE(SUM(amount), 0), COUNT(*) INTO total, n
              FROM ledger_entry WHERE transaction_id = txn;
            IF total <> 0 OR n < 2 THEN
                #RAISE# format(
                    'ledger_transaction %s: %s entries adding up to %s (need >= 2 and 0)',
                    txn, n, total);
            END IF;
            RETURN NULL;
        END $$""",
}
PG_FUNCTIONS = {
    name: sql.replace("#RAISE#", _PG_RAISE).replace("#ACCOUNT_SAME#", _PG_ACCOUNT_SAME)
    for name, sql in PG_FUNCTIONS.items()
}

PG_TRIGGERS = {
    "ledger_entry_no_change": """
        CREATE TRIGGER ledger_entry_no_change BEFORE UPDATE OR DELETE ON ledger_entry
        FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()""",
    "ledger_entry_same_unit": """
        CREATE TRIGGER ledger_entry_same_unit BEFORE INSERT ON ledger_entry
        FOR EACH ROW EXECUTE FUNCTION ledger_entry_same_unit()""",
    "ledger_entry_zero_sum": """
        CREATE CONSTRAINT TRIGGER ledger_entry_zero_sum AFTER INSERT ON ledger_entry
        DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION ledger_zero_sum()""",
    "ledger_transaction_no_change": """
        CREATE TRIGGER ledger_transaction_no_change BEFORE UPDATE OR DELETE ON ledger_transaction
        FOR EACH ROW EXECUTE FUNCTION ledger_transaction_guard()""",
    "ledger_transaction_no_double_reversal": """
        CREATE TRIGGER ledger_transaction_no_double_reversal BEFORE INSERT ON ledger_transaction
        FOR EACH ROW EXECUTE FUNCTION ledger_transaction_no_double_reversal()""",
    "ledger_transaction_zero_sum": """
        CREATE CONSTRAINT TRIGGER ledger_transaction_zero_sum AFTER INSERT ON ledger_transaction
        DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION ledger_zero_sum()""",
    "ledger_account_no_change": """
        CREATE TRIGGER ledger_account_no_change BEFORE UPDATE OR DELETE ON ledger_account
        FOR EACH ROW EXECUTE FUNCTION ledger_account_guard()""",
}

_PG_TRIGGER_TABLES = {
    "ledger_entry_no_change": "ledger_entry",
    "ledger_entry_same_unit": "ledger_entry",
    "ledger_entry_zero_sum": "ledger_entry",
    "ledger_transaction_no_change": "ledger_transaction",
    "ledger_transaction_no_double_reversal": "ledger_transaction",
    "ledger_transaction_zero_sum": "ledger_transaction",
    "ledger_account_no_change": "ledger_account",
}


def expected_triggers(vendor: str) -> set[str]:
    if vendor == "postgresql":
        return set(PG_TRIGGERS)
    if vendor == "sqlite":
        return set(SQLITE_TRIGGERS)
    return set()


def installed_triggers(connection: BaseDatabaseWrapper) -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE 'ledger_%%'"
            )
        elif connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'ledger_%'"
            )
        else:
            return set()
        return {row[0] for row in cursor.fetchall()}


def _install(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for sql in PG_FUNCTIONS.values():
                cursor.execute(sql)
            for name, sql in PG_TRIGGERS.items():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {_PG_TRIGGER_TABLES[name]}")
                cursor.execute(sql)
        elif connection.vendor == "sqlite":
            for name, sql in SQLITE_TRIGGERS.items():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                cursor.execute(sql)
        # Other databases: the model-level refusals and check_ledger still apply.


def _remove(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for name in PG_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {_PG_TRIGGER_TABLES[name]}")
            for fn in PG_FUNCTIONS:
                cursor.execute(f"DROP FUNCTION IF EXISTS {fn}()")
        elif connection.vendor == "sqlite":
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def install_guards(apps: Any, schema_editor: Any) -> None:
    """RunPython forward step: (re)install every trigger for the database in use."""
    _install(schema_editor.connection)


def remove_guards(apps: Any, schema_editor: Any) -> None:
    """RunPython backward step."""
    _remove(schema_editor.connection)


def register_sqlite_function(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """``connection_created`` receiver: give every SQLite connection the guard function."""
    if connection.vendor != "sqlite":
        return
    connection.connection.create_function(
        SQLITE_GUARD_FUNCTION, 0, lambda: 1 if guard_enabled.get() else 0
    )
