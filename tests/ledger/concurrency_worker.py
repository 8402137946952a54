"""A worker process for the ledger concurrency tests (run as a script, not collected by pytest).

    python tests/ledger/concurrency_worker.py setup '{"start": 1000}'
        → creates a source, a payer (funded with ``start``) and a payee; prints their ids.
    python tests/ledger/concurrency_worker.py work '{"payer": 1, "payee": 2, ...}'
        → waits for a line on stdin (so all workers start together), then posts transfers and
          prints one JSON object with the outcome of every key.

The database comes from the environment (DATABASE_URL, or SQLITE_PATH for SQLite), like the app.
"""

from __future__ import annotations

import json
import os
import sys
import traceback


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "buurtbasis.settings")
    import django

    django.setup()
    from django.db import connection

    from buurtbasis.accounts.models import Organisation
    from buurtbasis.ledger import services
    from buurtbasis.ledger.errors import InsufficientFunds
    from buurtbasis.ledger.models import Account
    from buurtbasis.ledger.money import Unit

    mode, args = sys.argv[1], json.loads(sys.argv[2])
    if mode == "setup":
        owner = Organisation.objects.create(name="Concurrency")
        source = services.get_or_create_account(owner, "source", Unit.EUR, allow_negative=True)
        payer = services.get_or_create_account(owner, "payer", Unit.EUR)
        payee = services.get_or_create_account(owner, "payee", Unit.EUR)
        services.transfer(
            source,
            payer,
            args["start"],
            kind="test.fund",
            description="start",
            actor=None,
            idempotency_key="concurrency:start",
        )
        print(json.dumps({"payer": payer.pk, "payee": payee.pk}))
        return

    payer = Account.objects.get(pk=args["payer"])
    payee = Account.objects.get(pk=args["payee"])
    keys = [f"w{args['worker']}-{i}" for i in range(args["count"])]
    # Interleave the shared keys that every worker posts too (same content each time).
    dups = [f"dup-{i}" for i in range(args["dups"])]
    step = max(1, len(keys) // max(1, len(dups)))
    for i, key in enumerate(dups):
        keys.insert(i * (step + 1), key)
    connection.ensure_connection()
    sys.stdin.readline()  # the start signal
    outcome: dict[str, object] = {}
    errors: list[str] = []
    for key in keys:
        try:
            txn = services.transfer(
                payer,
                payee,
                args["amount"],
                kind="test.concurrent",
                description="gelijktijdig",
                actor=None,
                idempotency_key=key,
            )
            outcome[key] = txn.pk
        except InsufficientFunds:
            outcome[key] = "insufficient"
        except Exception:  # reported to the test, which fails on any
            errors.append(f"{key}: {traceback.format_exc()}")
    print(json.dumps({"outcome": outcome, "errors": errors}))


if __name__ == "__main__":
    main()
