"""The ``wijkbeeld`` section of "download my data" (see ``buurtbasis.core.personal_data``)."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q

from buurtbasis.core.personal_data import rows

from .models import Comment, KeyPerson, Part, PartVersion

MODELS = ["wijkbeeld.keyperson", "wijkbeeld.comment", "wijkbeeld.part", "wijkbeeld.partversion"]
NOT_EXPORTED = {
    "wijkbeeld.wijkbeeld": "who started a wijkbeeld, as part of their role; in the audit log",
    "wijkbeeld.conversationround": "who opened a conversation round, as part of their role",
    "wijkbeeld.presence": "who last changed an organisation's presence, as part of their role",
}


def export(user: Any) -> dict[str, Any]:
    return {
        "key_person_entries_about_me": rows(
            KeyPerson.objects.filter(person=user),
            "kind",
            "description",
            "added_at",
            wijkbeeld_title=F("wijkbeeld__title"),
        ),
        "comments": rows(
            # Only their own: comments entered on behalf of others are those people's.
            Comment.objects.filter(author=user),
            "body",
            "author_name",
            "author_role",
            "channel",
            "created_at",
            part_title=F("part__title"),
        ),
        "parts_written": rows(
            Part.objects.filter(author=user), "kind", "title", "body", "written_on", "created_at"
        ),
        "part_versions": rows(
            PartVersion.objects.filter(Q(author=user) | Q(saved_by=user)),
            "number",
            "title",
            "body",
            "saved_at",
            "change_note",
        ),
    }
