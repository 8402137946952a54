"""Reading places for pages, maps, print and the API (no changes here)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from buurtbasis.areas.models import Area, Level

from .models import AreaContact, Place


def places_in(area: Area, *, active_only: bool = True) -> QuerySet[Place]:
    """Places in a neighbourhood, or in every neighbourhood of a district or municipality."""
    qs = Place.objects.select_related("area")
    if area.level == Level.NEIGHBOURHOOD:
        qs = qs.filter(area=area)
    elif area.level == Level.DISTRICT:
        qs = qs.filter(area__parent=area)
    else:
        qs = qs.filter(area__municipality=area)
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("area__name", "name", "pk")


def geojson(places: QuerySet[Place] | list[Place]) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the places that have a point, for the map."""
    features = []
    url_pattern = reverse("places:detail", kwargs={"pk": 0}).replace("/0/", "/{}/")
    for place in places:
        if place.latitude is None or place.longitude is None:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [float(place.longitude), float(place.latitude)],
                },
                "properties": {
                    "id": place.pk,
                    "name": place.name,
                    "kind": place.kind_label,
                    "schedule": place.schedule,
                    "url": url_pattern.format(place.pk),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def map_data(area: Area | None, places: QuerySet[Place] | list[Place]) -> dict[str, Any] | None:
    """The area's outline (role ``self``) and the places' points (role ``place``) for
    ``static/buurtbasis/js/map.js``; ``None`` when there is nothing to draw."""
    from buurtbasis.areas.selectors import simplify_geometry

    features: list[dict[str, Any]] = []
    if area is not None:
        geometry = simplify_geometry(area.boundary)
        if geometry is not None:
            features.append(
                {
                    "type": "Feature",
                    "geometry": geometry,
                    "properties": {"code": area.code, "name": area.name, "role": "self"},
                }
            )
    for feature in geojson(places)["features"]:
        feature["properties"]["role"] = "place"
        features.append(feature)
    if not features:
        return None
    return {"type": "FeatureCollection", "features": features}


def contact_for(area: Area) -> AreaContact | None:
    """The contact printed for an area: its own, else the district's, else the municipality's."""
    ids = [area.pk]
    if area.parent_id:
        ids.append(area.parent_id)
    if area.municipality_id and area.municipality_id not in ids:
        ids.append(area.municipality_id)
    contacts = {c.area_id: c for c in AreaContact.objects.filter(area_id__in=ids)}
    for area_id in ids:
        if area_id in contacts:
            return contacts[area_id]
    return None


#: A poster has room for this many places; the rest are counted ("and N more").
POSTER_LIMIT = 16


def print_places(area: Area, limit: int = POSTER_LIMIT) -> dict[str, Any]:
    """Active places for the poster and card: activities first, then places; at most
    ``limit`` of them (drop-in first, then by name), with the number left out."""
    places = list(places_in(area).order_by("-drop_in", "name", "pk"))
    activities = [p for p in places if p.is_activity][:limit]
    others = [p for p in places if not p.is_activity][: max(0, limit - len(activities))]
    return {
        "activities": activities,
        "places": others,
        "left_out": len(places) - len(activities) - len(others),
    }
