"""The ``initiatives`` section of "download my data" (see ``buurtbasis.core.personal_data``).

Ballots are secret: a ballot row holds no link to its voter, so only the fact that someone
voted (their voter record) is exported, never what they chose."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q

from buurtbasis.core.personal_data import rows

from .models import (
    Comment,
    Decision,
    GrantRequest,
    Initiative,
    NeedAnswer,
    Owner,
    PanelMember,
    PanelVolunteer,
    Participant,
    Story,
    VoteOption,
    VoterRecord,
)

MODELS = [
    "initiatives.initiative",
    "initiatives.owner",
    "initiatives.participant",
    "initiatives.comment",
    "initiatives.needanswer",
    "initiatives.grantrequest",
    "initiatives.decision",
    "initiatives.panelmember",
    "initiatives.panelvolunteer",
    "initiatives.voteoption",
    "initiatives.voterrecord",
    "initiatives.story",
]

_WORK = "who last changed it, as part of their role; the change itself is in the audit log"
NOT_EXPORTED = {
    "initiatives.linesettings": _WORK,
    "initiatives.paneldraw": "who held a public lottery, as part of their role; in the audit log",
    "initiatives.fund": _WORK,
    "initiatives.vote": "who opened a vote, as part of their role; in the audit log",
    "initiatives.expense": "who booked an expense of an initiative; in the audit log",
}


def export(user: Any) -> dict[str, Any]:
    return {
        "initiatives_created": rows(
            Initiative.objects.filter(created_by=user),
            "id",
            "name",
            "description",
            "contact",
            "state",
            "created_at",
        ),
        "ownerships": rows(
            Owner.objects.filter(user=user),
            "added_at",
            "initiative_id",
            initiative_name=F("initiative__name"),
        ),
        "participations": rows(
            Participant.objects.filter(user=user),
            "joined_at",
            "initiative_id",
            initiative_name=F("initiative__name"),
        ),
        "comments": rows(
            Comment.objects.filter(author=user),
            "kind",
            "text",
            "created_at",
            initiative_name=F("initiative__name"),
        ),
        "stories": rows(
            Story.objects.filter(author=user),
            "text",
            "photo",
            "photo_alt",
            "created_at",
            initiative_name=F("initiative__name"),
        ),
        "need_answers": rows(
            NeedAnswer.objects.filter(responder=user), "message", "minutes", "status", "created_at"
        ),
        "grant_requests": rows(
            GrantRequest.objects.filter(submitted_by=user),
            "id",
            "amount_cents",
            "why",
            "for_whom",
            "route",
            "status",
            "submitted_at",
            "decided_at",
            "reasons",
            initiative_name=F("initiative__name"),
        ),
        "decisions_taken": rows(
            Decision.objects.filter(decider=user),
            "capacity",
            "approve",
            "reason",
            "decided_at",
            grant_request_id=F("request_id"),
        ),
        "panels": rows(PanelMember.objects.filter(user=user), "how", "since", "until", "panel_id"),
        "panel_volunteering": rows(
            PanelVolunteer.objects.filter(user=user), "since", district_code=F("district__code")
        ),
        "vote_options_nominated_or_removed": rows(
            VoteOption.objects.filter(Q(nominated_by=user) | Q(removed_by=user)),
            "summary",
            "nominated_at",
            "removed_at",
            "removal_reason",
            initiative_name=F("initiative__name"),
        ),
        # Only that you voted, never how: ballots are not linked to voters.
        "votes_cast": rows(
            VoterRecord.objects.filter(user=user),
            "method",
            "cast_at",
            vote_title=F("vote__title"),
        ),
    }
