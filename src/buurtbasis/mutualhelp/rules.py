"""Permissions of neighbour help (``mutualhelp.*``), declared with ``rules``.

The business rules behind them live in :mod:`buurtbasis.mutualhelp.services` (the services
check them again, so a view cannot forget)."""

from __future__ import annotations

from typing import Any

import rules

from buurtbasis.accounts.models import Role
from buurtbasis.accounts.predicates import has_role_anywhere, has_role_in_area, is_superuser

from . import services
from .models import Conversation, Post


@rules.predicate
def is_post_side(user: Any, post: Post | None = None) -> bool:
    return isinstance(post, Post) and services.is_post_side(user, post)


@rules.predicate
def can_view_post(user: Any, post: Post | None = None) -> bool:
    return isinstance(post, Post) and services.can_view_post(user, post)


@rules.predicate
def in_conversation(user: Any, conversation: Conversation | None = None) -> bool:
    return (
        isinstance(conversation, Conversation) and services.side_of(user, conversation) is not None
    )


is_community_worker = has_role_in_area(Role.PROFESSIONAL)
is_moderator = is_superuser | has_role_in_area(Role.PROFESSIONAL, Role.ADMINISTRATOR)

# Object: a post.
rules.add_perm("mutualhelp.view_post", can_view_post)
rules.add_perm("mutualhelp.change_post", is_post_side)
rules.add_perm("mutualhelp.view_matches", is_post_side)
rules.add_perm("mutualhelp.hide_location", is_post_side | is_community_worker)
# Object: a conversation.
rules.add_perm("mutualhelp.view_conversation", in_conversation)
# Object: an area (a neighbourhood, or a post/report through its ``area``).
rules.add_perm("mutualhelp.moderate", is_moderator)
rules.add_perm("mutualhelp.print_card", rules.always_allow)
rules.add_perm("mutualhelp.award_bloemetje", is_community_worker)
# No object: show the moderation menu item / post on behalf of someone.
rules.add_perm(
    "mutualhelp.view_moderation",
    is_superuser | has_role_anywhere(Role.PROFESSIONAL, Role.ADMINISTRATOR),
)
rules.add_perm("mutualhelp.post_on_behalf", rules.is_authenticated)
