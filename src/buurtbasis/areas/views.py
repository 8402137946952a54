"""Area pages: a municipality with its districts and neighbourhoods, a district, a
neighbourhood. Thin views; the queries live in :mod:`selectors`."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from . import selectors
from .models import Area, Level

# Shown as large tiles at the top of a district or neighbourhood page.
KEY_FIGURES = (selectors.INHABITANTS, selectors.HOUSEHOLDS, "dwellings")


def choose(request: HttpRequest) -> HttpResponse:
    """The municipality chooser on the home page (a GET form): go to the chosen area."""
    code = request.GET.get("gemeente", "").strip().upper()
    if code and Area.objects.filter(code=code).exists():
        return redirect("areas:detail", code=code)
    messages.error(request, _("Kies een gemeente uit de lijst."))
    return redirect("core:home")


def area_detail(request: HttpRequest, code: str) -> HttpResponse:
    if code != code.strip().upper():
        return HttpResponseRedirect(
            reverse("areas:detail", kwargs={"code": code.strip().upper()}), status=301
        )
    try:
        area = selectors.get_area(code)
    except Area.DoesNotExist:
        raise Http404(_("Dit gebied bestaat niet.")) from None
    if area.level == Level.MUNICIPALITY:
        return _municipality(request, area)
    kids = list(selectors.children(area)) if area.level == Level.DISTRICT else []
    groups = selectors.figures(area)
    context = {
        "area": area,
        "ancestors": selectors.ancestors(area),
        "municipality": area.municipality,
        "children": kids,
        "groups": groups,
        "key_figures": [f for f in map(groups.get, KEY_FIGURES) if f is not None],
        "map_data": selectors.map_data(area, kids),
    }
    return render(request, "areas/area_detail.html", context)


def _municipality(request: HttpRequest, area: Area) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    districts = list(selectors.children(area))
    listing = selectors.neighbourhoods_by_district(area, districts, query)
    context = {
        "area": area,
        "districts": districts,
        "listing": listing,
        "query": query,
        "found": sum(len(entry.neighbourhoods) for entry in listing),
    }
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request:
        response = render(request, "areas/_neighbourhood_list.html", context)
    else:
        context["groups"] = groups = selectors.figures(area)
        context["inhabitants"] = groups.get(selectors.INHABITANTS)
        context["map_data"] = selectors.map_data(area, districts)
        context["neighbourhood_count"] = (
            context["found"] if not query else selectors.neighbourhood_count(area)
        )
        response = render(request, "areas/municipality_detail.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response
