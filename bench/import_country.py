"""Benchmark: import the whole country's CBS files and print timings.

    .venv/bin/python bench/import_country.py [DATA_DIR]

Imports, in this order, the neighbourhood file (kwb2024_buurten_nl.csv), the municipalities and
districts file (kwb2024_gemeenten_wijken_kerncijfers.csv) and the names file
(cbs_buurt_namen_85984.csv), then the neighbourhood file once more (a re-import, which should
change nothing). DATA_DIR defaults to ../shared/data/cbs beside the repository.

It never touches the development database: without DATABASE_URL it uses a throw-away SQLite
file under /tmp; with a PostgreSQL DATABASE_URL it creates a database of its own on that server
(``bb_bench_<pid>``) and drops it afterwards.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
FILES = (
    "kwb2024_buurten_nl.csv",
    "kwb2024_gemeenten_wijken_kerncijfers.csv",
    "cbs_buurt_namen_85984.csv",
    "kwb2024_buurten_nl.csv",
)


def throwaway_database() -> tuple[str, str, object]:
    """(DATABASE_URL to use, description, cleanup callable)."""
    given = os.environ.get("DATABASE_URL", "")
    if not given or given.startswith("sqlite"):
        handle, name = tempfile.mkstemp(prefix="bb_bench_", suffix=".sqlite3", dir="/tmp")
        os.close(handle)

        def remove() -> None:
            for suffix in ("", "-wal", "-shm"):
                Path(name + suffix).unlink(missing_ok=True)

        return f"sqlite:///{name}", f"SQLite {name}", remove
    if not given.startswith(("postgres://", "postgresql://")):
        sys.exit("DATABASE_URL must be SQLite or PostgreSQL")
    import psycopg

    parts = urlsplit(given)
    database = f"bb_bench_{os.getpid()}"
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{database}"')

    def drop() -> None:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{database}"')

    url = urlunsplit(parts._replace(path=f"/{database}"))
    return url, f"PostgreSQL database {database} (created for this run)", drop


def main() -> None:
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data" / "cbs"
    missing = [name for name in FILES if not (data / name).exists()]
    if missing:
        sys.exit(f"missing data files in {data}: {', '.join(sorted(set(missing)))}")

    url, description, cleanup = throwaway_database()
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "buurtbasis.settings")
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db.models import Count

        from buurtbasis.areas import services
        from buurtbasis.areas.models import Area, IndicatorValue

        print(f"database: {description}")
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"migrate: {time.perf_counter() - started:.1f} s")
        total = 0.0
        for name in FILES:
            started = time.perf_counter()
            result = services.import_cbs(data / name, origin="cli")
            seconds = time.perf_counter() - started
            total += seconds
            created = sum(result.areas_created.values())
            rate = result.rows / seconds
            print(
                f"{name}: {seconds:.2f} s, {result.rows} rows, {rate:,.0f} rows/s; "
                f"areas +{created} ~{sum(result.areas_updated.values())}; values "
                f"written {result.values_written:,}, unchanged {result.values_unchanged:,}"
            )
        counts = dict(
            Area.objects.values_list("level").annotate(n=Count("id")).values_list("level", "n")
        )
        print(f"total import time: {total:.2f} s")
        print(
            f"areas: {counts.get('GM', 0)} municipalities, {counts.get('WK', 0)} districts, "
            f"{counts.get('BU', 0)} neighbourhoods; values: {IndicatorValue.objects.count():,}"
        )
    finally:
        cleanup()  # type: ignore[operator]


if __name__ == "__main__":
    main()
