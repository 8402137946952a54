"""The ``places`` section of "download my data" (see ``buurtbasis.core.personal_data``)."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q

from buurtbasis.core.personal_data import rows

from .models import Place, PlaceKeeper

MODELS = ["places.place", "places.placekeeper"]
NOT_EXPORTED = {
    "places.areacontact": "who last changed a neighbourhood's contact point, as part of their "
    "role; the change is in the audit log",
}


def export(user: Any) -> dict[str, Any]:
    return {
        "places_kept": rows(
            PlaceKeeper.objects.filter(user=user),
            "since",
            "place_id",
            place_name=F("place__name"),
        ),
        "places_added_or_changed": rows(
            Place.objects.filter(Q(created_by=user) | Q(updated_by=user)).distinct(),
            "id",
            "name",
            "kind",
            "created_at",
            "updated_at",
        ),
    }
