"""Drawing rights: a group's hours with a provider; the provider records, the group confirms;
unused hours lapse or carry over at year end."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from buurtbasis.budgets import services
from buurtbasis.budgets.models import (
    BudgetFramework,
    BudgetLine,
    DrawingRight,
    HoursDelivery,
    ResidentGroup,
)
from buurtbasis.budgets.selectors import right_summary
from buurtbasis.ledger import services as ledger
from buurtbasis.ledger.models import Transaction

from .conftest import YEARS, People, Town, fill_sources

# Deliveries must lie in the right's year and not in the future, so the recording tests use a
# framework that runs this year (``current``).
TODAY = datetime.date.today()


def _line(framework: BudgetFramework, year: int) -> BudgetLine:
    return BudgetLine.objects.get(
        district_budget__framework=framework,
        district_budget__year=year,
        district_budget__district__code="WK999901",
        theme__name="Leefbaarheid",
    )


@pytest.fixture
def right(adopted: BudgetFramework, group: ResidentGroup, people: People) -> DrawingRight:
    return services.grant_drawing_right(
        _line(adopted, YEARS[0]),
        group,
        provider=people.welfare,
        minutes=10 * 60,
        actor=people.official,
        description="Opbouwwerk voor het buurtfeest",
    )


@pytest.fixture
def current(
    town: object, people: People, group: ResidentGroup, draft: BudgetFramework
) -> DrawingRight:
    """A right in the current year (a framework that runs this year)."""
    framework = services.create_framework(
        draft.municipality,
        actor=people.official,
        name="Lopend",
        start_year=TODAY.year,
        end_year=TODAY.year + 1,
        hours_rule=BudgetFramework.HoursRule.CARRY_OVER,
    )
    from .conftest import fill_sources

    fill_sources(framework, people.official)
    services.adopt(framework, people.official)
    return services.grant_drawing_right(
        _line(framework, TODAY.year),
        group,
        provider=people.welfare,
        minutes=8 * 60,
        actor=people.official,
    )


def test_granting_moves_hours_from_the_provider(right: DrawingRight, people: People) -> None:
    summary = right_summary(right)
    assert summary.granted == 600
    assert summary.remaining == 600
    assert summary.confirmed == 0
    provider = ledger.get_account(people.welfare, "hours-provided", "HOURS")
    assert provider is not None and ledger.balance(provider) == -600


def test_the_flow_record_confirm(current: DrawingRight, people: People) -> None:
    delivery = services.record_hours(
        current,
        minutes=90,
        date=TODAY,
        description="Hulp bij de subsidieaanvraag",
        actor=people.professional,
    )
    summary = right_summary(current)
    assert (summary.delivered, summary.pending, summary.confirmed) == (90, 90, 0)
    # Recorded hours are reserved: the provider cannot record them twice.
    assert (summary.balance, summary.remaining) == (480, 390)
    services.confirm_hours(delivery, actor=people.contact)
    delivery.refresh_from_db()
    assert delivery.status == HoursDelivery.Status.CONFIRMED
    assert delivery.confirmed_by == people.contact
    summary = right_summary(current)
    assert (summary.confirmed, summary.pending, summary.remaining) == (90, 0, 390)
    assert Transaction.objects.filter(kind="budgets.hours_use").count() == 1


def test_confirming_twice_or_disputed_hours_is_refused(
    current: DrawingRight, people: People
) -> None:
    first = services.record_hours(
        current, minutes=60, date=TODAY, description="Overleg", actor=people.professional
    )
    services.confirm_hours(first, actor=people.member)
    with pytest.raises(ValidationError, match="niet \\(meer\\) vastgelegd"):
        services.confirm_hours(first, actor=people.member)
    second = services.record_hours(
        current, minutes=60, date=TODAY, description="Overleg", actor=people.professional
    )
    services.dispute_hours(second, actor=people.contact, reason="Was er niet")
    with pytest.raises(ValidationError, match="niet \\(meer\\) vastgelegd"):
        services.confirm_hours(second, actor=people.contact)
    assert right_summary(current).confirmed == 60
    assert Transaction.objects.filter(kind="budgets.hours_use").count() == 1


def test_recording_more_than_is_left_is_refused(current: DrawingRight, people: People) -> None:
    services.record_hours(
        current, minutes=7 * 60, date=TODAY, description="Veel werk", actor=people.professional
    )
    with pytest.raises(ValidationError, match="past daar niet in"):
        services.record_hours(
            current, minutes=61, date=TODAY, description="Te veel", actor=people.professional
        )
    assert current.deliveries.count() == 1


def test_confirming_more_than_granted_is_refused_by_the_ledger(
    current: DrawingRight, people: People
) -> None:
    """Even when recorded hours slipped past the check (e.g. made before a correction), the
    ledger's no-overdraft rule stops confirming more than was granted."""
    delivery = HoursDelivery.objects.create(
        drawing_right=current,
        minutes=9 * 60,
        date=TODAY,
        description="Te veel",
        recorded_by=people.professional,
    )
    with pytest.raises(ValidationError, match="niet meer uren bevestigen"):
        services.confirm_hours(delivery, actor=people.contact)
    delivery.refresh_from_db()
    assert delivery.status == HoursDelivery.Status.RECORDED
    summary = right_summary(current)
    assert (summary.balance, summary.confirmed) == (480, 0)


