"""Benchmark: the neighbourhood map page with 5,000 places in the city, and PDF generation.

    .venv/bin/python bench/wijkbeeld_map.py [--places 5000] [--requests 100] [--reuse]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bb_wb_bench \
        .venv/bin/python bench/wijkbeeld_map.py

It builds a throw-away database (SQLite in /tmp, or the PostgreSQL database named by
DATABASE_URL, which is dropped and recreated), loads the demo municipality (``core.demo``) and
the demo wijkbeeld (``wijkbeeld.demo``), and spreads ``--places`` extra places over its
neighbourhoods. Then it requests the places page (list + map) of random neighbourhoods, of the
districts and of the whole municipality through ``django.test.Client`` and prints p50/p95/max
server time and the number of queries per page, and times the PDFs (poster, card, wijkbeeld,
briefing, agenda).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SQLITE = Path("/tmp/buurtbasis_wb_bench.sqlite3")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def prepare_database(reuse: bool) -> bool:
    """Point Django at a fresh database; True when it still has to be filled."""
    url = os.environ.get("DATABASE_URL", "")
    if url:
        name = url.rsplit("/", 1)[1]
        server = url.rsplit("/", 1)[0]
        host = server.split("@")[-1].split(":")[0]
        if not reuse:
            for sql in (f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"):
                subprocess.run(
                    ["psql", "-h", host, "-U", "postgres", "-d", "postgres", "-qc", sql],
                    check=True,
                )
        return not reuse
    os.environ["SQLITE_PATH"] = str(SQLITE)
    if reuse and SQLITE.exists():
        return False
    for suffix in ("", "-wal", "-shm"):
        Path(f"{SQLITE}{suffix}").unlink(missing_ok=True)
    return True


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--places", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()

    fresh = prepare_database(args.reuse)
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "buurtbasis.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    import logging

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from buurtbasis.agenda.models import Agenda, BuurtTop
    from buurtbasis.areas.models import Area
    from buurtbasis.core import demo
    from buurtbasis.places.models import Kind, Place
    from buurtbasis.wijkbeeld.demo import load_demo_wijkbeeld
    from buurtbasis.wijkbeeld.models import Wijkbeeld

    if fresh:
        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)
        started = time.perf_counter()
        municipality = demo.load().municipality
        assert municipality is not None
        load_demo_wijkbeeld(municipality)
        neighbourhoods = list(Area.objects.filter(municipality=municipality, level="BU"))
        rng = random.Random(5000)
        kinds = Kind.values
        batch = []
        for n in range(args.places):
            area = rng.choice(neighbourhoods)
            batch.append(
                Place(
                    area=area,
                    name=f"Plek {n}",
                    kind=rng.choice(kinds),
                    schedule="elke dinsdag 10–12 uur",
                    how_to_join="Gewoon binnenlopen",
                    drop_in=rng.random() < 0.5,
                    host_name="Gastvrouw",
                    address=f"Straat {n}",
                    latitude=Decimal("52.05") + Decimal(rng.randint(0, 40000)) / 1_000_000,
                    longitude=Decimal("5.55") + Decimal(rng.randint(0, 120000)) / 1_000_000,
                )
            )
        Place.objects.bulk_create(batch, batch_size=1000)
        print(f"setup: {time.perf_counter() - started:.1f} s")
    municipality = Area.objects.get(code=demo.MUNICIPALITY_CODE)
    neighbourhoods = list(Area.objects.filter(municipality=municipality, level="BU"))
    districts = list(Area.objects.filter(municipality=municipality, level="WK"))
    total = Place.objects.filter(area__municipality=municipality).count()
    print(f"database: {connection.vendor}; places in the city: {total}")

    client = Client(HTTP_HOST="127.0.0.1")
    rng = random.Random(1)

    def measure(label: str, urls: list[str], repeat: int) -> None:
        times: list[float] = []
        queries: set[int] = set()
        client.get(urls[0])  # warm up
        for i in range(repeat):
            url = urls[i % len(urls)]
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            queries.add(len(ctx.captured_queries))
        print(
            f"{label:<34} n={repeat:<4} p50={statistics.median(times):7.1f} ms  "
            f"p95={percentile(times, 0.95):7.1f} ms  max={max(times):7.1f} ms  "
            f"queries={sorted(queries)}"
        )

    per = [
        reverse("places:area", args=[n.code])
        for n in rng.sample(neighbourhoods, len(neighbourhoods))
    ]
    measure("neighbourhood places page + map", per, args.requests)
    measure(
        "district places page + map",
        [reverse("places:area", args=[d.code]) for d in districts],
        max(10, args.requests // 5),
    )
    measure("municipality places page + map", [reverse("places:area", args=[municipality.code])], 5)
    measure(
        "places API, one neighbourhood",
        [f"/api/v1/places/?area={n.code}" for n in neighbourhoods],
        max(10, args.requests // 5),
    )
    wijkbeeld = Wijkbeeld.objects.select_related("area").first()
    if wijkbeeld is not None:
        measure(
            "wijkbeeld page (demo district)",
            [reverse("wijkbeeld:detail", args=[wijkbeeld.area.code])],
            10,
        )

    def time_pdf(label: str, url: str, repeat: int = 3) -> None:
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.content.startswith(b"%PDF"), url
        print(
            f"PDF {label:<30} n={repeat}  median={statistics.median(times):7.1f} ms  "
            f"max={max(times):7.1f} ms  size={len(response.content) // 1024} KiB"
        )

    busy = max(neighbourhoods, key=lambda n: Place.objects.filter(area=n).count())
    demo_nb = wijkbeeld.area.children.order_by("code")[1] if wijkbeeld else busy
    time_pdf(
        f"poster ({Place.objects.filter(area=demo_nb).count()} places)",
        reverse("places:poster", args=[demo_nb.code]),
    )
    time_pdf(
        f"card ({Place.objects.filter(area=demo_nb).count()} places)",
        reverse("places:card", args=[demo_nb.code]),
    )
    time_pdf(
        f"poster ({Place.objects.filter(area=busy).count()} places)",
        reverse("places:poster", args=[busy.code]),
        1,
    )
    if wijkbeeld is not None:
        time_pdf("wijkbeeld (demo district)", reverse("wijkbeeld:pdf", args=[wijkbeeld.area.code]))
    top = BuurtTop.objects.first()
    if top is not None:
        time_pdf("BuurtTop briefing", reverse("agenda:briefing_pdf", args=[top.pk]))
    agenda = Agenda.objects.first()
    if agenda is not None:
        time_pdf("wijktoekomstagenda", reverse("agenda:pdf", args=[agenda.pk]))


if __name__ == "__main__":
    main()
