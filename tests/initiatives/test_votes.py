"""The neighbourhood vote: nominating without pre-selection, removal only with a published
reason, one secret ballot per resident of the district (assisted and paper ballots recorded
as such), the count with Equal Shares beside greedy, payment of the winners and what each
voter's share helped fund."""

from __future__ import annotations

import datetime
from fractions import Fraction
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models
from django.utils import timezone

from buurtbasis.accounts.models import Membership, Role, User
from buurtbasis.accounts.services import verify_resident
from buurtbasis.budgets.models import BudgetLine
from buurtbasis.core.models import AuditEvent
from buurtbasis.initiatives import equal_shares, services
from buurtbasis.initiatives.models import (
    Ballot,
    BallotMethod,
    GrantRequest,
    Initiative,
    Vote,
    VoteOption,
    VoterRecord,
)
from buurtbasis.ledger import services as ledger

from .conftest import People, Town, make_user, new_initiative


@pytest.fixture
def vote(line: BudgetLine, people: People) -> Vote:
    services.update_line_settings(line, people.official, vote_enabled=True)
    return services.create_vote(
        line, people.official, title="Buurtstemming Noord", budget_cents=100_000
    )


@pytest.fixture
def options(vote: Vote, town: Town, people: People) -> list[VoteOption]:
    plans = [
        ("Moestuin", town.bu_a, 40_000),
        ("Speelplek", town.bu_b, 50_000),
        ("Eetgroep", town.bu_a, 30_000),
        ("Minibieb", town.bu_b, 20_000),
    ]
    found = []
    for name, area, amount in plans:
        initiative = new_initiative(people.owner, area, name=name)
        found.append(
            services.nominate(vote, people.resident, initiative, amount_cents=amount, summary=name)
        )
    return found


def voters(town: Town, n: int) -> list[Any]:
    return [make_user(f"stemmer-{i}", town.bu_a if i % 2 else town.bu_b) for i in range(n)]


def test_a_vote_needs_the_instrument_switched_on_and_money(
    line: BudgetLine, people: People
) -> None:
    with pytest.raises(ValidationError, match="staat de buurtstemming niet aan"):
        services.create_vote(line, people.official, title="Stemming", budget_cents=1_000)
    services.update_line_settings(line, people.official, vote_enabled=True)
    with pytest.raises(PermissionDenied):
        services.create_vote(line, people.resident, title="Stemming", budget_cents=1_000)
    with pytest.raises(ValidationError):
        services.create_vote(
            line, people.official, title="Te veel", budget_cents=services.available_cents(line) + 1
        )
    vote = services.create_vote(line, people.official, title="Stemming", budget_cents=1_000)
    assert vote.status == Vote.Status.NOMINATING
    assert services.available_cents(line) == services.line_balance(line) - 1_000


def test_any_resident_of_the_district_nominates(vote: Vote, town: Town, people: People) -> None:
    mine = new_initiative(people.owner, town.bu_a)
    elsewhere = new_initiative(people.southerner, town.bu_south, name="Zuidfeest")
    with pytest.raises(PermissionDenied):
        services.nominate(vote, people.southerner, mine, amount_cents=1_000, summary="x")
    with pytest.raises(PermissionDenied):
        services.nominate(vote, people.official, mine, amount_cents=1_000, summary="x")
    with pytest.raises(ValidationError):
        services.nominate(vote, people.resident, elsewhere, amount_cents=1_000, summary="x")
    with pytest.raises(ValidationError):
        services.nominate(vote, people.resident, mine, amount_cents=100_001, summary="x")
    services.nominate(vote, people.neighbour, mine, amount_cents=1_000, summary="Zaden")
    with pytest.raises(ValidationError, match="al op de stemlijst"):
        services.nominate(vote, people.resident, mine, amount_cents=1_000, summary="Zaden")
    assert vote.options.count() == 1


def test_removal_only_with_a_published_reason(
    vote: Vote, options: list[VoteOption], people: People
) -> None:
    with pytest.raises(PermissionDenied):
        services.remove_option(options[0], people.professional, reason="Mag niet")
    with pytest.raises(ValidationError):
        services.remove_option(options[0], people.official, reason=" ")
    services.remove_option(options[0], people.official, reason="Bouwen op grond van een ander.")
    options[0].refresh_from_db()
    assert options[0].is_removed and "grond" in options[0].removal_reason
    with pytest.raises(ValidationError):
        services.remove_option(options[0], people.official, reason="Nog eens")


