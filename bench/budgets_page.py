"""Budgets benchmark at city scale: server time and query count of the district budget page,
and balance reads with 1,000,000 ledger entries.

    .venv/bin/python bench/budgets_page.py                       # SQLite (temp file)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/budgets_page.py
        # SQLite, then PostgreSQL in a database it creates (bb_budgets_bench_<pid>) and drops
    options: --districts 30 --themes 10 --entries 100000 --big 1000000 --requests 200
             --backend sqlite|postgresql|all

What it builds, in a fresh database per backend (each in a child process of its own):

1. Through the real services: a municipality with ``--districts`` districts and their
   statistics, a four-year framework (the last year is this year) with ``--themes`` themes,
   adopted (district budgets, lines and the adoption postings); three multi-year commitments
   per district renewed every year; two drawing rights per district per year with recorded and
   confirmed hours.
2. BENCH-ONLY BULK PATH (bypasses the ledger services, for speed): "other spending" from the
   line accounts to 2,000 payee accounts until the ledger holds ``--entries`` entries. The rows
   are inserted with ``bulk_create`` (balanced two-leg transactions, fingerprints computed the
   ledger's way) and the maintained balances are updated in the same database transaction, so
   ``check_ledger`` would pass; the database's append-only and zero-sum triggers still run.
3. The district budget page (``budgets:district_budget``) is requested ``--requests`` times
   for random districts and years: p50/p95 server time and queries per page.
4. The same bench-only path adds transfers over 10,000 more accounts until the ledger holds
   ``--big`` entries; then p50/p95 of ``ledger.balance()`` on random accounts, of
   ``ledger.balances()`` for one district page's accounts, and the page again.
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
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def child(args: argparse.Namespace) -> dict[str, object]:  # noqa: C901 (one linear script)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "buurtbasis.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    import datetime

    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import F
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse
    from django.utils import timezone

    from buurtbasis.accounts.models import Organisation, Role
    from buurtbasis.accounts.services import grant_role, register_user
    from buurtbasis.areas.services import ensure_catalogue, set_values, upsert_area
    from buurtbasis.budgets import services
    from buurtbasis.budgets.models import BudgetLine, DrawingRight
    from buurtbasis.ledger import services as ledger
    from buurtbasis.ledger.models import AccountBalance, Entry, Transaction, Unit

    rng = random.Random(7)  # noqa: S311 (benchmark data)
    figures: dict[str, object] = {"vendor": connection.vendor}
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    setup_test_environment()
    figures["migrate_s"] = round(time.perf_counter() - t0, 1)

    # --- 1. City through the services -------------------------------------------------------
    t0 = time.perf_counter()
    ensure_catalogue()
    gm = upsert_area("GM8888", "Benchstad")
    districts = []
    total_inh = 0
    for i in range(1, args.districts + 1):
        district = upsert_area(f"WK8888{i:02d}", f"Wijk {i}", parent=gm)
        inhabitants = rng.randint(4_000, 40_000)
        households = inhabitants * rng.randint(40, 60) // 100
        total_inh += inhabitants
        set_values(
            district,
            2024,
            {
                "inhabitants": inhabitants,
                "households": households,
                "low_income_households": rng.randint(3, 25),
                "age_65_plus": inhabitants * rng.randint(8, 30) // 100,
                "single_person_households": households * rng.randint(20, 60) // 100,
            },
        )
        districts.append(district)
    official = register_user(email="ambtenaar@bench.invalid", display_name="Ambtenaar")
    grant_role(official, gm, Role.CIVIL_SERVANT)
    welfare = Organisation.objects.create(name="Welzijn Benchstad")
    professional = register_user(email="werker@bench.invalid", display_name="Werker")
    grant_role(professional, gm, Role.PROFESSIONAL, organisation=welfare)
    orgs = [Organisation.objects.create(name=f"Organisatie {i}") for i in range(20)]
    this_year = timezone.localdate().year
    start = this_year - 3
    framework = services.create_framework(
        gm, actor=official, name="Bench", start_year=start, end_year=this_year
    )
    extra = args.themes - framework.themes.count()
    rows = [
        services.ThemeInput(pk=t.pk, name=t.name, share_bp=7500 // args.themes)
        for t in framework.themes.all()
    ]
    rows += [
        services.ThemeInput(name=f"Thema {i}", share_bp=7500 // args.themes)
        for i in range(max(extra, 0))
    ]
    services.set_themes(framework, rows, actor=official)
    services.set_sources(
        framework,
        [
            services.SourceInput(
                pk=s.pk,
                name=s.name,
                kind=s.kind,
                amounts=dict.fromkeys(framework.years, rng.randint(1_000_000, 30_000_000) * 100),
            )
            for s in framework.sources.all()
        ],
        actor=official,
    )
    t1 = time.perf_counter()
    preview = services.preview(framework)
    figures["preview_ms"] = round((time.perf_counter() - t1) * 1000, 1)
    t1 = time.perf_counter()
    services.adopt(framework, official)
    figures["adopt_s"] = round(time.perf_counter() - t1, 2)
    assert preview.can_adopt

    lines_by_district: dict[int, list[BudgetLine]] = defaultdict(list)
    for line in BudgetLine.objects.filter(
        district_budget__framework=framework, district_budget__year=start
    ).select_related("district_budget__district", "theme"):
        lines_by_district[line.district_budget.district_id].append(line)
    for district in districts:
        lines = lines_by_district[district.pk]
        for line in rng.sample(lines, 3):
            services.create_commitment(
                line, rng.choice(orgs), rng.randint(1_000, 20_000) * 100, actor=official
            )
    for year in framework.years[1:]:
        renewal = services.renew_commitments(framework, year, actor=official)
        assert not renewal.refused, renewal.refused
    today = timezone.localdate()
    for district in districts:
        group = services.create_group(
            district, f"Groep {district.name}", professional, actor=official, members=[official]
        )
        for year in framework.years:
            line = BudgetLine.objects.get(
                district_budget__framework=framework,
                district_budget__district=district,
                district_budget__year=year,
                is_support=True,
            )
            for _ in range(2):
                right = services.grant_drawing_right(
                    line, group, provider=welfare, minutes=60 * 40, actor=official
                )
                for _ in range(3):
                    day = min(datetime.date(year, rng.randint(1, 12), rng.randint(1, 28)), today)
                    delivery = services.record_hours(
                        right, minutes=90, date=day, description="Werk", actor=professional
                    )
                    if rng.random() < 0.67:
                        services.confirm_hours(delivery, actor=official)
    figures["service_setup_s"] = round(time.perf_counter() - t0, 1)
    figures["lines"] = BudgetLine.objects.filter(district_budget__framework=framework).count()
    figures["drawing_rights"] = DrawingRight.objects.count()
    figures["service_transactions"] = Transaction.objects.count()

    # --- 2./4. BENCH-ONLY bulk path ------------------------------------------------------------
    def bulk_transfers(pairs: list[tuple[ledger.Account, ledger.Account, int]], tag: str) -> None:
        """Balanced two-leg transactions inserted directly (bench only, see the docstring)."""
        now = timezone.now()
        with transaction.atomic():
            txns = []
            for i, (src, dst, amount) in enumerate(pairs):
                txns.append(
                    Transaction(
                        unit=Unit.EUR,
                        kind="bench.spend",
                        description="bench",
                        idempotency_key=f"bench:{tag}:{i}",
                        fingerprint=ledger.fingerprint(
                            unit=Unit.EUR,
                            kind="bench.spend",
                            description="bench",
                            ref_type="",
                            ref_id="",
                            reversal_of_id=None,
                            legs=[(src.pk, -amount), (dst.pk, amount)],
                        ),
                        created_at=now,
                    )
                )
            Transaction.objects.bulk_create(txns, batch_size=2000)
            entries = []
            deltas: dict[int, int] = defaultdict(int)
            for txn, (src, dst, amount) in zip(txns, pairs, strict=True):
                entries.append(Entry(transaction_id=txn.pk, account_id=src.pk, amount=-amount))
                entries.append(Entry(transaction_id=txn.pk, account_id=dst.pk, amount=amount))
                deltas[src.pk] -= amount
                deltas[dst.pk] += amount
            Entry.objects.bulk_create(entries, batch_size=5000)
            for account_id, delta in deltas.items():
                AccountBalance.objects.filter(account_id=account_id).update(
                    balance=F("balance") + delta
                )

    t0 = time.perf_counter()
    line_accounts = list(
        BudgetLine.objects.filter(district_budget__framework=framework).select_related("account")
    )
    balances = ledger.balances([line.account for line in line_accounts if line.account])
    with transaction.atomic():
        payees = [
            ledger.get_or_create_account(org, f"bench-payee-{i}", Unit.EUR)
            for i, org in enumerate(rng.choice(orgs) for _ in range(2000))
        ]
    wanted = max(args.entries - Entry.objects.count(), 0) // 2
    per_line = wanted // len(balances) + 1
    pairs = []
    for account, balance in balances.items():
        amount = max(balance // (2 * per_line), 1)
        for _ in range(per_line):
            if len(pairs) < wanted and balance > amount:
                pairs.append((account, rng.choice(payees), amount))
                balance -= amount
    for chunk in range(0, len(pairs), 20_000):
        bulk_transfers(pairs[chunk : chunk + 20_000], f"spend{chunk}")
    figures["entries_city"] = Entry.objects.count()
    figures["bulk_city_s"] = round(time.perf_counter() - t0, 1)

    # --- 3. The district budget page ------------------------------------------------------------
    def measure_page() -> dict[str, object]:
        client = Client()
        times: list[float] = []
        queries: set[int] = set()
        for _ in range(args.requests):
            district = rng.choice(districts)
            url = reverse("budgets:district_budget", args=[district.code])
            url += f"?jaar={rng.choice(framework.years)}"
            connection.queries_log.clear()  # a request resets the log; start from empty
            with CaptureQueriesContext(connection) as captured:
                t = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - t)
            assert response.status_code == 200
            queries.add(len(captured.captured_queries))
        return {
            "p50_ms": round(statistics.median(times) * 1000, 1),
            "p95_ms": round(percentile(times, 0.95) * 1000, 1),
            "queries": sorted(queries),
        }

    figures["page_city"] = measure_page()

    # --- 4. One million entries ----------------------------------------------------------------
    t0 = time.perf_counter()
    bench_owner = Organisation.objects.create(name="Bench-rekeninghouder")
    source = ledger.get_or_create_account(
        bench_owner, "bench-source", Unit.EUR, allow_negative=True
    )
    big_accounts = [
        ledger.get_or_create_account(bench_owner, f"bench-{i:05d}", Unit.EUR) for i in range(10_000)
    ]
    remaining = max(args.big - Entry.objects.count(), 0) // 2
    batch = 50_000
    done = 0
    while done < remaining:
        n = min(batch, remaining - done)
        bulk_transfers(
            [(source, rng.choice(big_accounts), rng.randint(1, 100_000)) for _ in range(n)],
            f"big{done}",
        )
        done += n
    figures["entries_big"] = Entry.objects.count()
    figures["bulk_big_s"] = round(time.perf_counter() - t0, 1)
    sample = rng.sample(
        big_accounts + [line.account for line in line_accounts if line.account], 2000
    )
    times = []
    for account in sample:
        t = time.perf_counter()
        ledger.balance(account)
        times.append(time.perf_counter() - t)
    figures["balance_p50_ms"] = round(statistics.median(times) * 1000, 3)
    figures["balance_p95_ms"] = round(percentile(times, 0.95) * 1000, 3)
    page_accounts = [
        line.account
        for line in line_accounts
        if line.account and line.district_budget.district_id == districts[0].pk
    ]
    times = []
    for _ in range(200):
        t = time.perf_counter()
        ledger.balances(page_accounts)
        times.append(time.perf_counter() - t)
    figures["balances_page_accounts"] = len(page_accounts)
    figures["balances_p95_ms"] = round(percentile(times, 0.95) * 1000, 3)
    # The truth behind a maintained balance: summing one busy account's entries.
    busiest = max(big_accounts[:50], key=lambda a: ledger.balance(a))
    t = time.perf_counter()
    list(ledger.entries_for(busiest, newest_first=True)[:50])
    figures["entries_for_page_ms"] = round((time.perf_counter() - t) * 1000, 1)
    figures["page_big"] = measure_page()
    return figures


def run_child(backend: str, args: argparse.Namespace, env: dict[str, str]) -> dict[str, object]:
    command = [sys.executable, __file__, "--child"]
    for name in ("districts", "themes", "entries", "big", "requests"):
        command += [f"--{name}", str(getattr(args, name))]
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-5000:])
        raise SystemExit(f"{backend} benchmark failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


def sqlite_run(args: argparse.Namespace) -> dict[str, object]:
    # In memory when possible: the setup writes a lot, and the figures are about reading.
    shm = "/dev/shm" if Path("/dev/shm").is_dir() else None
    with tempfile.TemporaryDirectory(dir=shm) as tmp:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env["SQLITE_PATH"] = str(Path(tmp) / "bench.sqlite3")
        env["LOG_LEVEL"] = "WARNING"
        return run_child("sqlite", args, env)


def postgres_run(args: argparse.Namespace, url: str) -> dict[str, object]:
    import psycopg

    parts = urlsplit(url)
    name = f"bb_budgets_bench_{os.getpid()}"
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
        env["LOG_LEVEL"] = "WARNING"
        return run_child("postgresql", args, env)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


def show(r: dict[str, object]) -> None:
    city, big = r["page_city"], r["page_big"]
    assert isinstance(city, dict) and isinstance(big, dict)
    print(
        f"\n{r['vendor']}:\n"
        f"  city: {r['lines']} budget lines, {r['drawing_rights']} drawing rights, "
        f"{r['service_transactions']} transactions through the services "
        f"({r['service_setup_s']} s; preview {r['preview_ms']} ms, adopt {r['adopt_s']} s)\n"
        f"  district budget page, {r['entries_city']} ledger entries: "
        f"p50 {city['p50_ms']} ms, p95 {city['p95_ms']} ms, queries {city['queries']}\n"
        f"  with {r['entries_big']} ledger entries:\n"
        f"    ledger.balance()           p50 {r['balance_p50_ms']} ms, "
        f"p95 {r['balance_p95_ms']} ms\n"
        f"    ledger.balances({r['balances_page_accounts']})       p95 {r['balances_p95_ms']} ms\n"
        f"    entries_for (50 newest)    {r['entries_for_page_ms']} ms\n"
        f"    district budget page       p50 {big['p50_ms']} ms, p95 {big['p95_ms']} ms, "
        f"queries {big['queries']}\n"
        f"  (setup: migrate {r['migrate_s']} s, bench-only bulk inserts "
        f"{r['bulk_city_s']} s + {r['bulk_big_s']} s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--districts", type=int, default=30)
    parser.add_argument("--themes", type=int, default=10)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--big", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "all"], default="all")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args)))
        return
    url = os.environ.get("DATABASE_URL", "")
    if args.backend in ("sqlite", "all"):
        show(sqlite_run(args))
    if args.backend in ("postgresql", "all"):
        if url:
            show(postgres_run(args, url))
        else:
            print("\npostgresql: skipped (set DATABASE_URL=postgres://… to run it)")


if __name__ == "__main__":
    main()
