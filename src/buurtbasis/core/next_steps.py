"""What a new person is asked after signing up. Each domain app registers its own first step
in its ``AppConfig.ready()`` (e.g. mutual help: "what can you offer?"), so the sign-up pages in
``accounts`` can point there without importing the apps above them (the same pattern as
``core.navigation``; see docs/architecture.md)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise


@dataclass(frozen=True)
class NextStep:
    url_name: str
    label: str | Promise
    description: str | Promise
    query: str = ""  # added to the URL, e.g. "welkom=1"
    order: int = 100

    @property
    def url(self) -> str:
        url = reverse(self.url_name)
        return f"{url}?{self.query}" if self.query else url


_registry: dict[str, NextStep] = {}


def register_next_step(
    url_name: str,
    label: str | Promise,
    description: str | Promise,
    *,
    query: str = "",
    order: int = 100,
) -> None:
    """Register a page (without URL arguments) a new person is led to after signing up.
    Registering the same URL name again replaces the entry."""
    _registry[url_name] = NextStep(url_name, label, description, query, order)


def steps() -> list[dict[str, str]]:
    """The registered next steps, in order, with their URLs."""
    ordered = sorted(_registry.values(), key=lambda step: (step.order, step.url_name))
    return [
        {"url": step.url, "label": str(step.label), "description": str(step.description)}
        for step in ordered
    ]


def first_url() -> str | None:
    """Where a person goes on their very first sign-in: the first step, if any."""
    ordered = steps()
    return ordered[0]["url"] if ordered else None
