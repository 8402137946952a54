"""Remind deciders (and initiators) of grant requests whose deadline is near, and tell the
district's professionals and civil servants once about requests whose deadline has passed.
Run daily from cron, e.g. ``0 8 * * 1-5 manage.py send_grant_reminders``."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from buurtbasis.core.audit import current_origin
from buurtbasis.initiatives import services


class Command(BaseCommand):
    help = "Herinner beslissers aan aanvragen waarvan de termijn bijna om is."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days-before",
            type=int,
            default=2,
            help="Herinner als de uiterste datum binnen zoveel werkdagen valt (standaard 2).",
        )
        parser.add_argument("--today", help="Doe alsof het deze datum is (JJJJ-MM-DD).")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options.get("today"):
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError as error:
                raise CommandError(f"--today: {error}") from None
        token = current_origin.set("cli")
        try:
            count = services.send_reminders(today, days_before=options["days_before"])
            late = services.send_overdue_notices(today)
        finally:
            current_origin.reset(token)
        self.stdout.write(
            f"{count} herinnering(en) verstuurd; {late} te late aanvraag/aanvragen gemeld."
        )
