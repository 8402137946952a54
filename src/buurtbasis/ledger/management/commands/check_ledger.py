"""``manage.py check_ledger``: verify every invariant of the ledger; exit non-zero on a breach."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext

from buurtbasis.ledger.checks import find_breaches, summary


class Command(BaseCommand):
    help = "Controleert het grootboek: nulsommen, eenheden, saldi, rood staan, correcties."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--database", default="default", help="Database alias.")

    def handle(self, *args: Any, **options: Any) -> None:
        using = options["database"]
        started = time.perf_counter()
        breaches = find_breaches(using)
        elapsed = time.perf_counter() - started
        if breaches:
            for breach in breaches:
                self.stderr.write(f"[{breach.check}] {breach.message}")
            raise CommandError(
                gettext("Het grootboek klopt niet: %(n)d fout(en) gevonden.") % {"n": len(breaches)}
            )
        s = summary(using)
        self.stdout.write(
            self.style.SUCCESS(
                gettext(
                    "Grootboek klopt: %(accounts)d rekeningen, %(txns)d boekingen "
                    "(%(reversals)d correcties), %(entries)d regels; gecontroleerd in %(s).2f s."
                )
                % {
                    "accounts": s.accounts,
                    "txns": s.transactions,
                    "reversals": s.reversals,
                    "entries": s.entries,
                    "s": elapsed,
                }
            )
        )
