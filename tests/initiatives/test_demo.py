"""The demo function for initiatives, on the project's own demo municipality: initiatives in
every state, the € 400 grant paid after a resident and a professional said yes, the € 5.000
panel decision, a counted vote with both results, funds, plans and the co-funding table."""

from __future__ import annotations

import pytest
from pytest_django.fixtures import Settings

from buurtbasis.accounts.models import Membership, Role
from buurtbasis.core import demo
from buurtbasis.initiatives.demo import load_demo_initiatives
from buurtbasis.initiatives.models import (
    CoFundingRule,
    Decision,
    Fund,
    FundingPlan,
    GrantRequest,
    Initiative,
    PanelDraw,
    Story,
    Vote,
    VoterRecord,
)
from buurtbasis.ledger import services as ledger
from buurtbasis.ledger.checks import find_breaches
from buurtbasis.ledger.models import Transaction


@pytest.fixture(autouse=True)
def fast_passwords(settings: Settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.django_db
def test_demo_initiatives_tell_the_whole_story() -> None:
    loaded = demo.load()
    assert loaded.municipality is not None
    initiatives = load_demo_initiatives(loaded.municipality)
    assert {i.state for i in initiatives} == set(Initiative.State.values)
    small = GrantRequest.objects.get(amount_cents=40_000)
    assert small.status == GrantRequest.Status.APPROVED
    assert {d.capacity for d in small.decisions.all()} == {
        Decision.Capacity.RESIDENT,
        Decision.Capacity.PROFESSIONAL,
    }
    garden = small.initiative
    assert garden.account is not None and garden.host is not None
    assert ledger.balance(garden.account) == 40_000
    assert small.expenses.exists() and Story.objects.filter(grant=small).exists()
    large = GrantRequest.objects.get(amount_cents=500_000)
    assert large.route == GrantRequest.Route.PANEL and large.status == "approved"
    assert large.reasons and large.decisions.filter(approve=False).exists()
    assert PanelDraw.objects.exists()
    assert GrantRequest.objects.filter(status=GrantRequest.Status.SUBMITTED).exists()
    vote = Vote.objects.get(status=Vote.Status.COUNTED)
    mes = set(vote.options.filter(mes_selected=True).values_list("pk", flat=True))
    greedy = set(vote.options.filter(greedy_selected=True).values_list("pk", flat=True))
    assert mes and greedy and mes != greedy
    assert vote.voter_records.filter(method="assisted").exists()
    # Everyone who voted is a confirmed resident; the professional entered the assisted ballot.
    voters = [r.user for r in VoterRecord.objects.select_related("user")]
    assert voters and all(
        Membership.objects.filter(user=u, role=Role.RESIDENT, verified_at__isnull=False).exists()
        for u in voters
    )
    # A second vote is open (the browser crawl sees the ballot form) and a third takes
    # nominations; the demo resident has not voted in the open one.
    open_vote = Vote.objects.get(status=Vote.Status.OPEN)
    assert open_vote.options.exists() and open_vote.ballots.exists()
    resident = next(p for p in demo.PEOPLE if p.key == "resident")
    assert not open_vote.voter_records.filter(user__email=resident.email).exists()
    assert Vote.objects.filter(status=Vote.Status.NOMINATING).exists()
    assert Fund.objects.count() >= 4 and FundingPlan.objects.count() >= 2
    assert CoFundingRule.objects.filter(municipality=loaded.municipality).count() == 4
    assert find_breaches() == []
    # Idempotent.
    counts = (Initiative.objects.count(), Transaction.objects.count(), Vote.objects.count())
    load_demo_initiatives(loaded.municipality)
    assert (Initiative.objects.count(), Transaction.objects.count(), Vote.objects.count()) == counts