def test_one_secret_ballot_per_resident_of_the_district(
    vote: Vote, options: list[VoteOption], town: Town, people: People
) -> None:
    with pytest.raises(ValidationError):
        services.cast_ballot(vote, people.resident, [options[0].pk])  # not open yet
    services.open_vote(vote, people.official)
    services.cast_ballot(vote, people.resident, [options[0].pk, options[2].pk])
    with pytest.raises(ValidationError, match="één keer"):
        services.cast_ballot(vote, people.resident, [options[1].pk])
    with pytest.raises(PermissionDenied, match="Alleen bewoners"):
        services.cast_ballot(vote, people.southerner, [options[1].pk])
    with pytest.raises(PermissionDenied):
        services.cast_ballot(vote, people.professional, [options[1].pk])
    with pytest.raises(ValidationError):
        services.cast_ballot(vote, people.neighbour, [])
    with pytest.raises(ValidationError):
        services.cast_ballot(vote, people.neighbour, [options[0].pk + 1000])
    assert VoterRecord.objects.filter(vote=vote).count() == 1
    ballot = Ballot.objects.get(vote=vote)
    # Nothing on the ballot points at the person; only the voter's own key finds it.
    assert {f.name for f in Ballot._meta.get_fields()} == {
        "id",
        "vote",
        "voter_key",
        "approvals",
        "shares",
    }
    assert len(ballot.voter_key) == 64
    assert ballot.voter_key == services.voter_key(vote, people.resident)
    assert ballot.voter_key != services.voter_key(vote, people.neighbour)
    assert services.my_ballot(vote, people.resident) == ballot
    assert services.my_ballot(vote, people.neighbour) is None
    assert sorted(ballot.approvals) == sorted([options[0].pk, options[2].pk])
    event = AuditEvent.objects.get(action="initiatives.ballot", result="ok")
    assert "approvals" not in event.detail and str(options[0].pk) not in str(event.detail)


def test_removed_options_cannot_be_chosen(
    vote: Vote, options: list[VoteOption], people: People
) -> None:
    services.remove_option(options[1], people.official, reason="Niet toegestaan")
    services.open_vote(vote, people.official)
    with pytest.raises(ValidationError):
        services.cast_ballot(vote, people.resident, [options[1].pk])


def test_paper_and_assisted_ballots_are_recorded_as_such(
    vote: Vote, options: list[VoteOption], town: Town, people: People
) -> None:
    services.open_vote(vote, people.official)
    with pytest.raises(PermissionDenied):
        services.enter_paper_ballot(
            vote, people.resident, people.neighbour, [options[0].pk], method=BallotMethod.PAPER
        )
    with pytest.raises(PermissionDenied):
        services.enter_paper_ballot(
            vote,
            people.professional_south,
            people.neighbour,
            [options[0].pk],
            method=BallotMethod.PAPER,
        )
    with pytest.raises(ValidationError):
        services.enter_paper_ballot(
            vote, people.professional, people.southerner, [options[0].pk], method=BallotMethod.PAPER
        )
    services.enter_paper_ballot(
        vote, people.professional, people.neighbour, [options[0].pk], method=BallotMethod.PAPER
    )
    with pytest.raises(ValidationError):
        services.cast_ballot(vote, people.neighbour, [options[1].pk])
    record = VoterRecord.objects.get(vote=vote, user=people.neighbour)
    assert record.method == BallotMethod.PAPER and record.entered_by == people.professional
    # How someone voted is kept with who voted, never on the ballot.
    assert services.my_ballot(vote, people.neighbour) is not None
    assert not hasattr(services.my_ballot(vote, people.neighbour), "method")


