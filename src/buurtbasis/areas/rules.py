"""Permissions about areas (``areas.*``), declared with ``rules``.

docs/permissions.md shows them as a role × action table; keep both in step.
"""

from __future__ import annotations

import rules

from buurtbasis.accounts.models import Role
from buurtbasis.accounts.predicates import (
    has_role_anywhere,
    has_role_in_area,
    is_superuser,
    no_object,
)

# Everyone, also without an account, sees an area and its figures.
rules.add_perm("areas.view_area", rules.always_allow)

# Who lives or works here: anyone with a role in the area (or above it) — so residents of the
# area, and professionals and civil servants working there — and administrators of it.
rules.add_perm("areas.view_members", is_superuser | has_role_in_area(*Role.values))

# Load statistics (CBS figures, boundaries) for an area; without object: for some area.
_importers = (Role.ADMINISTRATOR, Role.CIVIL_SERVANT)
rules.add_perm(
    "areas.import_statistics",
    is_superuser | has_role_in_area(*_importers) | (no_object & has_role_anywhere(*_importers)),
)
