"""The ``ledger`` section of "download my data" (see ``buurtbasis.core.personal_data``):
the bookings a person made. Amounts stay with the transactions."""

from __future__ import annotations

from typing import Any

from buurtbasis.core.personal_data import rows

from .models import Transaction

MODELS = ["ledger.transaction"]


def export(user: Any) -> dict[str, Any]:
    return {
        "transactions_booked": rows(
            Transaction.objects.filter(actor=user),
            "id",
            "unit",
            "kind",
            "description",
            "created_at",
        )
    }
