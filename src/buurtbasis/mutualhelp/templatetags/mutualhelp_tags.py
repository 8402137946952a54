"""Template tags of neighbour help."""

from __future__ import annotations

from typing import Any

import rules
from django import template

register = template.Library()


@register.simple_tag
def may_moderate(user: Any) -> bool:
    """Whether the menu shows "Buurtwerk": the permission ``mutualhelp.view_moderation`` as
    declared in ``mutualhelp/rules.py``.

    It exists only as a rule (no model permission of that name), so asking the rules alone
    gives the same answer as ``user.has_perm`` without Django's model-permission backend and
    its two queries on every signed-in page."""
    return bool(rules.has_perm("mutualhelp.view_moderation", user))
