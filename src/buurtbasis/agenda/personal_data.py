"""The ``agenda`` section of "download my data" (see ``buurtbasis.core.personal_data``)."""

from __future__ import annotations

from typing import Any

from django.db.models import F

from buurtbasis.core.personal_data import rows

from .models import MeetingNote, Registration, WorkingGroupMember

MODELS = ["agenda.registration", "agenda.workinggroupmember", "agenda.meetingnote"]
_ROLE = "who made or last changed it, as part of their role; the change is in the audit log"
NOT_EXPORTED = {
    "agenda.framework": _ROLE,
    "agenda.buurttop": "who organises a BuurtTop, as part of their role",
    "agenda.agenda": _ROLE,
    "agenda.workinggroup": _ROLE,
    "agenda.goalreview": _ROLE,
    "agenda.goalbudgetline": "who linked a budget line to a goal, as part of their role",
}


def export(user: Any) -> dict[str, Any]:
    return {
        "buurttop_registrations": rows(
            # Only their own: registrations a worker entered for others are those people's.
            Registration.objects.filter(user=user),
            "name",
            "phone",
            "needs",
            "channel",
            "created_at",
            buurttop_title=F("buurttop__title"),
            buurttop_held_on=F("buurttop__held_on"),
        ),
        "working_groups": rows(
            WorkingGroupMember.objects.filter(user=user),
            "name",
            "role",
            "added_at",
            group_name=F("group__name"),
        ),
        "meeting_notes_written": rows(
            MeetingNote.objects.filter(author=user), "held_on", "body", "created_at"
        ),
    }