@pytest.mark.parametrize("minutes", [0, -30])
def test_zero_or_negative_hours_are_refused(
    current: DrawingRight, people: People, minutes: int
) -> None:
    with pytest.raises(ValidationError):
        services.record_hours(
            current, minutes=minutes, date=TODAY, description="x", actor=people.professional
        )


def test_future_dates_and_other_years_are_refused(current: DrawingRight, people: People) -> None:
    with pytest.raises(ValidationError, match="toekomst"):
        services.record_hours(
            current,
            minutes=30,
            date=TODAY + datetime.timedelta(days=1),
            description="x",
            actor=people.professional,
        )
    with pytest.raises(ValidationError, match="geldt voor"):
        services.record_hours(
            current,
            minutes=30,
            date=datetime.date(TODAY.year - 1, 5, 1),
            description="x",
            actor=people.professional,
        )


@pytest.mark.parametrize("role", ["contact", "resident", "official", "outsider"])
def test_only_the_provider_records(current: DrawingRight, people: People, role: str) -> None:
    with pytest.raises(PermissionDenied):
        services.record_hours(
            current, minutes=30, date=TODAY, description="x", actor=getattr(people, role)
        )


@pytest.mark.parametrize("role", ["professional", "resident", "official", "outsider"])
def test_only_the_group_confirms(current: DrawingRight, people: People, role: str) -> None:
    delivery = services.record_hours(
        current, minutes=30, date=TODAY, description="x", actor=people.professional
    )
    with pytest.raises(PermissionDenied):
        services.confirm_hours(delivery, actor=getattr(people, role))


def test_a_freelancer_provides_hours(
    adopted: BudgetFramework, group: ResidentGroup, people: People
) -> None:
    right = services.grant_drawing_right(
        _line(adopted, YEARS[0]),
        group,
        provider=people.freelancer,
        minutes=120,
        actor=people.official,
    )
    assert people.freelancer.has_perm("budgets.record_hours", right)
    assert not people.professional.has_perm("budgets.record_hours", right)


def test_a_group_of_another_district_is_refused(
    adopted: BudgetFramework, group: ResidentGroup, people: People
) -> None:
    line = BudgetLine.objects.filter(
        district_budget__framework=adopted, district_budget__district__code="WK999902"
    ).first()
    assert line is not None
    with pytest.raises(ValidationError, match="wijk"):
        services.grant_drawing_right(
            line, group, provider=people.welfare, minutes=60, actor=people.official
        )


