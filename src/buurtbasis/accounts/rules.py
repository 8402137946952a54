"""Permissions about people (``accounts.*``), declared with ``rules``.

docs/permissions.md shows them as a role × action table; keep both in step.
"""

from __future__ import annotations

import rules

from .models import Role
from .predicates import (
    has_role_anywhere,
    has_role_in_area,
    is_administrator,
    is_area_administrator,
    is_assisting_professional,
    is_self,
    is_superuser,
    no_object,
)

# Object: a user.
rules.add_perm("accounts.view_profile", is_self | is_assisting_professional | is_administrator)
rules.add_perm("accounts.change_profile", is_self | is_assisting_professional)
rules.add_perm("accounts.view_consents", is_self)
rules.add_perm("accounts.change_consents", is_self)
rules.add_perm("accounts.export_data", is_self)
# A professional deletes an assisted account on the resident's request (no e-mail, no sign-in).
rules.add_perm("accounts.delete_account", is_self | is_assisting_professional)
# Make a take-over code, see the assisted resident's details.
rules.add_perm("accounts.manage_assisted", is_assisting_professional)

# Object: an area (the resident's home neighbourhood); without object: "may do this somewhere".
rules.add_perm(
    "accounts.register_assisted",
    (no_object & has_role_anywhere(Role.PROFESSIONAL)) | has_role_in_area(Role.PROFESSIONAL),
)
# Object: a resident membership; without object: "may confirm residents somewhere".
rules.add_perm(
    "accounts.verify_resident",
    is_superuser
    | (no_object & has_role_anywhere(Role.PROFESSIONAL, Role.CIVIL_SERVANT, Role.ADMINISTRATOR))
    | has_role_in_area(Role.PROFESSIONAL, Role.CIVIL_SERVANT, Role.ADMINISTRATOR),
)
rules.add_perm("accounts.manage_roles", (no_object & is_administrator) | is_area_administrator)

# No object.
rules.add_perm("accounts.view_audit", is_administrator)
