"""Light grants: the decision route per budget line, one resident and one professional for a
small request, the buurtjury for a larger one, payment through the ledger, e-mail and
reminders. Bad input (too much money, a decider on their own initiative, deciders from
elsewhere) changes nothing."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from buurtbasis.accounts.models import Membership, Role, User
from buurtbasis.accounts.services import verify_resident
from buurtbasis.budgets.models import BudgetLine
from buurtbasis.core.models import AuditEvent
from buurtbasis.initiatives import services
from buurtbasis.initiatives.models import Decision, GrantRequest, Initiative, Need
from buurtbasis.ledger import services as ledger
from buurtbasis.ledger.checks import find_breaches

from .conftest import People, Town, make_user, new_initiative


def ask(
    initiative: Initiative, actor: Any, line: BudgetLine, *amounts: int, **extra: Any
) -> GrantRequest:
    return services.request_grant(
        initiative,
        actor,
        line=line,
        why="Om te beginnen met zaden en gereedschap.",
        for_whom="Voor de hele straat.",
        items=[services.Item(f"Regel {i}", a) for i, a in enumerate(amounts, start=1)],
        **extra,
    )


def test_working_days_skip_weekends() -> None:
    friday = datetime.date(2026, 11, 20)
    assert services.add_working_days(friday, 1) == datetime.date(2026, 11, 23)
    assert services.add_working_days(friday, 10) == datetime.date(2026, 12, 4)
    assert services.working_days_between(friday, datetime.date(2026, 12, 4)) == 10
    assert services.working_days_between(datetime.date(2026, 12, 4), friday) == -10


def test_a_small_grant_is_decided_by_a_resident_and_a_professional_and_paid(
    initiative: Initiative,
    people: People,
    line: BudgetLine,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    assert line.account is not None
    before = ledger.balance(line.account)
    with django_capture_on_commit_callbacks(execute=True):
        grant = ask(
            initiative, people.owner, line, 25_000, 15_000, today=datetime.date(2026, 11, 20)
        )
    assert grant.route == GrantRequest.Route.SMALL
    assert grant.amount_cents == 40_000
    assert grant.deadline == datetime.date(2026, 12, 4)  # 10 working days
    assert grant.items.count() == 2
    submitted = {m.to[0] for m in mail.outbox}
    assert people.owner.email in submitted
    assert people.professional.email in submitted  # asked to decide
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_grant(grant, people.resident, approve=True, reason="Goed voor de straat.")
    grant.refresh_from_db()
    assert grant.is_open and ledger.balance(line.account) == before
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_grant(grant, people.professional, approve=True, reason="Akkoord.")
    grant.refresh_from_db()
    initiative.refresh_from_db()
    assert grant.status == GrantRequest.Status.APPROVED
    assert grant.payout is not None and grant.payout.kind == "initiatives.grant"
    assert grant.host == people.host == initiative.host
    assert initiative.account is not None
    assert ledger.balance(initiative.account) == 40_000
    assert ledger.balance(line.account) == before - 40_000
    assert "Goed voor de straat." in grant.reasons and "Akkoord." in grant.reasons
    assert [m.to[0] for m in mail.outbox] == [people.owner.email]
    assert "toegekend" in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="initiatives.grant_granted").count() == 1
    assert find_breaches() == []


def test_one_no_refuses_a_small_grant_and_moves_nothing(
    initiative: Initiative, people: People, line: BudgetLine
) -> None:
    assert line.account is not None
    before = ledger.balance(line.account)
    grant = ask(initiative, people.owner, line, 30_000)
    services.decide_grant(grant, people.professional, approve=False, reason="Eerst een plan.")
    grant.refresh_from_db()
    assert grant.status == GrantRequest.Status.REJECTED
    assert grant.payout is None
    assert ledger.balance(line.account) == before
    assert "Eerst een plan." in grant.reasons


def test_more_than_is_left_in_the_line_is_refused(
    initiative: Initiative, people: People, line: BudgetLine
) -> None:
    available = services.available_cents(line)
    with pytest.raises(ValidationError) as error:
        ask(initiative, people.owner, line, available + 1)
    assert "beschikbaar" in str(error.value)
    assert not GrantRequest.objects.exists()
    # An open request reserves its money.
    services.update_line_settings(line, people.official, small_limit_cents=available)
    ask(initiative, people.owner, line, available - 1_000)
    with pytest.raises(ValidationError):
        ask(initiative, people.owner, line, 1_001)
    assert GrantRequest.objects.count() == 1


def test_a_decider_on_their_own_initiative_is_refused(
    initiative: Initiative, people: People, line: BudgetLine
) -> None:
    assert people.resident.email
    services.add_owner(initiative, people.owner, people.resident.email)
    grant = ask(initiative, people.owner, line, 10_000)
    with pytest.raises(PermissionDenied, match="hoort bij dit initiatief"):
        services.decide_grant(grant, people.resident, approve=True, reason="Mijn eigen plan")
    assert not Decision.objects.exists()
    assert AuditEvent.objects.filter(action="initiatives.grant_decide", result="denied").exists()


def test_deciders_come_from_the_district(
    initiative: Initiative, people: People, line: BudgetLine
) -> None:
    grant = ask(initiative, people.owner, line, 10_000)
    for outsider in (people.southerner, people.professional_south, people.outsider, people.funder):
        with pytest.raises(PermissionDenied):
            services.decide_grant(grant, outsider, approve=True, reason="Ja")
    services.decide_grant(grant, people.neighbour, approve=True, reason="Ja")
    # A second resident cannot take the professional's place.
    with pytest.raises(ValidationError):
        services.decide_grant(grant, people.resident, approve=True, reason="Ik ook")
    with pytest.raises(ValidationError):
        services.decide_grant(grant, people.neighbour, approve=False, reason="Toch niet")
    assert Decision.objects.count() == 1


def test_without_a_host_nothing_can_be_asked(
    initiative: Initiative, people: People, line: BudgetLine
) -> None:
    services.update_line_settings(line, people.official, host=None)
    with pytest.raises(ValidationError, match="gastorganisatie"):
        ask(initiative, people.owner, line, 10_000)
    assert not GrantRequest.objects.exists()


def test_only_initiators_ask_and_only_from_their_own_district(
    initiative: Initiative, town: Town, people: People, line: BudgetLine, framework: Any
) -> None:
    with pytest.raises(PermissionDenied):
        ask(initiative, people.resident, line, 10_000)
    from .conftest import theme_line

    south = theme_line(framework, town.south)
    services.update_line_settings(south, people.official, host=people.host)
    with pytest.raises(ValidationError):
        ask(initiative, people.owner, south, 10_000)
    with pytest.raises(ValidationError):
        ask(initiative, people.owner, line)  # no budget lines
    with pytest.raises(ValidationError):
        ask(initiative, people.owner, line, 0)
    assert not GrantRequest.objects.exists()


def test_the_route_follows_the_line_setting(
    initiative: Initiative, people: People, line: BudgetLine, jury: list[Any]
) -> None:
    assert ask(initiative, people.owner, line, 100_000).route == GrantRequest.Route.SMALL
    assert ask(initiative, people.owner, line, 100_001).route == GrantRequest.Route.PANEL
    services.update_line_settings(line, people.official, small_limit_cents=50_000, small_days=5)
    grant = ask(initiative, people.owner, line, 60_000, today=datetime.date(2026, 11, 20))
    assert grant.route == GrantRequest.Route.PANEL
    assert grant.deadline == services.add_working_days(datetime.date(2026, 11, 20), 20)
    with pytest.raises(PermissionDenied):
        services.update_line_settings(line, people.professional, small_limit_cents=1)
    with pytest.raises(ValidationError):
        services.update_line_settings(line, people.official, small_days=0)


def test_a_larger_request_needs_a_panel(
    initiative: Initiative, people: People, line: BudgetLine
) -> None:
    with pytest.raises(ValidationError, match="buurtjury"):
        ask(initiative, people.owner, line, 500_000)
    assert not GrantRequest.objects.exists()


def test_the_panel_decides_5000_by_majority_with_published_reasons(
    initiative: Initiative,
    people: People,
    line: BudgetLine,
    jury: list[Any],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    assert line.account is not None
    before = ledger.balance(line.account)
    with django_capture_on_commit_callbacks(execute=True):
        grant = ask(initiative, people.owner, line, 380_000, 120_000)
    assert grant.route == GrantRequest.Route.PANEL
    assert {m.to[0] for m in mail.outbox} >= {j.email for j in jury}
    # Residents and professionals outside the panel cannot decide.
    for other in (people.resident, people.professional):
        with pytest.raises(PermissionDenied):
            services.decide_grant(grant, other, approve=True, reason="Ja")
    services.decide_grant(grant, jury[0], approve=True, reason="De kinderen hebben het nodig.")
    services.decide_grant(grant, jury[1], approve=False, reason="Eerst de corporatie vragen.")
    grant.refresh_from_db()
    assert grant.is_open
    services.decide_grant(grant, jury[2], approve=True, reason="Goede begroting.")
    grant.refresh_from_db()
    assert grant.is_open
    services.decide_grant(grant, jury[3], approve=True, reason="Veilig spelen.")
    grant.refresh_from_db()
    assert grant.status == GrantRequest.Status.APPROVED
    assert ledger.balance(line.account) == before - 500_000
    for reason in ("De kinderen", "Eerst de corporatie", "Goede begroting", "Veilig spelen"):
        assert reason in grant.reasons
    with pytest.raises(ValidationError):
        services.decide_grant(grant, jury[4], approve=False, reason="Te laat")


def test_a_panel_majority_against_refuses(
    initiative: Initiative, people: People, line: BudgetLine, jury: list[Any]
) -> None:
    grant = ask(initiative, people.owner, line, 200_000)
    for juror in jury[:3]:
        services.decide_grant(grant, juror, approve=False, reason="Niet nu.")
    grant.refresh_from_db()
    assert grant.status == GrantRequest.Status.REJECTED


def test_a_juror_who_owns_the_initiative_does_not_decide(
    town: Town, people: People, line: BudgetLine, jury: list[Any]
) -> None:
    own = new_initiative(jury[0], town.bu_a, name="Eigen plan van een jurylid")
    grant = ask(own, jury[0], line, 200_000)
    with pytest.raises(PermissionDenied):
        services.decide_grant(grant, jury[0], approve=True, reason="Ja")
    # Four eligible members: three make a majority.
    for juror in jury[1:3]:
        services.decide_grant(grant, juror, approve=True, reason="Ja")
    grant.refresh_from_db()
    assert grant.is_open
    services.decide_grant(grant, jury[3], approve=True, reason="Ja")
    grant.refresh_from_db()
    assert grant.status == GrantRequest.Status.APPROVED


def test_panel_by_lot_from_volunteers(town: Town, people: People) -> None:
    for resident in (people.resident, people.neighbour, *people.jurors):
        services.volunteer(town.north, resident)
    with pytest.raises(PermissionDenied):
        services.volunteer(town.north, people.southerner)
    draw = services.draw_members(town.north, people.professional, seed="vast")
    assert len(draw.chosen) == 5
    assert set(draw.chosen) <= set(draw.candidates)
    # Anyone can repeat the draw from the published seed and candidates.
    import random

    assert draw.chosen == random.Random("vast").sample(draw.candidates, 5)  # noqa: S311
    with pytest.raises(ValidationError):
        services.draw_members(town.north, people.professional)
    with pytest.raises(PermissionDenied):
        services.draw_members(town.north, people.resident)
    member = services.panel_members(town.north)[0]
    services.end_membership(member, people.official)
    assert len(services.panel_members(town.north)) == 4
    with pytest.raises(ValidationError):
        services.appoint_member(town.north, people.official, people.southerner)


def test_appointing_needs_a_verified_resident(town: Town, people: People) -> None:
    """Direct appointment asks the same as volunteering and the lottery: a resident of the
    district whose residence has been confirmed."""
    newcomer = make_user("zelfverklaard", town.bu_b, verified=False)
    events = AuditEvent.objects.filter(action="initiatives.panel_appoint").count()
    with pytest.raises(ValidationError) as refused:
        services.appoint_member(town.north, people.official, newcomer)
    assert "bevestigen" in str(refused.value)
    assert services.panel_members(town.north) == []
    assert AuditEvent.objects.filter(action="initiatives.panel_appoint").count() == events
    # Once confirmed, the same person can be appointed.
    verify_resident(
        Membership.objects.get(user=newcomer, role=Role.RESIDENT), actor=people.professional
    )
    newcomer = User.objects.get(pk=newcomer.pk)
    member = services.appoint_member(town.north, people.official, newcomer)
    assert [m.pk for m in services.panel_members(town.north)] == [member.pk]


def test_withdrawing_frees_the_money(
    initiative: Initiative, people: People, line: BudgetLine
) -> None:
    available = services.available_cents(line)
    grant = ask(initiative, people.owner, line, 50_000)
    assert services.available_cents(line) == available - 50_000
    with pytest.raises(PermissionDenied):
        services.withdraw_grant(grant, people.resident)
    services.withdraw_grant(grant, people.owner)
    assert services.available_cents(line) == available
    with pytest.raises(PermissionDenied):
        services.withdraw_grant(grant, people.owner)


def test_a_granted_money_need_is_met(
    initiative: Initiative, people: People, line: BudgetLine
) -> None:
    need = services.add_need(
        initiative, people.owner, kind=Need.Kind.MONEY, description="Zaden", amount_cents=10_000
    )
    grant = ask(initiative, people.owner, line, 10_000, need=need)
    services.decide_grant(grant, people.resident, approve=True, reason="Ja")
    services.decide_grant(grant, people.professional, approve=True, reason="Ja")
    need.refresh_from_db()
    assert need.status == Need.Status.MET


def test_reminders_before_the_deadline_once(
    initiative: Initiative,
    people: People,
    line: BudgetLine,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    grant = ask(initiative, people.owner, line, 10_000, today=datetime.date(2026, 11, 2))
    assert grant.deadline == datetime.date(2026, 11, 16)
    services.decide_grant(grant, people.resident, approve=True, reason="Ja")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_reminders(datetime.date(2026, 11, 10)) == 0  # 4 working days left
        assert services.send_reminders(datetime.date(2026, 11, 12)) == 1  # 2 left
    recipients = {m.to[0] for m in mail.outbox}
    assert people.professional.email in recipients
    assert people.owner.email in recipients
    assert people.resident.email not in recipients  # already decided
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_grant_reminders", "--today", "2026-11-13", stdout=_Sink())
    assert mail.outbox == []
    grant.refresh_from_db()
    assert grant.reminded_at is not None


class _Sink:
    def write(self, *_args: object, **_kwargs: object) -> None:
        return None

    def flush(self) -> None:
        return None


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(st.tuples(st.integers(min_value=1, max_value=2_000_000), st.booleans()), max_size=6)
)
def test_money_is_never_created_or_lost(
    initiative: Initiative, people: People, line: BudgetLine, requests: list[tuple[int, bool]]
) -> None:
    """Whatever is asked and decided: the line never goes below zero, every approved euro is in
    an initiative's account, and a refused or impossible request moves nothing."""
    assert line.account is not None
    with transaction.atomic():
        start = ledger.balance(line.account)
        granted = 0
        for amount, approve in requests:
            try:
                grant = ask(initiative, people.owner, line, amount)
            except ValidationError:
                assert amount > services.available_cents(line) or amount > 100_000
                continue
            services.decide_grant(grant, people.professional, approve=approve, reason="r")
            if approve:
                services.decide_grant(grant, people.resident, approve=True, reason="r")
                granted += amount
        initiative.refresh_from_db()
        held = ledger.balance(initiative.account) if initiative.account else 0
        assert held == granted
        assert ledger.balance(line.account) == start - granted >= 0
        transaction.set_rollback(True)


