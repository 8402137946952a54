"""Which pages exist for an area. Each domain app registers its own area pages here in its
``AppConfig.ready()``, so the area page can link to them without the ``areas`` app importing
the apps above it (see docs/architecture.md, dependency direction)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise


@dataclass(frozen=True)
class AreaLink:
    url_name: str
    label: str | Promise
    description: str | Promise
    levels: frozenset[str]  # "GM", "WK", "BU"
    order: int = 100


_registry: dict[str, AreaLink] = {}


def register_area_link(
    url_name: str,
    label: str | Promise,
    description: str | Promise,
    *,
    levels: tuple[str, ...],
    order: int = 100,
) -> None:
    """Register a page that takes an area code (``reverse(url_name, kwargs={"code": ...})``).
    Registering the same URL name again replaces the entry (apps may be reloaded in tests)."""
    _registry[url_name] = AreaLink(url_name, label, description, frozenset(levels), order)


def links_for(level: str, code: str) -> list[dict[str, str]]:
    """The registered pages for an area of ``level``, in order, with their URLs."""
    links = sorted(
        (link for link in _registry.values() if level in link.levels),
        key=lambda link: (link.order, link.url_name),
    )
    return [
        {
            "url": reverse(link.url_name, kwargs={"code": code}),
            "label": str(link.label),
            "description": str(link.description),
        }
        for link in links
    ]
