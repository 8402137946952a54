"""Template filters for money, hours and shares, the Dutch way."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from django import template
from django.utils.translation import gettext as _

from buurtbasis.ledger.money import format_cents, format_minutes

from ..services import format_share

register = template.Library()

NBSP = "\u00a0"


@register.filter
def euro(cents: int | None) -> str:
    """``123456`` → ``€ 1.234,56`` (with a non-breaking space); ``–`` for None."""
    if cents is None or cents == "":
        return "–"
    return format_cents(int(cents)).replace(" ", NBSP)


@register.filter
def euro_whole(cents: int | None) -> str:
    """Whole euros, rounded: ``123456`` → ``€ 1.235`` (for charts and big tables)."""
    if cents is None or cents == "":
        return "–"
    value = int(cents)
    whole = (abs(value) + 50) // 100
    sign = "-" if value < 0 and whole else ""
    return f"€{NBSP}{sign}{whole:,}".replace(",", ".")


@register.filter
def euro_input(cents: int | None) -> str:
    """Cents as typed in a form: ``123456`` → ``1.234,56``."""
    if cents is None or cents == "":
        return ""
    return format_cents(int(cents)).removeprefix("€ ")


@register.filter
def hours(minutes: int | None) -> str:
    """``210`` → ``3:30 uur``."""
    if minutes is None or minutes == "":
        return "–"
    return _("%(hours)s uur") % {"hours": format_minutes(int(minutes))}


@register.filter
def share(bp: int | None) -> str:
    """Basis points as a percentage: ``2500`` → ``25 %``."""
    if bp is None or bp == "":
        return "–"
    return format_share(int(bp))


@register.filter
def percent(value: Fraction | None, decimals: int = 0) -> str:
    """A fraction as a percentage: ``Fraction(93, 100)`` → ``93 %``."""
    if value is None:
        return "–"
    scaled = Fraction(value) * 100 * 10**decimals
    rounded = int((scaled + Fraction(1, 2)) // 1)
    whole, rest = divmod(rounded, 10**decimals)
    text = f"{whole:,}".replace(",", ".")
    if decimals:
        text += "," + str(rest).zfill(decimals)
    return f"{text}{NBSP}%"


@register.filter
def weight(ppm: int | None) -> str:
    """A district weight in millionths: ``1234567`` → ``1,23``."""
    if ppm is None:
        return "–"
    hundredths = (int(ppm) + 5000) // 10_000
    return f"{hundredths // 100},{hundredths % 100:02d}"


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    try:
        return mapping[key]
    except (KeyError, IndexError, TypeError):
        return None
