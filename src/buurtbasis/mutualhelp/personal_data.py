"""The ``mutualhelp`` section of "download my data" (see ``buurtbasis.core.personal_data``)."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q

from buurtbasis.core.personal_data import rows

from .models import (
    AssistedHelper,
    Block,
    Bloemetje,
    Capability,
    Conversation,
    DigestEntry,
    HelpProfile,
    Message,
    Nomination,
    Post,
    Report,
    Thanks,
)

MODELS = [
    "mutualhelp.helpprofile",
    "mutualhelp.capability",
    "mutualhelp.post",
    "mutualhelp.assistedhelper",
    "mutualhelp.conversation",
    "mutualhelp.message",
    "mutualhelp.thanks",
    "mutualhelp.nomination",
    "mutualhelp.bloemetje",
    "mutualhelp.block",
    "mutualhelp.report",
    "mutualhelp.digestentry",
]


def export(user: Any) -> dict[str, Any]:
    mine = Q(post__owner=user) | Q(participant=user)
    return {
        "help_profile": rows(
            HelpProfile.objects.filter(user=user),
            "lat_e6",
            "lon_e6",
            "radius_m",
            "moments",
            "vulnerable",
            "digest_opt_out",
            "last_active_at",
            "updated_at",
        ),
        "capabilities": rows(
            Capability.objects.filter(user=user), "category", "radius_m", "moments"
        ),
        "posts": rows(
            # Their own posts; posts a worker placed for someone else are that person's.
            Post.objects.filter(owner=user),
            "id",
            "direction",
            "kind",
            "category",
            "title",
            "description",
            "status",
            "lat_e6",
            "lon_e6",
            "radius_m",
            "hide_location",
            "recurrence",
            "moments",
            "starts_at",
            "return_by",
            "ride_from",
            "ride_to",
            "seats",
            "created_at",
            "updated_at",
            "closed_at",
            neighbourhood_code=F("neighbourhood__code"),
            placed_by=F("created_by__display_name"),
        ),
        "conversations": rows(
            Conversation.objects.filter(mine),
            "id",
            "created_at",
            "last_message_at",
            "post_side_shares_contact",
            "participant_shares_contact",
            post_title=F("post__title"),
        ),
        "messages_sent": rows(
            Message.objects.filter(sender=user), "conversation_id", "body", "created_at", "hidden"
        ),
        "thanks_given": rows(Thanks.objects.filter(from_user=user), "text", "created_at"),
        "thanks_received": rows(Thanks.objects.filter(to_user=user), "text", "created_at"),
        "nominations_received": rows(
            Nomination.objects.filter(nominee=user), "month", "reason", "created_at"
        ),
        "nominations_made": rows(
            Nomination.objects.filter(nominated_by=user), "month", "reason", "created_at"
        ),
        "bloemetjes": rows(
            Bloemetje.objects.filter(recipient=user), "month", "citation", "name_public"
        ),
        "blocks_made": rows(
            Block.objects.filter(blocker=user),
            "created_at",
            blocked_name=F("blocked__display_name"),
        ),
        "reports_made": rows(
            Report.objects.filter(reporter=user), "reason", "text", "status", "created_at"
        ),
        "helpers": rows(
            AssistedHelper.objects.filter(Q(person=user) | Q(helper=user)),
            "created_at",
            "ended_at",
            person_name=F("person__display_name"),
            helper_name=F("helper__display_name"),
        ),
        "digest_entries": rows(
            DigestEntry.objects.filter(user=user), "reason", "distance_m", "created_at", "sent_at"
        ),
    }
