"""Units and their plain-text notation. Pure functions, no database.

Euros are integer cents and hours are integer minutes everywhere; these helpers only turn them
into the Dutch notation people read (``€ 1.234,56``, ``3:30``) and back.
"""

from __future__ import annotations

import re

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Unit(models.TextChoices):
    EUR = "EUR", _("euro (in centen)")
    HOURS = "HOURS", _("uren (in minuten)")


# Larger than any real budget (100 billion euros in cents); keeps sums far from 64-bit limits.
MAX_AMOUNT = 10**13


def _group_thousands(whole: int) -> str:
    return f"{whole:,}".replace(",", ".")


def format_cents(cents: int) -> str:
    """``123456`` → ``€ 1.234,56``; ``-5`` → ``€ -0,05``."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"€ {sign}{_group_thousands(whole)},{rest:02d}"


def format_minutes(minutes: int) -> str:
    """``210`` → ``3:30``; ``2400`` → ``40:00``; ``-90`` → ``-1:30``."""
    sign = "-" if minutes < 0 else ""
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours}:{rest:02d}"


def format_amount(amount: int, unit: str) -> str:
    """The amount in the notation of its unit."""
    return format_minutes(amount) if unit == Unit.HOURS else format_cents(amount)


_EUROS = re.compile(r"^(-)?(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d{1,2}))?$")
_HOURS = re.compile(r"^(-)?(\d+)(?::([0-5]\d))?$")


def parse_euros(text: str) -> int:
    """``"€ 1.234,56"``, ``"1234,56"``, ``"12,5"`` or ``"12"`` → cents. Raises ValueError with a
    translated message on anything else (no more than two decimals; a comma, not a point)."""
    cleaned = text.strip().removeprefix("€").strip().replace(" ", "")
    match = _EUROS.match(cleaned)
    if not match:
        raise ValueError(
            gettext("%(text)s is geen bedrag in euro's (voorbeeld: 1.234,56).") % {"text": text}
        )
    sign, whole, decimals = match.groups()
    cents = int(whole.replace(".", "")) * 100 + int((decimals or "0").ljust(2, "0"))
    if cents > MAX_AMOUNT:
        raise ValueError(gettext("%(text)s is te groot.") % {"text": text})
    return -cents if sign else cents


def parse_hours(text: str) -> int:
    """``"3:30"`` or ``"3"`` → minutes. Raises ValueError with a translated message otherwise."""
    match = _HOURS.match(text.strip())
    if not match:
        raise ValueError(
            gettext("%(text)s is geen aantal uren (voorbeeld: 3:30).") % {"text": text}
        )
    sign, hours, minutes = match.groups()
    total = int(hours) * 60 + int(minutes or "0")
    if total > MAX_AMOUNT:
        raise ValueError(gettext("%(text)s is te groot.") % {"text": text})
    return -total if sign else total


def parse_amount(text: str, unit: str) -> int:
    return parse_hours(text) if unit == Unit.HOURS else parse_euros(text)
