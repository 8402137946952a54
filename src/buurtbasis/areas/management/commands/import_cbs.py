"""``manage.py import_cbs FILE [--year YYYY]``: read CBS neighbourhood statistics."""

from __future__ import annotations

import time
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buurtbasis.areas import services
from buurtbasis.areas.models import Level

PLURAL = {
    Level.MUNICIPALITY: gettext_lazy("gemeenten"),
    Level.DISTRICT: gettext_lazy("wijken"),
    Level.NEIGHBOURHOOD: gettext_lazy("buurten"),
}


class Command(BaseCommand):
    help = _(
        "Leest CBS-cijfers over gemeenten, wijken en buurten in (kerncijfers wijken en buurten "
        "als .csv of .xlsx, StatLine/OData, of een lijst met buurtnamen). Alles of niets: bij "
        "een fout verandert er niets."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=_("het bestand (.csv, .xlsx of .json)"))
        parser.add_argument(
            "--year",
            type=int,
            default=None,
            help=_("jaar van de cijfers (anders uit de bestandsnaam, bijvoorbeeld kwb-2024.csv)"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()

        def progress(message: str) -> None:
            self.stderr.write(message)
            self.stderr.flush()

        try:
            result = services.import_cbs(
                options["file"], options["year"], progress=progress, origin="cli"
            )
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        seconds = time.monotonic() - started
        created = ", ".join(
            f"{result.areas_created.get(level, 0)} {PLURAL[level]}" for level in Level
        )
        updated = sum(result.areas_updated.values())
        self.stdout.write(
            _(
                "%(file)s (%(layout)s, jaar %(year)s): %(rows)s rijen in %(seconds).1f s. "
                "Nieuw: %(created)s; bijgewerkt: %(updated)s gebieden. Cijfers: %(written)s "
                "geschreven, %(unchanged)s ongewijzigd, %(deleted)s verwijderd, %(missing)s "
                "ontbrekend."
            )
            % {
                "file": result.file_name,
                "layout": result.layout,
                "year": result.year if result.year is not None else "-",
                "rows": result.rows,
                "seconds": seconds,
                "created": created,
                "updated": updated,
                "written": result.values_written,
                "unchanged": result.values_unchanged,
                "deleted": result.values_deleted,
                "missing": result.missing_values,
            }
        )
