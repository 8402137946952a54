"""Turning a template into a PDF with WeasyPrint (used by places, wijkbeeld and agenda).

Print templates are plain HTML with their own print stylesheet
(``static/buurtbasis/css/print.css``): A4/A6 page sizes, black-and-white friendly. WeasyPrint
never fetches anything from the network: only our own static files are read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.text import slugify

PRINT_CSS = "buurtbasis/css/print.css"


def _fetcher(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """Only local files from our static directories; everything else is refused."""
    from weasyprint.urls import default_url_fetcher

    if not url.startswith("file://"):
        raise ValueError(f"refusing to fetch {url!r} while printing")
    return default_url_fetcher(url, *args, **kwargs)


def print_css_path() -> Path | None:
    """The print stylesheet: through the static-file finders, else from our package."""
    found = finders.find(PRINT_CSS)
    if isinstance(found, str):
        return Path(found)
    own = Path(__file__).resolve().parents[1] / "static" / PRINT_CSS
    return own if own.exists() else None


def render_document(
    template: str, context: dict[str, Any], request: HttpRequest | None = None
) -> Any:
    """Render ``template`` with ``context`` and lay it out: a WeasyPrint ``Document`` (its
    ``pages`` can be inspected; ``write_pdf()`` gives the bytes)."""
    from weasyprint import CSS, HTML

    html = render_to_string(template, context, request=request)
    css_path = print_css_path()
    stylesheets = [CSS(filename=str(css_path))] if css_path else []
    base = css_path.parent.as_uri() + "/" if css_path else None
    return HTML(string=html, base_url=base, url_fetcher=_fetcher).render(stylesheets=stylesheets)


def render_pdf(template: str, context: dict[str, Any], request: HttpRequest | None = None) -> bytes:
    """Render ``template`` with ``context`` and return the PDF bytes."""
    pdf: bytes = render_document(template, context, request).write_pdf()
    return pdf


def document_text(document: Any) -> str:
    """All text laid out in a WeasyPrint document, page by page (for checks and tests)."""
    parts: list[str] = []

    def walk(box: Any) -> None:
        text = getattr(box, "text", None)
        if isinstance(text, str):
            parts.append(text)
        for child in getattr(box, "children", None) or ():
            walk(child)

    for page in document.pages:
        walk(page._page_box)
        parts.append("\f")
    return " ".join(parts)


def pdf_response(pdf: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    name = slugify(filename) or "document"
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{name}.pdf"'
    return response