def test_ballots_share_no_order_with_the_voters_once_the_vote_closes(
    vote: Vote, options: list[VoteOption], town: Town, people: People
) -> None:
    """The ballot has no method, no time and no person on it; after closing, neither its id
    nor the database's own order of the rows follows the order in which people voted."""
    fields = Ballot._meta.get_fields()
    names = {f.name for f in fields}
    assert "method" not in names
    assert not any(isinstance(f, models.DateField | models.DateTimeField) for f in fields)
    assert not any(getattr(f, "related_model", None) is get_user_model() for f in fields), (
        "no link to a person"
    )
    services.open_vote(vote, people.official)
    crowd = voters(town, 30)
    for number, voter in enumerate(crowd):
        services.cast_ballot(vote, voter, [options[number % len(options)].pk])
    in_voting_order = [services.voter_key(vote, v) for v in crowd]
    table = connection.ops.quote_name(Ballot._meta.db_table)
    # The physical order of the rows: SQLite's rowid, PostgreSQL's tuple id.
    physical = "ctid" if connection.vendor == "postgresql" else "rowid"
    query = f"SELECT voter_key FROM {table} ORDER BY {physical}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(query)
        natural_before = [row[0] for row in cursor.fetchall()]
    assert natural_before == in_voting_order  # what an open vote still shows an administrator
    ids_before = set(Ballot.objects.values_list("id", flat=True))
    services.close_vote(vote, people.official)
    with connection.cursor() as cursor:
        cursor.execute(query)
        natural_after = [row[0] for row in cursor.fetchall()]
    by_pk = list(Ballot.objects.order_by("pk").values_list("voter_key", flat=True))
    assert sorted(natural_after) == sorted(in_voting_order)  # every ballot is still there
    assert natural_after != in_voting_order
    assert by_pk != in_voting_order
    assert ids_before.isdisjoint(Ballot.objects.values_list("id", flat=True))  # new ids
    # Each voter still finds their own ballot.
    assert services.my_ballot(vote, crowd[7]).approvals == [options[7 % len(options)].pk]  # type: ignore[union-attr]


def test_the_count_pays_the_equal_shares_winners_and_shows_greedy_beside_it(
    vote: Vote, options: list[VoteOption], town: Town, people: People, line: BudgetLine
) -> None:
    assert line.account is not None
    before = ledger.balance(line.account)
    moestuin, speelplek, eetgroep, minibieb = options
    services.open_vote(vote, people.official)
    crowd = voters(town, 9)
    # Six want the garden and the playground; three want the dinners and the library.
    for voter in crowd[:6]:
        services.cast_ballot(vote, voter, [moestuin.pk, speelplek.pk])
    for voter in crowd[6:]:
        services.cast_ballot(vote, voter, [eetgroep.pk, minibieb.pk])
    services.cast_ballot(vote, people.resident, [eetgroep.pk])
    with pytest.raises(ValidationError):
        services.count_vote(vote, people.official)  # still open
    services.close_vote(vote, people.official)
    with pytest.raises(ValidationError):
        services.cast_ballot(vote, people.neighbour, [moestuin.pk])
    with pytest.raises(PermissionDenied):
        services.count_vote(vote, people.professional)
    services.count_vote(vote, people.official)
    vote.refresh_from_db()
    results = {o.initiative.name: o for o in vote.options.select_related("initiative")}
    # What the pure functions say, with the app's tie-break order.
    ballots = [b.approvals for b in vote.ballots.all()]
    costs = {o.pk: o.amount_cents for o in options}
    counts = {o.pk: sum(o.pk in b for b in ballots) for o in options}
    order = services.votes.tie_break_order(options, counts)
    election = equal_shares.Election(budget=100_000, costs=costs, ballots=ballots)
    expected = equal_shares.equal_shares(election, increment=100, tie_break=order)
    expected_greedy = equal_shares.greedy(election, tie_break=order)
    assert {o.pk for o in results.values() if o.mes_selected} == set(expected.winners)
    assert {o.pk for o in results.values() if o.greedy_selected} == set(expected_greedy.winners)
    # Greedy gives the majority everything; Equal Shares gives the minority its share too.
    assert results["Moestuin"].greedy_selected and results["Speelplek"].greedy_selected
    assert not results["Eetgroep"].greedy_selected
    assert results["Eetgroep"].mes_selected
    assert results["Moestuin"].approvals == 6 and results["Eetgroep"].approvals == 4
    assert vote.status == Vote.Status.COUNTED
    assert vote.voters == 10
    assert vote.mes_total_cents == expected.total_cost <= vote.budget_cents
    assert Fraction(vote.per_voter_budget) == expected.per_voter_budget
    # Winners are paid from the line into their own accounts.
    paid = GrantRequest.objects.filter(route=GrantRequest.Route.VOTE, status="approved")
    assert {g.vote_option.pk for g in paid} == set(expected.winners)
    assert ledger.balance(line.account) == before - vote.mes_total_cents
    for grant in paid:
        grant.initiative.refresh_from_db()
        assert ledger.balance(grant.initiative.account) == grant.amount_cents
    # Each voter sees what their share helped fund.
    ballot, rows = services.my_shares(vote, people.resident)
    assert ballot is not None
    assert [r.option.pk for r in rows] == [eetgroep.pk]
    assert 0 < rows[0].cents <= int(expected.per_voter_budget) + 1
    total_shares = sum(sum(b.shares.values()) for b in vote.ballots.all())
    assert abs(total_shares - vote.mes_total_cents) <= vote.voters  # rounded to cents
    with pytest.raises(ValidationError):
        services.count_vote(vote, people.official)


