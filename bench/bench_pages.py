"""Benchmark: server time and number of queries of the area pages, with all Dutch areas loaded.

    .venv/bin/python bench/bench_pages.py [--pages 200] [--reuse]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bb_web_bench \
        .venv/bin/python bench/bench_pages.py

It builds two throw-away databases with the real CBS importer (``manage.py import_cbs``):

* ``one``: a single municipality (Utrecht, GM0344), from the same files filtered to its rows;
* ``all``: every municipality, district and neighbourhood of the Netherlands (2024).

Then, in each, it requests the page of ``--pages`` random neighbourhoods (and some district and
municipality pages) through ``django.test.Client`` and prints p50/p95/max server time and the
number of queries per page (``CaptureQueriesContext``). The query counts must be the same in
both databases: they do not grow with the data.

SQLite files go to /tmp (``--reuse`` keeps them between runs). With ``DATABASE_URL`` two
PostgreSQL databases ``<name>_one`` and ``<name>_all`` are (re)created on that server.
Needs ../shared/data/cbs (the real CBS files); without them it says so and stops.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "cbs"
FILES = ("kwb2024_gemeenten_wijken_kerncijfers.csv", "kwb2024_buurten_nl.csv")
ONE_MUNICIPALITY = "GM0344"
# Boundaries for the "all" database, so map pages are measured too (Amsterdam neighbourhoods,
# districts of Haarlem and Haarlemmermeer).
BOUNDARIES = (
    ROOT.parent / "shared" / "data" / "boundaries" / "amsterdam_buurten.geojson",
    ROOT.parent
    / "shared"
    / "data"
    / "boundaries"
    / "wijken_haarlem_haarlemmermeer_2024_wgs84.geojson",
)


KINDS = (
    "neighbourhood",
    "district",
    "municipality",
    "neighbourhood+map",
    "municipality+map",
    "api_statistics",
)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


# --- Preparing the databases (in a child process per database) -------------------------------


def _in_municipality(cell: str, digits: str) -> bool:
    cell = cell.strip()
    return cell[:2] in ("GM", "WK", "BU") and cell[2:6] == digits


def filtered_copy(source: Path, target: Path, municipality: str) -> Path:
    """The rows of ``source`` that belong to ``municipality`` (by any code column)."""
    digits = municipality[2:]
    with source.open(newline="", encoding="utf-8-sig") as f_in:
        reader = csv.reader(f_in)
        header = next(reader)
        rows = [r for r in reader if any(_in_municipality(c, digits) for c in r)]
    with target.open("w", newline="", encoding="utf-8") as f_out:
        writer = csv.writer(f_out)
        writer.writerow(header)
        writer.writerows(rows)
    return target


def child_env(database: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "buurtbasis.settings",
            "PYTHONPATH": str(ROOT / "src"),
            "DJANGO_DEBUG": "0",
            "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
            "LOG_LEVEL": "WARNING",
        }
    )
    if database.startswith("postgres"):
        env["DATABASE_URL"] = database
    else:
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = database
    return env


def recreate_postgres(url: str) -> None:
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def prepare(
    database: str, files: list[Path], reuse: bool, boundaries: tuple[Path, ...] = ()
) -> float:
    """Migrate and import ``files`` (and ``boundaries``) into ``database``; returns the
    seconds it took."""
    if database.startswith("postgres"):
        recreate_postgres(database)
    else:
        path = Path(database)
        if reuse and path.exists():
            return 0.0
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    env = child_env(database)
    manage = [sys.executable, str(ROOT / "manage.py")]
    started = time.perf_counter()
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True)
    subprocess.run([*manage, "createcachetable"], env=env, check=True)
    for file in files:
        subprocess.run(
            [*manage, "import_cbs", str(file), "--year", "2024"],
            env=env,
            check=True,
            stderr=subprocess.DEVNULL,
        )
    for file in boundaries:
        if file.exists():
            subprocess.run(
                [*manage, "import_boundaries", str(file)],
                env=env,
                check=True,
                stderr=subprocess.DEVNULL,
            )
    if database.startswith("postgres"):
        import psycopg

        # Fresh statistics, as autovacuum would gather them soon after a real import.
        with psycopg.connect(database, autocommit=True) as conn:
            conn.execute("ANALYZE")
    return time.perf_counter() - started


# --- Measuring (child process) ---------------------------------------------------------------


def measure(pages: int, seed: int) -> dict[str, object]:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from buurtbasis.areas.models import Area

    counts = {level: Area.objects.filter(level=level).count() for level in ("GM", "WK", "BU")}
    rng = random.Random(seed)
    codes = list(Area.objects.filter(level="BU").values_list("code", flat=True))
    districts = list(Area.objects.filter(level="WK").values_list("code", flat=True))
    municipalities = list(Area.objects.filter(level="GM").values_list("code", flat=True))
    mapped = list(
        Area.objects.filter(level="BU", boundary__isnull=False).values_list("code", flat=True)
    )
    mapped_districts = Area.objects.filter(level="WK", boundary__isnull=False)
    mapped_municipalities = sorted(set(mapped_districts.values_list("parent__code", flat=True)))
    sample = {
        "neighbourhood": rng.sample(codes, min(pages, len(codes))),
        "district": rng.sample(districts, min(max(pages // 4, 1), len(districts))),
        "municipality": rng.sample(municipalities, min(max(pages // 10, 1), len(municipalities))),
        "neighbourhood+map": rng.sample(mapped, min(pages, len(mapped))),
        "municipality+map": mapped_municipalities,
    }
    client = Client()
    client.get(f"/gebieden/{codes[0]}/")  # warm up: templates, translations, URL resolver
    result: dict[str, object] = {"areas": counts}
    for kind, chosen in sample.items():
        if not chosen:
            continue
        times: list[float] = []
        queries: list[int] = []
        sizes: list[int] = []
        for code in chosen:
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(f"/gebieden/{code}/")
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (code, response.status_code)
            queries.append(len(captured))
            sizes.append(len(response.content))
        result[kind] = {
            "pages": len(chosen),
            "p50_ms": percentile(times, 0.5),
            "p95_ms": percentile(times, 0.95),
            "max_ms": max(times),
            "queries": sorted(set(queries)),
            "kb_median": statistics.median(sizes) / 1024,
        }
    api_times: list[float] = []
    api_queries: list[int] = []
    for code in sample["neighbourhood"][:50]:
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(f"/api/v1/areas/{code}/statistics")
            api_times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
        api_queries.append(len(captured))
    result["api_statistics"] = {
        "pages": len(api_times),
        "p50_ms": percentile(api_times, 0.5),
        "p95_ms": percentile(api_times, 0.95),
        "max_ms": max(api_times),
        "queries": sorted(set(api_queries)),
        "kb_median": 0.0,
    }
    return result


# --- Main ------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=200, help="neighbourhood pages per database")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--reuse", action="store_true", help="keep SQLite files between runs")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.measure:
        print(json.dumps(measure(args.pages, args.seed)))
        return

    missing = [f for f in FILES if not (DATA / f).exists()]
    if missing:
        print(f"CBS files not found in {DATA}: {', '.join(missing)}; nothing measured.")
        return

    base = os.environ.get("DATABASE_URL", "")
    if base:
        databases = {"one": f"{base}_one", "all": f"{base}_all"}
    else:
        databases = {
            "one": "/tmp/bb_bench_pages_one.sqlite3",
            "all": "/tmp/bb_bench_pages_all.sqlite3",
        }

    tmp = Path("/tmp/bb_bench_pages")
    tmp.mkdir(exist_ok=True)
    one_files = [filtered_copy(DATA / f, tmp / f"one_{f}", ONE_MUNICIPALITY) for f in FILES]
    all_files = [DATA / f for f in FILES]

    results = {}
    for label, files in (("one", one_files), ("all", all_files)):
        database = databases[label]
        seconds = prepare(database, files, args.reuse, BOUNDARIES if label == "all" else ())
        if seconds:
            print(f"[{label}] migrated and imported {len(files)} CBS files in {seconds:.1f} s")
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--measure",
                "--pages",
                str(args.pages),
                "--seed",
                str(args.seed),
            ],
            env=child_env(database),
            check=True,
            capture_output=True,
            text=True,
        )
        results[label] = json.loads(out.stdout.strip().splitlines()[-1])

    engine = "PostgreSQL" if base else "SQLite"
    print(f"\nArea pages through django.test.Client on {engine} (server time, ms)")
    for label in ("one", "all"):
        areas = results[label]["areas"]
        print(
            f"\n[{label}] database with {areas['GM']} municipalities, {areas['WK']} districts, "
            f"{areas['BU']} neighbourhoods"
        )
        print(
            f"  {'page':15} {'n':>5} {'p50':>8} {'p95':>8} {'max':>8}  {'queries':10} {'size':>8}"
        )
        for kind in KINDS:
            r = results[label].get(kind)
            if r is None:
                continue
            queries = ",".join(map(str, r["queries"]))
            print(
                f"  {kind:17} {r['pages']:>5} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} "
                f"{r['max_ms']:>8.1f}  {queries:10} {r['kb_median']:>6.1f}kB"
            )
    same = all(
        results["one"][kind]["queries"] == results["all"][kind]["queries"]
        for kind in ("neighbourhood", "district", "municipality", "api_statistics")
    ) and all(
        results["all"][f"{kind}+map"]["queries"] == results["all"][kind]["queries"]
        for kind in ("neighbourhood", "municipality")
        if f"{kind}+map" in results["all"]
    )
    print(
        "\nQueries per page are "
        + (
            "the same with one municipality and with all of the Netherlands."
            if same
            else "DIFFERENT between the databases!"
        )
    )


if __name__ == "__main__":
    main()
