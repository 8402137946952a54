"""Template filters for money (integer cents) and time (integer minutes), Dutch notation."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def euros(cents: int | None) -> str:
    """1234550 → "€ 12.345,50"; whole euros without decimals: 120000 → "€ 1.200"."""
    if cents is None or cents == "":
        return ""
    cents = int(cents)
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    grouped = f"{whole:,}".replace(",", ".")
    return f"{sign}€ {grouped}" + (f",{rest:02d}" if rest else "")


@register.filter
def halves(items: list[object]) -> list[list[object]]:
    """Split a list in two columns, the first one the longer: [1, 2, 3] → [[1, 2], [3]].
    (Two table cells lay out much faster in WeasyPrint than CSS columns.)"""
    items = list(items)
    middle = (len(items) + 1) // 2
    return [items[:middle], items[middle:]]


@register.filter
def hours(minutes: int | None) -> str:
    """150 → "2,5 uur", 45 → "45 minuten", 480 → "8 uur"."""
    if minutes is None or minutes == "":
        return ""
    minutes = int(minutes)
    if minutes < 60:
        return ngettext("%(n)d minuut", "%(n)d minuten", minutes) % {"n": minutes}
    whole, rest = divmod(minutes, 60)
    if rest == 0:
        return _("%(n)d uur") % {"n": whole}
    if rest == 30:
        return _("%(n)d,5 uur") % {"n": whole}
    return _("%(h)d uur en %(m)d minuten") % {"h": whole, "m": rest}
