"""``{% object_panels obj %}``: the sections other apps registered for this object's page
(:func:`buurtbasis.core.navigation.register_panel`)."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from buurtbasis.core.navigation import panels_for

register = template.Library()


@register.simple_tag(takes_context=True)
def object_panels(context: template.Context, obj: Any) -> SafeString:
    request = context.get("request")
    parts = []
    for panel in panels_for(obj):
        extra = panel.context(obj, request)
        if extra is not None:
            # render_to_string returns safe (auto-escaped) HTML
            parts.append((render_to_string(panel.template_name, extra, request),))
    return format_html_join("\n", "{}", parts)
