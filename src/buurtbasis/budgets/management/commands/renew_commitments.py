"""``manage.py renew_commitments [--year 2027]``: post the new year of every running commitment
of every adopted framework (run once at the start of each year; safe to run again). A
commitment whose line cannot pay is reported on standard error and the command exits
non-zero; the others are posted."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from buurtbasis.budgets import services
from buurtbasis.budgets.models import BudgetFramework
from buurtbasis.core.audit import current_origin


class Command(BaseCommand):
    help = "Verleng de toezeggingen van alle vastgestelde budgetkaders voor een jaar."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, default=None, help="Standaard: dit jaar.")

    def handle(self, *args: Any, **options: Any) -> None:
        year = options["year"] or timezone.localdate().year
        token = current_origin.set("cli")
        try:
            frameworks = BudgetFramework.objects.filter(
                status=BudgetFramework.Status.ADOPTED, start_year__lte=year, end_year__gte=year
            )
            refused = 0
            for framework in frameworks:
                try:
                    renewal = services.renew_commitments(framework, year, actor=None)
                except ValidationError as error:
                    raise CommandError(f"{framework}: {' '.join(error.messages)}") from error
                self.stdout.write(
                    f"{framework}: {len(renewal.posted)} toezeggingen verlengd voor {year}"
                )
                for commitment, reason in renewal.refused:
                    refused += 1
                    self.stderr.write(
                        f"{framework}: toezegging {commitment.pk} "
                        f"({commitment.organisation.name}) niet verlengd: {reason}"
                    )
        finally:
            current_origin.reset(token)
        if refused:
            # The others are posted; a non-zero exit makes the scheduler report these.
            raise CommandError(f"{refused} toezeggingen konden niet worden verlengd voor {year}")
