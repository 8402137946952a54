"""Ledger benchmark: N transfers among A accounts; prints throughput, p50/p95 latency of post(),
the time of check_ledger and of a balances() read.

    .venv/bin/python bench/ledger_post.py                  # SQLite (temp file)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/ledger_post.py
        # SQLite, then PostgreSQL in a database it creates (bb_ledger_bench_<pid>) and drops
    options: --n 20000 --accounts 1000 --backend sqlite|postgresql|all

The machine is shared: compare the wall-clock figures with `uptime`'s load; the CPU time per
post() of the benchmark process itself is printed too, as it does not depend on other load.

Each backend runs in a child process of its own (Django is configured once per process).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]


def child(n: int, n_accounts: int) -> dict[str, object]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "buurtbasis.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from buurtbasis.accounts.models import Organisation
    from buurtbasis.ledger import services
    from buurtbasis.ledger.errors import InsufficientFunds
    from buurtbasis.ledger.money import Unit

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrate_s = time.perf_counter() - started

    owner = Organisation.objects.create(name="Bench")
    source = services.get_or_create_account(owner, "source", Unit.EUR, allow_negative=True)
    accounts = [
        services.get_or_create_account(owner, f"acct-{i:05d}", Unit.EUR) for i in range(n_accounts)
    ]
    started = time.perf_counter()
    for i, account in enumerate(accounts):
        services.transfer(
            source,
            account,
            1_000_000,
            kind="bench.fund",
            description="start",
            actor=None,
            idempotency_key=f"fund-{i}",
        )
    setup_s = time.perf_counter() - started

    rng = random.Random(42)  # noqa: S311 (benchmark data)
    latencies: list[float] = []
    refused = 0
    started, cpu_started = time.perf_counter(), time.process_time()
    for i in range(n):
        a, b = rng.sample(accounts, 2)
        t0 = time.perf_counter()
        try:
            services.transfer(
                a,
                b,
                rng.randint(1, 10_000),
                kind="bench.transfer",
                description="overboeking",
                actor=None,
                idempotency_key=f"t-{i}",
            )
        except InsufficientFunds:
            refused += 1
        latencies.append(time.perf_counter() - t0)
    total_s = time.perf_counter() - started
    cpu_ms = (time.process_time() - cpu_started) / n * 1000

    t0 = time.perf_counter()
    call_command("check_ledger", stdout=open(os.devnull, "w"))  # noqa: SIM115
    check_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    services.balances(accounts)
    balances_ms = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    rows = list(services.entries_for(accounts[0], newest_first=True)[:50])
    entries_ms = (time.perf_counter() - t0) * 1000
    latencies.sort()
    return {
        "vendor": connection.vendor,
        "n": n,
        "accounts": n_accounts,
        "migrate_s": round(migrate_s, 1),
        "setup_postings_per_s": round(n_accounts / setup_s),
        "postings_per_s": round(n / total_s),
        "refused": refused,
        "cpu_ms_per_post": round(cpu_ms, 2),
        "load_average": round(os.getloadavg()[1], 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p95_ms": round(latencies[int(len(latencies) * 0.95)] * 1000, 2),
        "max_ms": round(latencies[-1] * 1000, 1),
        "check_ledger_s": round(check_s, 2),
        "balances_ms": round(balances_ms, 1),
        "entries_for_page_ms": round(entries_ms, 1),
        "entries_for_rows": len(rows),
    }


def run_child(backend: str, n: int, n_accounts: int, env: dict[str, str]) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", "--n", str(n), "--accounts", str(n_accounts)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"{backend} benchmark failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


def sqlite_run(n: int, n_accounts: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env["SQLITE_PATH"] = str(Path(tmp) / "bench.sqlite3")
        return run_child("sqlite", n, n_accounts, env)


def postgres_run(n: int, n_accounts: int, url: str) -> dict[str, object]:
    import psycopg

    parts = urlsplit(url)
    name = f"bb_ledger_bench_{os.getpid()}"
    admin = psycopg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname=parts.path.lstrip("/") or "postgres",
        autocommit=True,
    )
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        env = dict(os.environ)
        env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
        return run_child("postgresql", n, n_accounts, env)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


def show(result: dict[str, object]) -> None:
    lines = [
        f"{result['vendor']}: {result['n']} transfers among {result['accounts']} accounts",
        f"throughput           {result['postings_per_s']} postings/s "
        f"({result['refused']} refused for lack of funds)",
        f"post() latency       p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, "
        f"max {result['max_ms']} ms",
        f"CPU of this process  {result['cpu_ms_per_post']} ms per post() (independent of other "
        f"load; 5-min load average {result['load_average']} on {os.cpu_count()} cores)",
        f"check_ledger         {result['check_ledger_s']} s over "
        f"{int(str(result['n'])) + int(str(result['accounts']))} transactions",
        f"balances({result['accounts']})".ljust(21) + f"{result['balances_ms']} ms (one query)",
        f"entries_for (50)     {result['entries_for_page_ms']} ms",
        f"(setup: migrate {result['migrate_s']} s, funding "
        f"{result['setup_postings_per_s']} postings/s)",
    ]
    print("\n" + lines[0] + "".join(f"\n  {line}" for line in lines[1:]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "all"], default="all")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.n, args.accounts)))
        return
    url = os.environ.get("DATABASE_URL", "")
    if args.backend in ("sqlite", "all"):
        show(sqlite_run(args.n, args.accounts))
    if args.backend in ("postgresql", "all"):
        if url:
            show(postgres_run(args.n, args.accounts, url))
        else:
            print("\npostgresql: skipped (set DATABASE_URL=postgres://… to run it)")


if __name__ == "__main__":
    main()
