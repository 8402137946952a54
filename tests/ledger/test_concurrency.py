"""Many processes post conflicting transfers from one account that may not go below zero.

PostgreSQL: 8 processes against the test database (row locks in account order). SQLite: 4
processes against a file database of their own (IMMEDIATE transactions serialise writers).
Afterwards: no lost update, never below zero, every accepted posting recorded exactly once, and
maintained balance = sum of entries = start − 7 × accepted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.db.models import Sum

ROOT = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).with_name("concurrency_worker.py")
START, AMOUNT = 1000, 7


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SQLITE_PATH"}}
    env["PYTHONPATH"] = str(ROOT / "src")
    env["DJANGO_SETTINGS_MODULE"] = "buurtbasis.settings"
    env.update(extra)
    return env


def _script(mode: str, args: dict[str, Any], env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(WORKER), mode, json.dumps(args)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _race(
    env: dict[str, str], payer: int, payee: int, workers: int, count: int, dups: int
) -> list[dict[str, Any]]:
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                str(WORKER),
                "work",
                json.dumps(
                    {
                        "payer": payer,
                        "payee": payee,
                        "amount": AMOUNT,
                        "worker": w,
                        "count": count,
                        "dups": dups,
                    }
                ),
            ],
            env=env,
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(workers)
    ]
    # Every worker has set up Django and waits on stdin: start them all at once.
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def _check_outcome(results: list[dict[str, Any]], recorded: dict[str, int]) -> int:
    """Compare what the workers were told with what the ledger recorded; return accepted."""
    errors = [e for r in results for e in r["errors"]]
    assert errors == [], "\n".join(errors)
    told: dict[str, set[object]] = defaultdict(set)
    for result in results:
        for key, value in result["outcome"].items():
            told[key].add(value)
    accepted = {key: values for key, values in told.items() if values != {"insufficient"}}
    for key, values in accepted.items():
        # A key is either recorded once and everyone who got through was given that same
        # transaction, or refused; never both accepted and refused.
        assert len(values) == 1, (key, values)
        assert recorded.get(key) == next(iter(values)), (key, values, recorded.get(key))
    assert set(recorded) == set(accepted)
    # 1000 // 7 = 142 transfers fit; every attempt beyond is refused, so exactly that many.
    assert len(recorded) == START // AMOUNT
    return len(recorded)


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (row locks)")
def test_concurrent_transfers_on_postgresql(transactional_db: None) -> None:
    from buurtbasis.ledger.checks import find_breaches
    from buurtbasis.ledger.models import Account, Entry, Transaction
    from buurtbasis.ledger.services import balance

    s = connection.settings_dict
    url = (
        f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST'] or '127.0.0.1'}:"
        f"{s['PORT'] or 5432}/{s['NAME']}"
    )
    env = _env(DATABASE_URL=url)
    ids = _script("setup", {"start": START}, env)
    results = _race(env, ids["payer"], ids["payee"], workers=8, count=50, dups=10)

    recorded = dict(
        Transaction.objects.filter(kind="test.concurrent").values_list("idempotency_key", "id")
    )
    accepted = _check_outcome(results, recorded)
    payer, payee = Account.objects.get(pk=ids["payer"]), Account.objects.get(pk=ids["payee"])
    entry_sum = Entry.objects.filter(account=payer).aggregate(total=Sum("amount"))["total"]
    assert balance(payer) == entry_sum == START - AMOUNT * accepted >= 0
    assert balance(payee) == AMOUNT * accepted
    assert find_breaches() == []


@pytest.mark.slow
@pytest.mark.skipif(connection.vendor != "sqlite", reason="runs in the SQLite pass")
def test_concurrent_transfers_on_sqlite(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "ledger.sqlite3"
    env = _env(SQLITE_PATH=str(db))
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert migrate.returncode == 0, migrate.stderr
    ids = _script("setup", {"start": START}, env)
    results = _race(env, ids["payer"], ids["payee"], workers=4, count=45, dups=6)

    with sqlite3.connect(db) as conn:
        recorded = dict(
            conn.execute(
                "SELECT idempotency_key, id FROM ledger_transaction WHERE kind = 'test.concurrent'"
            ).fetchall()
        )
        accepted = _check_outcome(results, recorded)
        cached = conn.execute(
            "SELECT balance FROM ledger_accountbalance WHERE account_id = ?", [ids["payer"]]
        ).fetchone()[0]
        summed = conn.execute(
            "SELECT SUM(amount) FROM ledger_entry WHERE account_id = ?", [ids["payer"]]
        ).fetchone()[0]
    assert cached == summed == START - AMOUNT * accepted >= 0
    check = subprocess.run(
        [sys.executable, "manage.py", "check_ledger"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert check.returncode == 0, check.stderr
