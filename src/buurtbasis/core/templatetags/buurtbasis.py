"""Template helpers: numbers the Dutch way (1.234 and 12,3 — through Django's localisation, so
English pages get 1,234 and 12.3), figures with their unit, and optional links."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buurtbasis.areas.selectors import (
    PER_1000_INHABITANTS,
    SHARE_OF_HOUSEHOLDS,
    SHARE_OF_INHABITANTS,
    Figure,
)

register = template.Library()

NBSP = "\u00a0"

# Units as stored in the indicator catalogue → what a reader sees after the number.
UNIT_LABELS = {
    "aantal": "",
    "klasse": "",
    "%": "%",
    "personen": gettext_lazy("personen"),
    "per km²": gettext_lazy("per km²"),
    "km": "km",
    "ha": "ha",
    "per 1.000 inwoners": gettext_lazy("per 1.000 inwoners"),
}
# Units whose values are always shown with one decimal, so figures line up (8,5 % and 10,0 %).
ONE_DECIMAL_UNITS = {"%", "km", "personen"}
SHARE_LABELS = {
    SHARE_OF_INHABITANTS: gettext_lazy("van de inwoners"),
    SHARE_OF_HOUSEHOLDS: gettext_lazy("van de huishoudens"),
    PER_1000_INHABITANTS: gettext_lazy("per 1.000 inwoners"),
}


@register.filter
def number(value: Decimal | int | float | str | None, decimals: int | None = None) -> str:
    """A number in the current language: whole numbers without decimals, others with one
    (``decimals`` to choose), always with thousands grouping. ``–`` when there is no value."""
    if value is None or value == "":
        return "–"
    d = value if isinstance(value, Decimal) else Decimal(str(value))
    if decimals is None:
        decimals = 0 if d == d.to_integral_value() else 1
    d = d.quantize(Decimal(1).scaleb(-int(decimals)), rounding=ROUND_HALF_UP)
    if d == 0:
        d = abs(d)  # no "-0"
    return str(number_format(d, decimal_pos=int(decimals), use_l10n=True, force_grouping=True))


def with_unit(value: Decimal, unit: str) -> str:
    """``value`` formatted with its catalogue ``unit`` (thousands of euros become euros)."""
    if unit == "x 1.000 euro":
        return _("€ %(amount)s") % {"amount": number(value * 1000, 0)}
    label = str(UNIT_LABELS.get(unit, unit))
    text = number(value, 1 if unit in ONE_DECIMAL_UNITS else None)
    return f"{text}{NBSP}{label}" if label else text


@register.simple_tag
def figure_value(figure: Figure) -> str:
    """The area's own value, e.g. ``1.234`` or ``68,2 %`` or ``€ 312.000``."""
    return with_unit(figure.own.value, figure.indicator.unit)


@register.simple_tag
def figure_share(figure: Figure) -> str:
    """The share next to a count, e.g. ``18,2 % van de inwoners``; empty when not a count."""
    if not figure.compared_share:
        return ""
    return _share_text(figure.own.share, figure.share_kind)


def _share_text(share: Decimal | None, kind: str) -> str:
    if share is None:
        return ""
    label = str(SHARE_LABELS[kind])
    if kind == PER_1000_INHABITANTS:
        return f"{number(share, 1)} {label}"
    return f"{number(share, 1)}{NBSP}% {label}"


@register.simple_tag
def figure_municipal(figure: Figure) -> str:
    """The municipality's figure to compare with: its share for counts that have one, else its
    value."""
    m = figure.municipal
    if m is None:
        return ""
    if figure.share_kind and figure.own.share is not None and m.share is not None:
        return _share_text(m.share, figure.share_kind)
    return with_unit(m.value, figure.indicator.unit)


@register.simple_tag
def url_if_exists(name: str, *args: object) -> str:
    """``reverse(name)``, or an empty string while that page does not exist (yet)."""
    try:
        return reverse(name, args=args or None)
    except NoReverseMatch:
        return ""
