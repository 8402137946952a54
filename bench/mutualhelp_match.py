"""Neighbour-help benchmark: a city of 100,000 people with 50,000 open offers and 10,000 open
requests (plus closed posts, capabilities and blocks); prints, per backend, the top-10
candidates for a request (p50/p95) and the neighbourhood page (p95 server time, queries).

    .venv/bin/python bench/mutualhelp_match.py                  # SQLite (temp file)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python \\
        bench/mutualhelp_match.py
        # SQLite, then PostgreSQL in a database it creates (bb_mutualhelp_bench_<pid>) and drops
    options: --people 100000 --offers 50000 --requests 10000 --samples 300
             --backend sqlite|postgresql|all

The city is 40 neighbourhoods of about 1 × 1.2 km (8 × 5 grid, about 48 km², a Dutch city
of 100,000 people). People and posts are bulk-inserted (the bench measures reading, not the
services that write). Each backend runs in a child process of its own.
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
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
COLS, ROWS = 8, 5
CELL_LAT_E6, CELL_LON_E6 = 10_800, 14_700  # ≈ 1.2 km × 1.0 km at 52° N
SOUTH_E6, WEST_E6 = 52_060_000, 5_080_000
CATEGORY_WEIGHTS = {
    "odd_jobs": 12,
    "moving": 8,
    "garden": 9,
    "shopping": 10,
    "transport": 7,
    "things": 12,
    "digital": 8,
    "paperwork": 5,
    "language": 4,
    "company": 9,
    "cooking": 5,
    "pets": 5,
    "children": 4,
    "other": 2,
}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(len(ordered) * share), len(ordered) - 1)]


def build_city(people: int, offers: int, requests: int, rng: random.Random) -> dict[str, Any]:
    from django.db import transaction

    from buurtbasis.accounts.models import User
    from buurtbasis.areas.models import Area
    from buurtbasis.mutualhelp.models import ALL_MOMENTS, Block, Capability, HelpProfile, Post

    started = time.perf_counter()
    with transaction.atomic():
        gm = Area.objects.create(code="GM9990", level="GM", name="Bankstad")
        gm.municipality = gm
        gm.save(update_fields=["municipality"])
        hoods = []
        for c in range(COLS):
            district = Area.objects.create(
                code=f"WK9990{c:02d}", level="WK", name=f"Wijk {c}", parent=gm, municipality=gm
            )
            for r in range(ROWS):
                s, w = SOUTH_E6 + r * CELL_LAT_E6, WEST_E6 + c * CELL_LON_E6
                n, e = s + CELL_LAT_E6, w + CELL_LON_E6
                ring = [[w / 1e6, s / 1e6], [e / 1e6, s / 1e6], [e / 1e6, n / 1e6],
                        [w / 1e6, n / 1e6], [w / 1e6, s / 1e6]]  # fmt: skip
                hoods.append(
                    Area.objects.create(
                        code=f"BU9990{c:02d}{r:02d}",
                        level="BU",
                        name=f"Buurt {c}-{r}",
                        parent=district,
                        municipality=gm,
                        boundary={"type": "Polygon", "coordinates": [ring]},
                    )
                )

        def place() -> tuple[Any, int, int]:
            c, r = rng.randrange(COLS), rng.randrange(ROWS)
            lat = SOUTH_E6 + r * CELL_LAT_E6 + rng.randrange(CELL_LAT_E6)
            lon = WEST_E6 + c * CELL_LON_E6 + rng.randrange(CELL_LON_E6)
            return hoods[c * ROWS + r], lat, lon

        users = User.objects.bulk_create(
            [
                User(email=f"p{i}@bench.invalid", display_name=f"Buur {i}", password="!")
                for i in range(people)
            ],
            batch_size=5000,
        )
        if not users or users[0].pk is None:  # backends without RETURNING
            users = list(User.objects.filter(email__endswith="@bench.invalid").order_by("pk"))
        now = datetime.now(tz=UTC)
        homes: dict[int, tuple[Any, int, int]] = {}
        profiles = []
        for u in users:
            homes[u.pk] = place()
            area, lat, lon = homes[u.pk]
            profiles.append(
                HelpProfile(
                    user_id=u.pk,
                    neighbourhood_id=area.pk,
                    lat_e6=lat,
                    lon_e6=lon,
                    radius_m=rng.choice((500, 1000, 1000, 2000, 5000)),
                    moments=rng.choice((0, 0, rng.randrange(1, ALL_MOMENTS + 1))),
                    last_active_at=now - timedelta(days=rng.randrange(0, 180)),
                )
            )
        profiles = HelpProfile.objects.bulk_create(profiles, batch_size=5000)
        if profiles[0].pk is None:
            profiles = list(HelpProfile.objects.order_by("pk"))
        cats, weights = list(CATEGORY_WEIGHTS), list(CATEGORY_WEIGHTS.values())
        capabilities = []
        for p in profiles:
            if rng.random() < 0.4:
                for cat in set(rng.choices(cats, weights, k=rng.randint(1, 3))):
                    capabilities.append(
                        Capability(
                            profile_id=p.pk,
                            user_id=p.user_id,
                            category=cat,
                            lat_e6=p.lat_e6,
                            lon_e6=p.lon_e6,
                            radius_m=p.radius_m,
                            moments=p.moments,
                            last_active_at=p.last_active_at,
                        )
                    )
        Capability.objects.bulk_create(capabilities, batch_size=5000)

        kinds = ["task", "task", "task", "lend", "lend", "ride", "skill", "time"]

        activity = {p.user_id: p.last_active_at for p in profiles}

        def post(direction: str, status: str) -> Post:
            owner = rng.choice(users)
            area, lat, lon = homes[owner.pk]
            kind = rng.choice(kinds)
            return Post(
                direction=direction,
                kind=kind,
                category=rng.choices(cats, weights)[0],
                title=f"{direction} {kind}",
                owner_id=owner.pk,
                created_by_id=owner.pk,
                neighbourhood_id=area.pk,
                lat_e6=lat + rng.randint(-50, 50),
                lon_e6=lon + rng.randint(-50, 50),
                radius_m=rng.choice((500, 1000, 1000, 2000, 5000)),
                moments=rng.choice((0, rng.randrange(1, ALL_MOMENTS + 1))),
                seats=rng.randint(1, 4) if kind == "ride" else None,
                status=status,
                created_at=now - timedelta(minutes=rng.randrange(0, 60 * 24 * 60)),
                hide_location=rng.random() < 0.02,
                owner_active_at=activity[owner.pk],
            )

        rows = [post("offer", "open") for _ in range(offers)]
        rows += [post("request", "open") for _ in range(requests)]
        rows += [post(rng.choice(("offer", "request")), "closed") for _ in range(offers // 2)]
        Post.objects.bulk_create(rows, batch_size=5000)
        Block.objects.bulk_create(
            [
                Block(blocker_id=a.pk, blocked_id=b.pk)
                for a, b in (rng.sample(users, 2) for _ in range(people // 50))
            ],
            batch_size=5000,
            ignore_conflicts=True,
        )
    return {
        "build_s": round(time.perf_counter() - started, 1),
        "capabilities": len(capabilities),
        "hoods": [h.code for h in hoods],
        "user_ids": [u.pk for u in users],
    }


def child(people: int, offers: int, requests: int, samples: int) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "buurtbasis.settings")
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from buurtbasis.accounts.models import User
    from buurtbasis.mutualhelp import matching
    from buurtbasis.mutualhelp.models import Capability, Post

    setup_test_environment()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    rng = random.Random(20240601)  # noqa: S311 (benchmark data)
    from buurtbasis.areas.models import Area

    if Area.objects.filter(code="GM9990").exists():  # --sqlite-path with a city already built
        city = {
            "build_s": 0.0,
            "capabilities": Capability.objects.count(),
            "hoods": list(
                Area.objects.filter(level="BU", code__startswith="BU9990").values_list(
                    "code", flat=True
                )
            ),
            "user_ids": list(
                User.objects.filter(email__endswith="@bench.invalid").values_list("pk", flat=True)
            ),
        }
    else:
        city = build_city(people, offers, requests, rng)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")

    ids = list(Post.objects.filter(status="open", direction="request").values_list("pk", flat=True))
    chosen = rng.sample(ids, min(samples, len(ids)))
    subjects = list(Post.objects.filter(pk__in=chosen))
    for subject in subjects[:20]:  # warm the caches
        matching.find_candidates(subject, limit=10)
    timings, cpu, found = [], [], []
    for subject in subjects:
        t0, c0 = time.perf_counter(), time.process_time()
        result = matching.find_candidates(subject, limit=10)
        timings.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        found.append(len(result))
    # Same, including loading the request by id (what a page or the API does first).
    with_load = []
    for subject in subjects[:100]:
        t0 = time.perf_counter()
        matching.find_candidates(Post.objects.get(pk=subject.pk), limit=10)
        with_load.append((time.perf_counter() - t0) * 1000)
    offer_ids = list(
        Post.objects.filter(status="open", direction="offer").values_list("pk", flat=True)[:5000]
    )
    offer_timings = []
    for subject in Post.objects.filter(pk__in=rng.sample(offer_ids, min(100, len(offer_ids)))):
        t0 = time.perf_counter()
        matching.find_candidates(subject, limit=10)
        offer_timings.append((time.perf_counter() - t0) * 1000)

    client = Client()
    page_ms: list[float] = []
    page_cpu: list[float] = []
    page_queries: list[int] = []
    viewer = User.objects.get(pk=city["user_ids"][0])
    for round_ in range(2):
        if round_ == 1:
            client.force_login(viewer)
        for code in rng.sample(city["hoods"] * 3, min(60, len(city["hoods"]) * 3)):
            url = f"/burenhulp/buurt/{code}/"
            client.get(url)  # warm
            with CaptureQueriesContext(connection) as queries:
                t0, c0 = time.perf_counter(), time.process_time()
                response = client.get(url)
                page_ms.append((time.perf_counter() - t0) * 1000)
                page_cpu.append((time.process_time() - c0) * 1000)
            assert response.status_code == 200, response.status_code
            page_queries.append(len(queries.captured_queries))

    return {
        "vendor": connection.vendor,
        "people": people,
        "offers": offers,
        "requests": requests,
        "capabilities": city["capabilities"],
        "build_s": city["build_s"],
        "samples": len(timings),
        "match_p50_ms": round(statistics.median(timings), 2),
        "match_p95_ms": round(percentile(timings, 0.95), 2),
        "match_max_ms": round(max(timings), 1),
        "match_cpu_p50_ms": round(statistics.median(cpu), 2),
        "match_cpu_p95_ms": round(percentile(cpu, 0.95), 2),
        "load": round(os.getloadavg()[0], 1),
        "match_with_load_p95_ms": round(percentile(with_load, 0.95), 2),
        "offer_match_p50_ms": round(statistics.median(offer_timings), 2),
        "offer_match_p95_ms": round(percentile(offer_timings, 0.95), 2),
        "mean_found": round(statistics.mean(found), 1),
        "page_p50_ms": round(statistics.median(page_ms), 1),
        "page_p95_ms": round(percentile(page_ms, 0.95), 1),
        "page_cpu_p95_ms": round(percentile(page_cpu, 0.95), 1),
        "page_queries_max": max(page_queries),
        "page_queries_min": min(page_queries),
    }


def run_child(backend: str, args: argparse.Namespace, env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            "--people",
            str(args.people),
            "--offers",
            str(args.offers),
            "--requests",
            str(args.requests),
            "--samples",
            str(args.samples),
        ],
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


def sqlite_run(args: argparse.Namespace) -> dict[str, Any]:
    if args.sqlite_path:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env["SQLITE_PATH"] = args.sqlite_path
        return run_child("sqlite", args, env)
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env["SQLITE_PATH"] = str(Path(tmp) / "bench.sqlite3")
        return run_child("sqlite", args, env)


def postgres_run(args: argparse.Namespace, url: str) -> dict[str, Any]:
    import psycopg

    parts = urlsplit(url)
    keep = bool(args.postgres_db)
    name = args.postgres_db or f"bb_mutualhelp_bench_{os.getpid()}"
    admin = psycopg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname=parts.path.lstrip("/") or "postgres",
        autocommit=True,
    )
    exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    if not exists:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        env = dict(os.environ)
        env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
        return run_child("postgresql", args, env)
    finally:
        if not keep:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def show(r: dict[str, Any]) -> None:
    print(
        f"\n{r['vendor']}: {r['people']} people, {r['offers']} open offers, {r['requests']} open "
        f"requests, {r['capabilities']} capabilities (built in {r['build_s']} s)\n"
        f"  top-10 candidates for a request   p50 {r['match_p50_ms']} ms, "
        f"p95 {r['match_p95_ms']} ms, max {r['match_max_ms']} ms "
        f"({r['samples']} requests, {r['mean_found']} found on average)\n"
        f"    including loading the request   p95 {r['match_with_load_p95_ms']} ms\n"
        f"    CPU time of this process        p50 {r['match_cpu_p50_ms']} ms, "
        f"p95 {r['match_cpu_p95_ms']} ms\n"
        f"  top-10 requests for an offer      p50 {r['offer_match_p50_ms']} ms, "
        f"p95 {r['offer_match_p95_ms']} ms\n"
        f"  neighbourhood page                p50 {r['page_p50_ms']} ms, "
        f"p95 {r['page_p95_ms']} ms, {r['page_queries_min']}–{r['page_queries_max']} queries "
        f"(anonymous and signed in; CPU p95 {r['page_cpu_p95_ms']} ms)\n"
        f"  (load average during the run: {r['load']} on {os.cpu_count()} cores)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--offers", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "all"], default="all")
    parser.add_argument(
        "--sqlite-path",
        default="",
        help="keep the SQLite city in this file and reuse it next time (default: a temp file)",
    )
    parser.add_argument(
        "--postgres-db",
        default="",
        help="keep the PostgreSQL city in this database and reuse it (default: a temporary one)",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.people, args.offers, args.requests, args.samples)))
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
