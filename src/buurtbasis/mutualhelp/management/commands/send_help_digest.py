"""Daily neighbour-help e-mail, for cron: ``manage.py send_help_digest`` (e.g. at 07:30).

Flags unanswered requests to community workers, queues the day's lines (new requests → their
best candidates, new offers → people with a matching request, flagged requests → community
workers) and sends one e-mail per person. People who opted out get nothing. Safe to run more
than once: a line is sent only once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from buurtbasis.core.audit import current_origin
from buurtbasis.mutualhelp import services


class Command(BaseCommand):
    help = "Stuur de dagelijkse burenhulp-e-mail (met afmeldlink) en markeer vragen zonder reactie."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--site-url",
            default=None,
            help="Adres van de site in de e-mails (standaard MUTUALHELP['SITE_URL']).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        token = current_origin.set("cli")
        try:
            flagged = services.flag_unanswered()
            queued = services.build_digest()
            counts = services.send_digest(site_url=options["site_url"])
        finally:
            current_origin.reset(token)
        self.stdout.write(
            f"flagged={len(flagged)} queued={queued} sent={counts['sent']} "
            f"skipped={counts['skipped']}"
        )
