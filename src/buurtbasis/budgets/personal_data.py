"""The ``budgets`` section of "download my data" (see ``buurtbasis.core.personal_data``)."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q

from buurtbasis.core.personal_data import rows

from .models import DrawingRight, HoursDelivery, ResidentGroup

MODELS = ["budgets.residentgroup", "budgets.drawingright", "budgets.hoursdelivery"]
_ROLE = "who made or decided it, as part of their role; the decision is in the audit log"
NOT_EXPORTED = {
    "budgets.budgetframework": _ROLE,
    "budgets.commitment": _ROLE,
}


def export(user: Any) -> dict[str, Any]:
    return {
        "resident_groups": rows(
            ResidentGroup.objects.filter(Q(contact=user) | Q(members=user)).distinct(),
            "name",
            "created_at",
            district_code=F("district__code"),
        ),
        "drawing_rights_provided": rows(
            DrawingRight.objects.filter(provider_user=user),
            "year",
            "minutes_granted",
            "description",
            group_name=F("group__name"),
        ),
        "hours_recorded_or_confirmed": rows(
            HoursDelivery.objects.filter(Q(recorded_by=user) | Q(confirmed_by=user)),
            "minutes",
            "date",
            "description",
            "status",
            "recorded_at",
            "confirmed_at",
            "dispute_reason",
            group_name=F("drawing_right__group__name"),
        ),
    }