def test_a_self_declared_resident_does_not_decide_or_volunteer(
    initiative: Initiative, town: Town, people: People, line: BudgetLine
) -> None:
    """Choosing a neighbourhood at sign-up is not enough: a professional or civil servant must
    confirm it first (accounts.services.verify_resident)."""
    newcomer = make_user("nieuwkomer", town.bu_b, verified=False)
    grant = ask(initiative, people.owner, line, 10_000)
    assert not newcomer.has_perm("initiatives.decide_grant", grant)
    with pytest.raises(PermissionDenied):
        services.decide_grant(grant, newcomer, approve=True, reason="Ja")
    with pytest.raises(PermissionDenied, match="bevestigd"):
        services.volunteer(town.north, newcomer)
    assert not Decision.objects.exists()
    verify_resident(
        Membership.objects.get(user=newcomer, role=Role.RESIDENT), actor=people.professional
    )
    newcomer = User.objects.get(pk=newcomer.pk)  # forget the remembered roles
    services.volunteer(town.north, newcomer)
    services.decide_grant(grant, newcomer, approve=True, reason="Ja")
    assert Decision.objects.get().capacity == Decision.Capacity.RESIDENT


def test_everyone_involved_in_the_initiative_is_left_out_of_deciding(
    initiative: Initiative,
    town: Town,
    people: People,
    line: BudgetLine,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    """Owners, the creator, participants ("ik doe mee") and helpers who answered a need are
    not asked to decide and are refused when they try."""
    participant, helper, free = (make_user(n, town.bu_b) for n in ("deelnemer", "helper", "vrij"))
    services.join(initiative, participant)
    tools = services.add_need(
        initiative, people.owner, kind=Need.Kind.THINGS, description="Kruiwagen"
    )
    services.answer_need(tools, helper, message="Ik heb een kruiwagen.")
    hours = services.add_need(
        initiative, people.owner, kind=Need.Kind.HOURS, description="Hulp", minutes=120
    )
    services.answer_need(hours, people.professional, message="Ik help twee uur.")
    for person in (participant, helper, free):
        services.volunteer(town.north, person)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        grant = ask(initiative, people.owner, line, 10_000)
    asked = {m.to[0] for m in mail.outbox if "meebeslissen" in m.subject}
    assert free.email in asked
    assert not asked & {participant.email, helper.email, people.professional.email}
    for person in (participant, helper, people.professional, people.owner):
        assert grant not in services.requests_to_decide(person)
        with pytest.raises(PermissionDenied, match="hoort bij dit initiatief"):
            services.decide_grant(grant, person, approve=True, reason="Ja")
    assert not Decision.objects.exists()
    assert grant in services.requests_to_decide(free)


def test_a_participating_juror_does_not_count_for_the_majority(
    town: Town, people: People, line: BudgetLine, jury: list[Any]
) -> None:
    plan = new_initiative(people.owner, town.bu_a, name="Speelplek")
    services.join(plan, jury[0])
    services.join(plan, jury[1])
    grant = ask(plan, people.owner, line, 200_000)
    with pytest.raises(PermissionDenied):
        services.decide_grant(grant, jury[0], approve=True, reason="Ja")
    # Three eligible members: two make a majority.
    services.decide_grant(grant, jury[2], approve=True, reason="Ja")
    services.decide_grant(grant, jury[3], approve=True, reason="Ja")
    grant.refresh_from_db()
    assert grant.status == GrantRequest.Status.APPROVED


def test_an_overdue_request_goes_to_the_districts_professionals_and_civil_servants(
    initiative: Initiative,
    town: Town,
    people: People,
    line: BudgetLine,
    client: Client,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    grant = ask(initiative, people.owner, line, 10_000, today=datetime.date(2026, 11, 2))
    assert grant.deadline == datetime.date(2026, 11, 16)
    on_time = datetime.date(2026, 11, 16)
    late = datetime.date(2026, 11, 17)
    assert services.overdue_requests(people.professional, on_time) == []
    assert services.overdue_requests(people.professional, late) == [grant]
    assert services.overdue_requests(people.official, late) == [grant]
    for other in (people.professional_south, people.resident, people.funder):
        assert services.overdue_requests(other, late) == []
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_overdue_notices(on_time) == 0
        assert services.send_overdue_notices(late) == 1
        assert services.send_overdue_notices(late) == 0  # once
    told = {m.to[0] for m in mail.outbox}
    assert told == {people.professional.email, people.official.email}
    assert "Te laat" in mail.outbox[0].subject
    grant.refresh_from_db()
    assert grant.escalated_at is not None
    # The decisions page (real date) lists it once its deadline is in the past.
    GrantRequest.objects.filter(pk=grant.pk).update(deadline=datetime.date(2020, 1, 6))
    client.force_login(people.professional)
    page = client.get(reverse("initiatives:decisions"))
    assert "Te laat: nog geen besluit" in page.text and initiative.name in page.text
    client.force_login(people.professional_south)
    assert "Te laat: nog geen besluit" not in client.get(reverse("initiatives:decisions")).text
