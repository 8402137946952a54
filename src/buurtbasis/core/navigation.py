"""Which pages exist for an area. Each domain app registers its own area pages here in its
``AppConfig.ready()``, so the area page can link to them without the ``areas`` app importing
the apps above it (see docs/architecture.md, dependency direction).

The same idea for single objects: a higher app registers a *panel* (a section) for a lower
app's object page with :func:`register_panel`; the lower app's template shows the panels with
``{% load panels %}{% object_panels obj %}`` without knowing who registered them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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


@dataclass(frozen=True)
class Panel:
    key: str
    template_name: str
    #: ``context(obj, request)``: the template context, or None to show nothing.
    context: Callable[[Any, Any], dict[str, Any] | None]
    order: int = 100


_panels: dict[str, dict[str, Panel]] = {}


def register_panel(
    model_label: str,
    key: str,
    template_name: str,
    context: Callable[[Any, Any], dict[str, Any] | None],
    *,
    order: int = 100,
) -> None:
    """Add a section to the page of an object of ``model_label`` (``"budgets.budgetline"``).
    Registering the same key again replaces the entry."""
    _panels.setdefault(model_label.lower(), {})[key] = Panel(key, template_name, context, order)


def panels_for(obj: Any) -> list[Panel]:
    """The panels registered for the object's model, in order."""
    label = getattr(getattr(obj, "_meta", None), "label_lower", "")
    return sorted(_panels.get(label, {}).values(), key=lambda p: (p.order, p.key))
