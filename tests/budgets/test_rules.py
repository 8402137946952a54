"""Permissions: every role against every budget action (see budgets/rules.py)."""

from __future__ import annotations

import pytest

from buurtbasis.budgets import services
from buurtbasis.budgets.models import BudgetFramework, BudgetLine, DrawingRight, ResidentGroup

from .conftest import YEARS, People, Town

ROLES = [
    "anonymous",
    "official",
    "admin",
    "council",
    "resident",
    "professional",
    "freelancer",
    "contact",
    "member",
    "outsider",
    "other_official",
]

# permission → the roles that have it (on the object the fixture below gives for it).
EXPECTED = {
    "budgets.view_framework:draft": {"official", "admin"},
    "budgets.view_framework:adopted": set(ROLES),
    "budgets.add_framework:municipality": {"official", "admin"},
    "budgets.change_framework:draft": {"official", "admin"},
    "budgets.change_framework:adopted": set(),
    "budgets.adopt_framework:draft": {"official", "admin"},
    "budgets.view_preview:draft": {"official", "admin"},
    "budgets.manage_commitments:line": {"official", "admin"},
    "budgets.manage_drawing_rights:line": {"official", "admin"},
    "budgets.close_year:adopted": {"official", "admin"},
    "budgets.view_drawing_right:right": {"official", "admin", "professional", "contact", "member"},
    "budgets.record_hours:right": {"professional"},
    "budgets.confirm_hours:right": {"contact", "member"},
    "budgets.view_district_budget:district": set(ROLES),
}


@pytest.fixture
def objects(
    town: Town, people: People, adopted: BudgetFramework, group: ResidentGroup
) -> dict[str, object]:
    draft = services.create_framework(
        town.municipality, actor=people.official, name="Concept", start_year=2030, end_year=2031
    )
    line = BudgetLine.objects.get(
        district_budget__framework=adopted,
        district_budget__year=YEARS[0],
        district_budget__district__code="WK999901",
        is_support=True,
    )
    right: DrawingRight = services.grant_drawing_right(
        line, group, provider=people.welfare, minutes=60, actor=people.official
    )
    return {
        "draft": draft,
        "adopted": adopted,
        "municipality": town.municipality,
        "line": line,
        "right": right,
        "district": town.districts["WK999901"],
    }


def test_role_action_matrix(objects: dict[str, object], people: People) -> None:
    from django.contrib.auth.models import AnonymousUser

    mismatches = []
    for key, allowed in EXPECTED.items():
        perm, target = key.split(":")
        for role in ROLES:
            user = AnonymousUser() if role == "anonymous" else getattr(people, role)
            has = user.has_perm(perm, objects[target])
            if has != (role in allowed):
                mismatches.append(f"{role} {'has' if has else 'lacks'} {key}")
    assert mismatches == []


def test_the_freelancer_of_a_right_may_record(
    objects: dict[str, object], people: People, group: ResidentGroup
) -> None:
    right = services.grant_drawing_right(
        objects["line"],  # type: ignore[arg-type]
        group,
        provider=people.freelancer,
        minutes=60,
        actor=people.official,
    )
    assert people.freelancer.has_perm("budgets.record_hours", right)
    assert not people.professional.has_perm("budgets.record_hours", right)


def test_menu_permission_without_object(people: People) -> None:
    assert people.official.has_perm("budgets.add_framework")
    assert not people.resident.has_perm("budgets.add_framework")
