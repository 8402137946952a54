"""Append-only: the ORM refuses changes, and the database triggers refuse raw SQL too."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import IntegrityError, connection, transaction

from buurtbasis.accounts.models import User
from buurtbasis.ledger import services
from buurtbasis.ledger.errors import AppendOnly
from buurtbasis.ledger.guards import (
    ACCOUNT_FIXED_COLUMNS,
    TRANSACTION_COLUMNS,
    expected_triggers,
    installed_triggers,
)
from buurtbasis.ledger.models import Account, AccountBalance, Entry, Transaction
from buurtbasis.ledger.money import Unit

from .conftest import MakeAccount

pytestmark = pytest.mark.django_db


@pytest.fixture
def txn(make_account: MakeAccount) -> Transaction:
    src, a = make_account(allow_negative=True), make_account()
    return services.transfer(
        src, a, 500, kind="x", description="d", actor=None, idempotency_key="t"
    )


def _refused_by_db(sql: str, params: list[object]) -> None:
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_all_triggers_installed() -> None:
    expected = expected_triggers(connection.vendor)
    assert expected, f"no guards defined for {connection.vendor}"
    assert expected <= installed_triggers(connection)


def test_orm_refuses_updates_and_deletes(txn: Transaction) -> None:
    entry = txn.entries.first()
    assert entry is not None
    txn.description = "anders"
    entry.amount = 1
    attempts: list[Callable[[], object]] = [
        txn.save,
        txn.delete,
        entry.save,
        entry.delete,
        lambda: Transaction.objects.filter(pk=txn.pk).update(description="x"),
        lambda: Transaction.objects.filter(pk=txn.pk).delete(),
        lambda: Entry.objects.filter(pk=entry.pk).update(amount=2),
        lambda: Entry.objects.all().delete(),
        lambda: Entry.objects.bulk_update([entry], ["amount"]),
        lambda: entry.account.delete(),
        lambda: Account.objects.all().delete(),
    ]
    for attempt in attempts:
        with pytest.raises(AppendOnly):
            attempt()
    txn.refresh_from_db()
    assert txn.description == "d"
    assert sorted(txn.entries.values_list("amount", flat=True)) == [-500, 500]


def test_raw_sql_updates_and_deletes_fail(txn: Transaction) -> None:
    entry = txn.entries.first()
    assert entry is not None
    _refused_by_db("UPDATE ledger_entry SET amount = amount + 1 WHERE id = %s", [entry.pk])
    _refused_by_db("DELETE FROM ledger_entry WHERE id = %s", [entry.pk])
    _refused_by_db("UPDATE ledger_transaction SET description = 'x' WHERE id = %s", [txn.pk])
    _refused_by_db("UPDATE ledger_transaction SET ref_id = 'x' WHERE id = %s", [txn.pk])
    _refused_by_db("DELETE FROM ledger_transaction WHERE id = %s", [txn.pk])
    _refused_by_db("DELETE FROM ledger_account WHERE id = %s", [entry.account_id])
    for change in [
        "unit = 'HOURS'",
        "allow_negative = NOT allow_negative",
        "purpose = 'x'",
        "owner_id = '999'",
    ]:
        _refused_by_db(
            f"UPDATE ledger_account SET {change} WHERE id = %s",  # noqa: S608
            [entry.account_id],
        )
    assert Entry.objects.filter(transaction=txn).count() == 2
    assert sorted(txn.entries.values_list("amount", flat=True)) == [-500, 500]


def test_raw_sql_may_rename_an_account_and_fix_the_balance_cache(txn: Transaction) -> None:
    entry = txn.entries.first()
    assert entry is not None
    with connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_account SET name = 'Nieuw' WHERE id = %s", [entry.account_id])
        cursor.execute(
            "UPDATE ledger_accountbalance SET balance = balance WHERE account_id = %s",
            [entry.account_id],
        )
    assert Account.objects.get(pk=entry.account_id).name == "Nieuw"


def test_raw_sql_cannot_mix_units_or_reverse_a_reversal(make_account: MakeAccount) -> None:
    src, a = make_account(allow_negative=True), make_account()
    hours = make_account(Unit.HOURS)
    txn = services.transfer(src, a, 5, kind="x", description="d", actor=None, idempotency_key="1")
    _refused_by_db(
        "INSERT INTO ledger_entry (transaction_id, account_id, amount) VALUES (%s, %s, %s)",
        [txn.pk, hours.pk, 5],
    )
    rev = services.reverse(txn, actor=None, reason="fout", idempotency_key="2")
    _refused_by_db(
        "INSERT INTO ledger_transaction (unit, kind, description, ref_type, ref_id, "
        "idempotency_key, fingerprint, reversal_of_id, created_at) "
        "VALUES ('EUR', 'correction', 'x', '', '', 'k3', '', %s, CURRENT_TIMESTAMP)",
        [rev.pk],
    )


def test_the_database_refuses_an_overdrawn_balance_cache(make_account: MakeAccount) -> None:
    a = make_account()
    _refused_by_db("UPDATE ledger_accountbalance SET balance = -1 WHERE account_id = %s", [a.pk])
    assert AccountBalance.objects.get(account=a).balance == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="deferred triggers: PostgreSQL only")
def test_postgres_refuses_an_unbalanced_transaction_at_commit(txn: Transaction) -> None:
    entry = txn.entries.get(amount=500)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_transaction (unit, kind, description, ref_type, ref_id, "
            "idempotency_key, fingerprint, created_at) "
            "VALUES ('EUR', 'x', 'x', '', '', 'lonely', '', CURRENT_TIMESTAMP) RETURNING id"
        )
        (new_id,) = cursor.fetchone()
        cursor.execute(
            "INSERT INTO ledger_entry (transaction_id, account_id, amount) VALUES (%s, %s, 7)",
            [new_id, entry.account_id],
        )
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert not Transaction.objects.filter(idempotency_key="lonely").exists()


def test_deleting_a_person_forgets_who_posted(make_account: MakeAccount) -> None:
    """The one change allowed: a transaction's actor is set to NULL when the person is
    deleted (right to be forgotten); the money stays as it was."""
    user = User.objects.create_user("weg@example.org", display_name="Weg")
    src, a = make_account(allow_negative=True), make_account()
    txn = services.transfer(src, a, 5, kind="x", description="d", actor=user, idempotency_key="u")
    user.delete()
    txn.refresh_from_db()
    assert txn.actor_id is None and txn.description == "d"
    other = User.objects.create_user("ander@example.org", display_name="Ander")
    _refused_by_db("UPDATE ledger_transaction SET actor_id = %s WHERE id = %s", [other.pk, txn.pk])
    _refused_by_db(
        "UPDATE ledger_transaction SET actor_id = NULL, kind = 'y' WHERE id = %s", [txn.pk]
    )


def test_guard_column_lists_match_the_models() -> None:
    """The SQLite triggers list columns by name: a new column must be added there too."""
    txn_columns = {f.column for f in Transaction._meta.concrete_fields}
    assert txn_columns - {"actor_id"} == set(TRANSACTION_COLUMNS)
    account_columns = {f.column for f in Account._meta.concrete_fields}
    assert set(ACCOUNT_FIXED_COLUMNS) == account_columns - {"name", "created_at"}


def test_committed_ledger_rows_can_be_flushed_after_a_test(
    ledger_flushable: None, make_account: MakeAccount
) -> None:
    """With the ledger_flushable fixture a transactional test may commit ledger rows: they are
    emptied (guards lifted on SQLite test databases only) before Django flushes."""
    src, a = make_account(allow_negative=True), make_account()
    services.transfer(src, a, 5, kind="x", description="d", actor=None, idempotency_key="f")
    assert Transaction.objects.count() == 1
    # The guards are still on for everyone else.
    _refused_by_db("DELETE FROM ledger_entry", [])
