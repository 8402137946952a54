"""Template filters for initiative pages: euros from cents, hours from minutes, shares."""

from __future__ import annotations

from django import template

from buurtbasis.ledger.money import format_cents, format_minutes

register = template.Library()


@register.filter
def euro(cents: int | None) -> str:
    """``123456`` → ``€ 1.234,56``; empty for None."""
    return "" if cents is None else format_cents(int(cents))


@register.filter
def hours(minutes: int | None) -> str:
    return "" if minutes is None else format_minutes(int(minutes))


@register.filter
def percent(bp: int | None) -> str:
    """Basis points as a Dutch percentage: 2500 → ``25 %``, 1250 → ``12,5 %``."""
    if bp is None:
        return ""
    whole, rest = divmod(int(bp), 100)
    text = str(whole) if rest == 0 else f"{whole},{rest:02d}".rstrip("0")
    return f"{text}\u00a0%"
