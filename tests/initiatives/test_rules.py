"""Every role × action of docs/initiatives.md ("Who may do what"): the permission answers
exactly as the table says."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from buurtbasis.budgets.models import BudgetLine
from buurtbasis.initiatives import services
from buurtbasis.initiatives.models import GrantRequest, Initiative, Need

from .conftest import People, Town, make_user

PERSONAS = (
    "anonymous",
    "resident",
    "neighbour",
    "owner",
    "juror",
    "professional",
    "professional_south",
    "official",
    "admin",
    "council",
    "funder",
    "southerner",
    "outsider",
    "newcomer",
)
SIGNED_IN = set(PERSONAS) - {"anonymous"}
# Verified residents of the north district; "newcomer" lives there too, self-declared.
RESIDENTS_OF_NORTH = {"resident", "neighbour", "owner", "juror"}

# permission, object key, who may
MATRIX: list[tuple[str, str, set[str]]] = [
    ("initiatives.view_initiative", "initiative", set(PERSONAS)),
    ("initiatives.add_initiative", "none", SIGNED_IN),
    ("initiatives.change_initiative", "initiative", {"owner"}),
    ("initiatives.manage_owners", "initiative", {"owner"}),
    ("initiatives.comment", "initiative", SIGNED_IN),
    (
        "initiatives.offer_support",
        "initiative",
        {
            "resident",
            "neighbour",
            "juror",
            "newcomer",
            "professional",
            "official",
            "admin",
            "council",
            "funder",
        },
    ),
    ("initiatives.join", "initiative", SIGNED_IN - {"owner"}),
    ("initiatives.post_story", "initiative", {"owner"}),
    ("initiatives.add_need", "initiative", {"owner"}),
    ("initiatives.change_funding_plan", "initiative", {"owner"}),
    ("initiatives.request_grant", "initiative", {"owner"}),
    ("initiatives.answer_need", "need_money", set()),
    ("initiatives.answer_need", "need_hours", {"professional"}),
    ("initiatives.answer_need", "need_space", {"professional"}),
    (
        "initiatives.answer_need",
        "need_things",
        {"resident", "neighbour", "juror", "newcomer", "professional"},
    ),
    ("initiatives.view_grant", "small", set(PERSONAS)),
    ("initiatives.decide_grant", "small", {"resident", "neighbour", "juror", "professional"}),
    ("initiatives.decide_grant", "panel", {"juror"}),
    ("initiatives.withdraw_grant", "small", {"owner"}),
    ("initiatives.record_expense", "small", {"owner"}),
    ("initiatives.manage_line_settings", "line", {"official", "admin"}),
    ("initiatives.manage_panel", "district", {"official", "admin", "professional"}),
    ("initiatives.volunteer", "district", RESIDENTS_OF_NORTH),
    ("initiatives.manage_funds", "none", {"official", "admin", "funder"}),
    ("initiatives.manage_cofunding", "municipality", {"official", "admin"}),
    ("initiatives.manage_vote", "vote", {"official", "admin"}),
    ("initiatives.nominate", "vote", RESIDENTS_OF_NORTH),
    ("initiatives.cast_ballot", "vote", RESIDENTS_OF_NORTH),
    ("initiatives.enter_paper_ballot", "vote", {"professional"}),
]


@pytest.fixture
def world(town: Town, people: People, line: BudgetLine, jury: list[Any]) -> dict[str, Any]:
    initiative = services.create_initiative(
        people.owner,
        name="Moestuin",
        description="Samen tuinieren",
        area=town.bu_a,
        contact="06",
        needs_text="Zaden",
    )
    needs = {
        kind: services.add_need(
            initiative,
            people.owner,
            kind=kind,
            description=kind,
            amount_cents=100 if kind == Need.Kind.MONEY else None,
            minutes=60 if kind == Need.Kind.HOURS else None,
        )
        for kind in (Need.Kind.MONEY, Need.Kind.HOURS, Need.Kind.SPACE, Need.Kind.THINGS)
    }

    def grant(amount: int) -> GrantRequest:
        return services.request_grant(
            initiative,
            people.owner,
            line=line,
            why="w",
            for_whom="f",
            items=[services.Item("x", amount)],
        )

    services.update_line_settings(line, people.official, vote_enabled=True)
    vote = services.create_vote(line, people.official, title="Stemming", budget_cents=1_000)
    return {
        "none": None,
        "initiative": initiative,
        "need_money": needs[Need.Kind.MONEY],
        "need_hours": needs[Need.Kind.HOURS],
        "need_space": needs[Need.Kind.SPACE],
        "need_things": needs[Need.Kind.THINGS],
        "small": grant(10_000),
        "panel": grant(200_000),
        "line": line,
        "district": town.north,
        "municipality": town.municipality,
        "vote": vote,
        "people": {
            "anonymous": AnonymousUser(),
            "resident": people.resident,
            "neighbour": people.neighbour,
            "owner": people.owner,
            "juror": jury[0],
            "professional": people.professional,
            "professional_south": people.professional_south,
            "official": people.official,
            "admin": people.admin,
            "council": people.council,
            "funder": people.funder,
            "southerner": people.southerner,
            "outsider": people.outsider,
            "newcomer": make_user("nieuwkomer", town.bu_b, verified=False),
        },
    }


def test_every_role_and_action(world: dict[str, Any]) -> None:
    wrong = []
    for perm, key, allowed in MATRIX:
        obj = world[key]
        for persona in PERSONAS:
            user = world["people"][persona]
            got = user.has_perm(perm, obj) if obj is not None else user.has_perm(perm)
            if got != (persona in allowed):
                wrong.append(f"{perm} on {key}: {persona} got {got}")
    assert not wrong, "\n".join(wrong)


def test_a_participant_may_tell_a_story(world: dict[str, Any]) -> None:
    initiative: Initiative = world["initiative"]
    neighbour = world["people"]["neighbour"]
    assert not neighbour.has_perm("initiatives.post_story", initiative)
    services.join(initiative, neighbour)
    assert neighbour.has_perm("initiatives.post_story", initiative)


def test_a_decided_request_cannot_be_decided(world: dict[str, Any]) -> None:
    grant: GrantRequest = world["small"]
    people = world["people"]
    services.decide_grant(grant, people["professional"], approve=False, reason="Nee")
    grant.refresh_from_db()
    assert not people["resident"].has_perm("initiatives.decide_grant", grant)
    assert not people["owner"].has_perm("initiatives.withdraw_grant", grant)


def test_nobody_involved_in_the_initiative_may_decide(world: dict[str, Any]) -> None:
    grant: GrantRequest = world["small"]
    people = world["people"]
    assert people["neighbour"].has_perm("initiatives.decide_grant", grant)
    services.join(grant.initiative, people["neighbour"])
    grant = GrantRequest.objects.get(pk=grant.pk)
    assert not people["neighbour"].has_perm("initiatives.decide_grant", grant)
    services.answer_need(world["need_things"], people["resident"], message="Ik heb spullen.")
    grant = GrantRequest.objects.get(pk=grant.pk)
    assert not people["resident"].has_perm("initiatives.decide_grant", grant)
    assert people["juror"].has_perm("initiatives.decide_grant", grant)