def test_winners_need_a_host(
    vote: Vote, options: list[VoteOption], town: Town, people: People, line: BudgetLine
) -> None:
    services.open_vote(vote, people.official)
    services.cast_ballot(vote, people.resident, [options[3].pk])
    services.close_vote(vote, people.official)
    services.update_line_settings(line, people.official, host=None)
    with pytest.raises(ValidationError, match="gastorganisatie"):
        services.count_vote(vote, people.official)
    vote.refresh_from_db()
    assert vote.status == Vote.Status.CLOSED
    assert not GrantRequest.objects.exists()


def test_an_empty_ballot_list_cannot_open(vote: Vote, people: People) -> None:
    with pytest.raises(ValidationError):
        services.open_vote(vote, people.official)


def test_initiatives_still_marked_as_ended_cannot_be_nominated(
    vote: Vote, town: Town, people: People
) -> None:
    ended = new_initiative(people.owner, town.bu_a, name="Voorbij", state=Initiative.State.ENDED)
    with pytest.raises(ValidationError):
        services.nominate(vote, people.resident, ended, amount_cents=1_000, summary="x")


def test_self_declared_residents_neither_vote_nor_nominate(
    vote: Vote, options: list[VoteOption], town: Town, people: People
) -> None:
    newcomer = make_user("nieuwkomer", town.bu_a, verified=False)
    plan = new_initiative(people.owner, town.bu_b, name="Bankje")
    with pytest.raises(PermissionDenied, match="bevestigd"):
        services.nominate(vote, newcomer, plan, amount_cents=1_000, summary="Een bankje")
    services.open_vote(vote, people.official)
    with pytest.raises(PermissionDenied, match="bevestigen"):
        services.cast_ballot(vote, newcomer, [options[0].pk])
    assert not VoterRecord.objects.exists() and not Ballot.objects.exists()
    assert AuditEvent.objects.filter(action="initiatives.ballot", result="denied").exists()
    verify_resident(
        Membership.objects.get(user=newcomer, role=Role.RESIDENT), actor=people.professional
    )
    services.cast_ballot(vote, User.objects.get(pk=newcomer.pk), [options[0].pk])
    assert VoterRecord.objects.filter(user=newcomer).exists()


def test_a_paper_ballot_confirms_the_resident_by_the_professional(
    vote: Vote, options: list[VoteOption], town: Town, people: People
) -> None:
    newcomer = make_user("zonder-internet", town.bu_b, verified=False)
    services.open_vote(vote, people.official)
    services.enter_paper_ballot(
        vote, people.professional, newcomer, [options[1].pk], method=BallotMethod.PAPER
    )
    home = Membership.objects.get(user=newcomer, role=Role.RESIDENT)
    assert home.verified_by == people.professional and home.verified_at is not None
    assert AuditEvent.objects.filter(action="accounts.verify_resident", actor=people.professional)


def test_no_ballot_after_the_closing_date(
    line: BudgetLine, options: list[VoteOption], vote: Vote, people: People
) -> None:
    vote.closes_on = timezone.localdate() - datetime.timedelta(days=1)
    vote.save(update_fields=["closes_on"])
    services.open_vote(vote, people.official)
    with pytest.raises(ValidationError, match="kon tot en met"):
        services.cast_ballot(vote, people.resident, [options[0].pk])
    with pytest.raises(ValidationError, match="kon tot en met"):
        services.enter_paper_ballot(
            vote, people.professional, people.neighbour, [options[0].pk], method="paper"
        )
    assert not Ballot.objects.exists() and not VoterRecord.objects.exists()
    vote.closes_on = timezone.localdate()  # the last day still counts
    vote.save(update_fields=["closes_on"])
    services.cast_ballot(vote, people.resident, [options[0].pk])
    assert Ballot.objects.count() == 1
