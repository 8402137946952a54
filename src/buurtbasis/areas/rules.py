"""Permissions about areas (``areas.*``), declared with ``rules``.

docs/permissions.md shows them as a role × action table; keep both in step. Figures are
imported by operators with ``manage.py import_cbs`` (no page, so no permission); who has a role
in an area is shown on the role management page (``accounts.manage_roles``).
"""

from __future__ import annotations

import rules

# Everyone, also without an account, sees an area and its figures.
rules.add_perm("areas.view_area", rules.always_allow)
