"""``manage.py import_boundaries FILE.geojson [--dry-run]``: store area boundaries."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from buurtbasis.areas import services
from buurtbasis.areas.importers import MAX_LISTED_UNMATCHED


class Command(BaseCommand):
    help = _(
        "Leest grenzen van gemeenten, wijken en buurten uit een GeoJSON-bestand (CBS wijk- en "
        "buurtkaart of een export van de gemeente). RD-coördinaten (EPSG:28992) worden omgezet "
        "naar WGS84. Alleen gebieden die al bestaan krijgen een grens."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=_("het GeoJSON-bestand"))
        parser.add_argument(
            "--dry-run", action="store_true", help=_("alleen controleren, niets opslaan")
        )
        parser.add_argument(
            "--property",
            default=None,
            help=_("de eigenschap met de CBS-code (anders wordt die gezocht)"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = services.import_boundaries(
                options["file"],
                dry_run=options["dry_run"],
                code_property=options["property"],
                origin="cli",
            )
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        matched = ", ".join(f"{n} {level}" for level, n in sorted(result.matched.items()))
        self.stdout.write(
            _(
                "%(file)s (%(crs)s): %(features)s features; gekoppeld: %(matched)s "
                "(%(detail)s); niet gekoppeld: %(unmatched)s; zonder CBS-code: %(no_code)s; "
                "zonder geometrie: %(no_geometry)s."
            )
            % {
                "file": result.file_name,
                "crs": result.source_crs,
                "features": result.features,
                "matched": result.matched_total,
                "detail": matched or "-",
                "unmatched": len(result.unmatched),
                "no_code": result.without_code,
                "no_geometry": result.without_geometry,
            }
        )
        if result.unmatched:
            shown = ", ".join(result.unmatched[:MAX_LISTED_UNMATCHED])
            more = len(result.unmatched) - MAX_LISTED_UNMATCHED
            self.stdout.write(
                _("Niet gekoppelde codes: %(codes)s") % {"codes": shown}
                + (_(" (en nog %(n)s)") % {"n": more} if more > 0 else "")
            )
        if result.dry_run:
            self.stdout.write(_("Proefrun: er is niets opgeslagen."))
