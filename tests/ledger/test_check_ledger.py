"""manage.py check_ledger: passes on a clean ledger, fails on every kind of corruption."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from buurtbasis.ledger import services
from buurtbasis.ledger.checks import find_breaches
from buurtbasis.ledger.guards import guard_enabled
from buurtbasis.ledger.models import Transaction

from .conftest import MakeAccount

pytestmark = pytest.mark.django_db


def _run() -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("check_ledger", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _fail() -> str:
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("check_ledger", stdout=StringIO(), stderr=err)
    return err.getvalue()


@pytest.fixture
def ledger(make_account: MakeAccount) -> dict[str, object]:
    src, a, b = make_account(allow_negative=True), make_account(), make_account()
    services.transfer(src, a, 1000, kind="x", description="in", actor=None, idempotency_key="1")
    pay = services.post(
        [(a, -600), (b, 600)], kind="x", description="uit", actor=None, idempotency_key="2"
    )
    rev = services.reverse(pay, actor=None, reason="fout", idempotency_key="3")
    return {"src": src, "a": a, "b": b, "pay": pay, "rev": rev}


def test_clean_ledger_passes(ledger: dict[str, object]) -> None:
    out, err = _run()
    assert "Grootboek klopt" in out and "3 rekeningen" in out and "3 boekingen" in out
    assert "1 correcties" in out
    assert err == ""


def test_empty_ledger_passes(db: None) -> None:
    out, _ = _run()
    assert "0 boekingen" in out


def test_corrupted_balance_cache_fails(ledger: dict[str, object]) -> None:
    a = ledger["a"]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE ledger_accountbalance SET balance = balance + 1 WHERE account_id = %s",
            [a.pk],  # type: ignore[attr-defined]
        )
    err = _fail()
    assert "[balance]" in err and "1001" in err and "1000" in err


def test_copied_overdraft_rule_mismatch_fails(ledger: dict[str, object]) -> None:
    a = ledger["a"]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE ledger_accountbalance SET allow_negative = %s WHERE account_id = %s",
            [True, a.pk],  # type: ignore[attr-defined]
        )
    assert "[balance]" in _fail()


def _unguarded(sql: str, params: list[object]) -> None:
    """Corrupt the ledger past the triggers, as only someone with DDL rights could."""
    if connection.vendor == "sqlite":
        token = guard_enabled.set(False)
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
        finally:
            guard_enabled.reset(token)
    else:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")  # triggers off
            try:
                cursor.execute(sql, params)
            finally:
                cursor.execute("SET session_replication_role = origin")


def _breaches_after(sql: str, params: list[object]) -> tuple[set[str], str]:
    """Corrupt, check, and roll the corruption back (PostgreSQL would refuse it at commit)."""
    with transaction.atomic():
        _unguarded(sql, params)
        checks = {breach.check for breach in find_breaches()}
        err = _fail()
        transaction.set_rollback(True)
    return checks, err


def test_unbalanced_transaction_and_drift_fail(ledger: dict[str, object]) -> None:
    pay = ledger["pay"]
    assert isinstance(pay, Transaction)
    checks, err = _breaches_after(
        "UPDATE ledger_entry SET amount = amount + 5 WHERE transaction_id = %s AND amount > 0",
        [pay.pk],
    )
    assert {"zero_sum", "balance", "reversal_exact"} <= checks
    assert "[zero_sum]" in err
    assert find_breaches() == []  # rolled back


def test_overdraft_by_entries_fails(ledger: dict[str, object], make_account: MakeAccount) -> None:
    a, c = ledger["a"], make_account()
    # Move every credit of a onto c: a keeps only its debit and sums below zero.
    checks, err = _breaches_after(
        "UPDATE ledger_entry SET account_id = %s WHERE account_id = %s AND amount > 0",
        [c.pk, a.pk],  # type: ignore[attr-defined]
    )
    assert "overdraft" in checks and "[overdraft]" in err


def test_reversal_of_a_reversal_fails(ledger: dict[str, object]) -> None:
    rev = ledger["rev"]
    other = Transaction.objects.get(idempotency_key="1")
    assert isinstance(rev, Transaction)
    checks, _ = _breaches_after(
        "UPDATE ledger_transaction SET reversal_of_id = %s WHERE id = %s", [rev.pk, other.pk]
    )
    assert {"reversal_chain", "reversal_exact"} <= checks


def test_missing_trigger_fails(ledger: dict[str, object]) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER ledger_entry_no_change ON ledger_entry")
        else:
            cursor.execute("DROP TRIGGER ledger_entry_no_delete")
    assert "[guards]" in _fail()