# Closing a year is only possible once it is over, so these tests use a framework of years
# that have certainly ended.
PAST = (2022, 2023)


def _past_right(
    town: Town, people: People, group: ResidentGroup, rule: str, minutes: int
) -> DrawingRight:
    framework = services.create_framework(
        town.municipality,
        actor=people.official,
        name="Voorbij",
        start_year=PAST[0],
        end_year=PAST[-1],
        hours_rule=rule,
    )
    fill_sources(framework, people.official)
    services.adopt(framework, people.official)
    return services.grant_drawing_right(
        _line(framework, PAST[0]),
        group,
        provider=people.welfare,
        minutes=minutes,
        actor=people.official,
    )


def test_close_year_lapses_unused_hours(town: Town, group: ResidentGroup, people: People) -> None:
    right = _past_right(town, people, group, BudgetFramework.HoursRule.LAPSE, 600)
    framework = right.line.district_budget.framework
    pending = HoursDelivery.objects.create(
        drawing_right=right,
        minutes=60,
        date=datetime.date(right.year, 3, 1),
        description="Nog te bevestigen",
        recorded_by=people.professional,
    )
    closing = services.close_year(framework, right.year, actor=people.official)
    assert closing.lapsed_minutes == 600 - 60
    summary = right_summary(right)
    assert summary.lapsed == 540
    assert summary.remaining == 0
    # Hours waiting for confirmation stay confirmable.
    assert ledger.balance(right.account) == 60  # type: ignore[arg-type]
    services.confirm_hours(pending, actor=people.contact)
    assert right_summary(right).confirmed == 60
    # Closing again changes nothing.
    transactions = Transaction.objects.count()
    again = services.close_year(framework, right.year, actor=people.official)
    assert again.closed == [] and Transaction.objects.count() == transactions


def test_close_year_carries_hours_over(town: Town, group: ResidentGroup, people: People) -> None:
    right = _past_right(town, people, group, BudgetFramework.HoursRule.CARRY_OVER, 8 * 60)
    framework = right.line.district_budget.framework
    delivery = services.record_hours(
        right,
        minutes=120,
        date=datetime.date(PAST[0], 5, 1),
        description="Overleg",
        actor=people.professional,
    )
    services.confirm_hours(delivery, actor=people.contact)
    closing = services.close_year(framework, PAST[0], actor=people.official)
    assert closing.carried_minutes == 360
    new = DrawingRight.objects.get(carried_from=right)
    assert new.year == PAST[1]
    assert new.minutes_granted == 360
    assert right_summary(new).remaining == 360
    assert right_summary(right).remaining == 0
    # The last year of the period cannot carry over: it lapses.
    last = services.close_year(framework, PAST[1], actor=people.official)
    assert last.lapsed_minutes == 360 and last.carried_minutes == 0


def test_a_year_that_has_not_ended_cannot_be_closed(current: DrawingRight, people: People) -> None:
    """This year (and the next) are not over: their hours neither lapse nor carry over yet."""
    framework = current.line.district_budget.framework
    assert services.ended_years(framework) == []
    transactions = Transaction.objects.count()
    for year in (TODAY.year, TODAY.year + 1):
        with pytest.raises(ValidationError, match="nog niet voorbij"):
            services.close_year(framework, year, actor=people.official)
    current.refresh_from_db()
    assert current.closed_at is None
    assert Transaction.objects.count() == transactions
    assert not DrawingRight.objects.filter(carried_from=current).exists()
    assert right_summary(current).remaining == 8 * 60


@pytest.mark.parametrize("role", ["contact", "professional", "council"])
def test_only_officials_close_the_year(right: DrawingRight, people: People, role: str) -> None:
    with pytest.raises(PermissionDenied):
        services.close_year(
            right.line.district_budget.framework, right.year, actor=getattr(people, role)
        )
