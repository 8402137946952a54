from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from buurtbasis.areas.models import Area
from buurtbasis.core import audit, demo


class Command(BaseCommand):
    # Data only: `make run` starts runserver right after, which runs the system checks.
    requires_system_checks: list[str] = []
    help = (
        "Load the demo data: the invented municipality Lindewaard with districts, "
        "neighbourhoods, figures and one demo person per role. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already holds any area (used by `make run`).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Area.objects.exists():
            self.stdout.write("Database already holds areas: demo data not loaded.")
            return
        token = audit.current_origin.set("cli:load_demo")
        try:
            result = demo.load()
        finally:
            audit.current_origin.reset(token)
        verb = "Loaded" if result.created else "Checked (already present)"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb}: demo municipality {demo.MUNICIPALITY_NAME} ({demo.MUNICIPALITY_CODE}) "
                f"with {len(result.districts)} districts, {len(result.neighbourhoods)} "
                f"neighbourhoods, figures for {', '.join(map(str, demo.YEARS))} and "
                f"{len(result.people)} demo people."
            )
        )
