"""Paper routes: an A4 sheet and an A6 card per neighbourhood, as PDF (WeasyPrint).

Black on white, large type, no colour needed to read it; the current offers of the
neighbourhood (never a name, address or distance) and how to reach the community worker.
WeasyPrint fetches nothing from the network: the stylesheet is read from this package.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from buurtbasis.areas.models import Area

from . import services
from .conf import setting
from .models import Direction

PDF_CSS = Path(__file__).resolve().parent / "pdf" / "print.css"
LIMITS = {"a4": 24, "a6": 8}


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"refusing to fetch {url!r} while printing")


def neighbourhood_context(area: Area, size: str) -> dict[str, Any]:
    limit = LIMITS[size]
    offers = list(services.neighbourhood_posts(area, Direction.OFFER)[:limit])
    requests = list(services.neighbourhood_posts(area, Direction.REQUEST)[: limit // 2])
    return {
        "area": area,
        "size": size,
        "offers": offers,
        "requests": requests,
        "workers": services.community_workers(area)[:2],
        "printed_on": timezone.localdate(),
        "url": str(setting("SITE_URL")).rstrip("/")
        + reverse("mutualhelp:neighbourhood", kwargs={"code": area.code}),
    }


def render_html(area: Area, size: str) -> str:
    if size not in LIMITS:
        raise ValueError(size)
    return render_to_string(f"mutualhelp/pdf/{size}.html", neighbourhood_context(area, size))


def build_document(area: Area, size: str) -> Any:
    """The laid-out WeasyPrint document (pages with their sizes), before writing the PDF."""
    from weasyprint import CSS, HTML

    document = HTML(string=render_html(area, size), url_fetcher=_refuse_fetch)
    return document.render(stylesheets=[CSS(filename=str(PDF_CSS))])


def render_neighbourhood(area: Area, size: str) -> bytes:
    """The A4 sheet (``size="a4"``) or A6 card (``"a6"``) of a neighbourhood as PDF bytes."""
    pdf: bytes = build_document(area, size).write_pdf()
    return pdf


def response(content: bytes, filename: str) -> HttpResponse:
    result = HttpResponse(content, content_type="application/pdf")
    result["Content-Disposition"] = f'inline; filename="{slugify(filename) or "burenhulp"}.pdf"'
    return result
