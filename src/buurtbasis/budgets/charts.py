"""Bar charts as inline SVG, drawn on the server: they read without JavaScript, carry a
``<title>`` and ``<desc>`` (role="img" with an aria-label), and every page shows the same
figures in a table next to them. Colours come from classes in budgets.css (no inline styles:
the CSP forbids them); the legend sits outside the drawing in plain HTML."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

_ids = itertools.count(1)

WIDTH = 720
BAR_AREA_LEFT = 110
BAR_AREA_RIGHT = 20
TOP = 16
ROW_HEIGHT = 34
BAR_HEIGHT = 22
SERIES_CLASSES = 10


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[int]


def _nice_max(value: int) -> int:
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(value)) - 1)
    for tenths in (10, 12, 15, 20, 25, 30, 40, 50, 60, 80, 100):
        top = tenths * magnitude // 10
        if top >= value:
            return top
    return value


def stacked_bars(
    *,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[Series],
    label: Callable[[int], str],
) -> SafeString:
    """Horizontal stacked bars: one bar per category (e.g. a year), one segment per series.
    ``label`` formats a value (e.g. euros) for the axis and the tooltips."""
    uid = next(_ids)
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    top = _nice_max(max(totals, default=0))
    plot = WIDTH - BAR_AREA_LEFT - BAR_AREA_RIGHT
    height = TOP + ROW_HEIGHT * len(categories) + 30
    parts: list[SafeString] = []
    for row, category in enumerate(categories):
        y = TOP + row * ROW_HEIGHT
        parts.append(
            format_html(
                '<text x="{}" y="{}" class="chart-label" text-anchor="end">{}</text>',
                BAR_AREA_LEFT - 8,
                y + BAR_HEIGHT - 6,
                category,
            )
        )
        x = float(BAR_AREA_LEFT)
        for index, serie in enumerate(series):
            value = serie.values[row]
            if value <= 0:
                continue
            width = plot * value / top
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" class="chart-s{}">'
                    "<title>{}: {} {}</title></rect>",
                    f"{x:.1f}",
                    y,
                    f"{width:.1f}",
                    BAR_HEIGHT,
                    index % SERIES_CLASSES,
                    category,
                    serie.name,
                    label(value),
                )
            )
            x += width
    axis_y = TOP + ROW_HEIGHT * len(categories) + 4
    for fraction in (0, 0.5, 1):
        x_tick = BAR_AREA_LEFT + plot * fraction
        parts.append(
            format_html(
                '<line x1="{x}" x2="{x}" y1="{y1}" y2="{y2}" class="chart-grid"></line>'
                '<text x="{x}" y="{ty}" class="chart-axis" text-anchor="{anchor}">{text}</text>',
                x=f"{x_tick:.1f}",
                y1=TOP - 4,
                y2=axis_y,
                ty=axis_y + 18,
                anchor="start" if fraction == 0 else ("end" if fraction == 1 else "middle"),
                text=label(int(top * fraction)),
            )
        )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" class="chart" '
        'role="img" aria-label="{title}" aria-labelledby="chart-t{uid} chart-d{uid}" '
        'focusable="false">'
        '<title id="chart-t{uid}">{title}</title><desc id="chart-d{uid}">{desc}</desc>'
        "{body}</svg>",
        w=WIDTH,
        h=height,
        uid=uid,
        title=title,
        desc=description,
        body=mark_safe("".join(parts)),  # noqa: S308 (every part is built with format_html)
    )


def legend(series: Sequence[Series]) -> SafeString:
    """The legend as an HTML list with colour swatches matching the chart's classes."""
    return format_html(
        '<ul class="chart-legend">{}</ul>',
        format_html_join(
            "",
            '<li><span class="chart-swatch chart-s{}" aria-hidden="true"></span>{}</li>',
            ((i % SERIES_CLASSES, s.name) for i, s in enumerate(series)),
        ),
    )
