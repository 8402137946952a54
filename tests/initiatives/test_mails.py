"""E-mail at every step: a vote opens (the district's verified residents who did not opt
out), an initiative is taken off the ballot (its owners, with the published reason), a
request is withdrawn (its deciders), and the older ones: co-owner added, support offered,
need answered, drawn for the panel."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core import mail

from buurtbasis.accounts.models import Consent
from buurtbasis.accounts.services import record_consent
from buurtbasis.budgets.models import BudgetLine
from buurtbasis.initiatives import services
from buurtbasis.initiatives.models import Initiative, Need

from .conftest import People, Town, make_user, new_initiative

Capture = Callable[..., Any]


def _to(subject_part: str) -> set[str]:
    return {m.to[0] for m in mail.outbox if subject_part in m.subject}


def test_a_vote_opening_is_mailed_to_verified_residents_who_did_not_opt_out(
    town: Town,
    people: People,
    line: BudgetLine,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    services.update_line_settings(line, people.official, vote_enabled=True)
    vote = services.create_vote(line, people.official, title="Buurtstemming", budget_cents=10_000)
    services.nominate(
        vote,
        people.resident,
        new_initiative(people.owner, town.bu_a),
        amount_cents=5_000,
        summary="Zaden",
    )
    unverified = make_user("nieuw", town.bu_b, verified=False)
    quiet = make_user("stil", town.bu_a)
    record_consent(
        quiet, Consent.Purpose.CONTACT_BY_EMAIL, False, method=Consent.Method.ONLINE, actor=quiet
    )
    changed_mind = make_user("toch-wel", town.bu_b)
    for given in (False, True):
        record_consent(
            changed_mind,
            Consent.Purpose.CONTACT_BY_EMAIL,
            given,
            method=Consent.Method.ONLINE,
            actor=changed_mind,
        )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.open_vote(vote, people.official)
    invited = _to("Stem mee")
    assert {people.resident.email, people.neighbour.email, changed_mind.email} <= invited
    assert not invited & {
        unverified.email,
        quiet.email,
        people.southerner.email,
        people.professional.email,
        people.official.email,
    }
    assert vote.get_absolute_url() in mail.outbox[0].body


def test_removal_from_the_ballot_is_mailed_to_the_owners_with_the_reason(
    town: Town,
    people: People,
    line: BudgetLine,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    services.update_line_settings(line, people.official, vote_enabled=True)
    vote = services.create_vote(line, people.official, title="Buurtstemming", budget_cents=10_000)
    plan = new_initiative(people.owner, town.bu_a)
    assert people.resident.email
    services.add_owner(plan, people.owner, people.resident.email)
    option = services.nominate(
        vote, people.neighbour, plan, amount_cents=5_000, summary="Een schutting"
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_option(option, people.official, reason="Bouwen op grond van een ander.")
    removed = [m for m in mail.outbox if "niet meer op de stemlijst" in m.subject]
    assert {m.to[0] for m in removed} == {people.owner.email, people.resident.email}
    assert "Bouwen op grond van een ander." in removed[0].body


def test_a_withdrawn_request_is_mailed_to_the_deciders(
    initiative: Initiative,
    town: Town,
    people: People,
    line: BudgetLine,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    services.volunteer(town.north, people.neighbour)
    grant = services.request_grant(
        initiative,
        people.owner,
        line=line,
        why="Zaden",
        for_whom="De straat",
        items=[services.Item("Zaden", 10_000)],
    )
    services.decide_grant(grant, people.resident, approve=True, reason="Ja")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_grant(grant, people.owner)
    told = _to("Aanvraag ingetrokken")
    assert {people.professional.email, people.neighbour.email, people.resident.email} <= told
    assert people.owner.email not in told


def test_the_older_mails_are_sent(
    initiative: Initiative,
    town: Town,
    people: People,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    assert people.resident.email
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.add_owner(initiative, people.owner, people.resident.email)
    assert _to("initiatiefnemer van") == {people.resident.email}
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.add_comment(initiative, people.professional, "Ik help graag.", offer=True)
    assert _to("Aanbod van steun") == {people.owner.email, people.resident.email}
    need = services.add_need(
        initiative, people.owner, kind=Need.Kind.THINGS, description="Kruiwagen"
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_need(need, people.neighbour, message="Ik heb er een.")
    assert _to("biedt") == {people.owner.email, people.resident.email}
    for juror in people.jurors:
        services.volunteer(town.north, juror)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        draw = services.draw_members(town.north, people.official, seed="post")
    drawn = {j.email for j in people.jurors if j.pk in draw.chosen}
    assert drawn and _to("geloot voor de buurtjury") == drawn
