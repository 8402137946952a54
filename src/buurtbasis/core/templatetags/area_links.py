from __future__ import annotations

from django import template

from buurtbasis.core.navigation import links_for

register = template.Library()


@register.inclusion_tag("core/_area_links.html")
def area_links(area: object) -> dict[str, object]:
    """The pages of every domain for this area: wijkbeeld, places, budget, initiatives, …"""
    return {"links": links_for(area.level, area.code), "area": area}  # type: ignore[attr-defined]
