"""Multi-year commitments to organisations: renewal without re-application, ending with
notice, no overspending."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from buurtbasis.budgets import services
from buurtbasis.budgets.models import BudgetFramework, BudgetLine, Commitment, CommitmentYear
from buurtbasis.core.models import AuditEvent
from buurtbasis.ledger import services as ledger
from buurtbasis.ledger.models import Transaction

from .conftest import YEARS, People


def _support_line(framework: BudgetFramework, year: int, code: str = "WK999901") -> BudgetLine:
    return BudgetLine.objects.get(
        district_budget__framework=framework,
        district_budget__year=year,
        district_budget__district__code=code,
        is_support=True,
    )


def _balance(line: BudgetLine) -> int:
    line.refresh_from_db()
    assert line.account is not None
    return ledger.balance(line.account)


def test_a_commitment_posts_its_first_year(adopted: BudgetFramework, people: People) -> None:
    line = _support_line(adopted, YEARS[0])
    before = _balance(line)
    commitment = services.create_commitment(
        line, people.welfare, 1_000_000, actor=people.official, description="Buurtcoördinator"
    )
    assert _balance(line) == before - 1_000_000
    assert commitment.account is not None
    assert ledger.balance(commitment.account) == 1_000_000
    assert list(commitment.years.values_list("year", flat=True)) == [YEARS[0]]


def test_renewal_posts_each_year_once(adopted: BudgetFramework, people: People) -> None:
    commitment = services.create_commitment(
        _support_line(adopted, YEARS[0]), people.welfare, 500_000, actor=people.official
    )
    later = _support_line(adopted, YEARS[1])
    before = _balance(later)
    renewal = services.renew_commitments(adopted, YEARS[1], actor=people.official)
    assert [p.commitment_id for p in renewal.posted] == [commitment.pk]
    assert renewal.refused == []
    again = services.renew_commitments(adopted, YEARS[1], actor=people.official)
    assert again.posted == [] and again.refused == []
    assert _balance(later) == before - 500_000
    commitment.refresh_from_db()
    assert commitment.account is not None
    assert ledger.balance(commitment.account) == 1_000_000
    assert Transaction.objects.filter(kind="budgets.commitment").count() == 2


def _spend_elsewhere(line: BudgetLine, leave: int, people: People) -> None:
    """Other spending from a line (as a grant to an initiative would), through the ledger,
    leaving ``leave`` cents."""
    assert line.account is not None
    sink = ledger.get_or_create_account(people.housing, "test-spending", "EUR")
    ledger.transfer(
        line.account,
        sink,
        ledger.balance(line.account) - leave,
        kind="test.spending",
        description="Andere uitgave",
        actor=people.official,
        idempotency_key=f"test:spend:{line.pk}",
    )


def test_renewal_is_per_commitment(adopted: BudgetFramework, people: People) -> None:
    """One commitment whose line cannot pay does not block the others; it is reported with
    the reason and nothing of it is posted."""
    first = _support_line(adopted, YEARS[0])
    small = services.create_commitment(first, people.welfare, 1000, actor=people.official)
    big = services.create_commitment(first, people.housing, 2000, actor=people.official)
    later = _support_line(adopted, YEARS[1])
    _spend_elsewhere(later, 2500, people)
    transactions = Transaction.objects.count()
    renewal = services.renew_commitments(adopted, YEARS[1], actor=people.official)
    assert [p.commitment_id for p in renewal.posted] == [small.pk]
    assert [c.pk for c, _reason in renewal.refused] == [big.pk]
    assert "niet genoeg geld" in renewal.refused[0][1]
    assert Transaction.objects.count() == transactions + 1
    assert _balance(later) == 1500
    assert not CommitmentYear.objects.filter(commitment=big, year=YEARS[1]).exists()
    event = AuditEvent.objects.filter(action="budgets.renew_commitments").latest("pk")
    assert event.detail["refused"] == {str(big.pk): renewal.refused[0][1]}
    # Once there is money again, running it again renews the one that was left.
    services.end_commitment(
        small, actor=people.official, notice_date=datetime.date(YEARS[0], 1, 1), last_year=YEARS[0]
    )
    retry = services.renew_commitments(adopted, YEARS[1], actor=people.official)
    assert [p.commitment_id for p in retry.posted] == [big.pk] and retry.refused == []


def test_a_commitment_later_years_cannot_pay_is_refused(
    adopted: BudgetFramework, people: People
) -> None:
    """Creating a commitment checks every year it runs in, counting what other commitments
    will take at renewal; nothing changes when one year cannot pay."""
    later = _support_line(adopted, YEARS[1])
    services.create_commitment(later, people.housing, _balance(later) - 1000, actor=people.official)
    first = _support_line(adopted, YEARS[0])
    before = _balance(first)
    commitments = Commitment.objects.count()
    with pytest.raises(ValidationError) as error:
        services.create_commitment(first, people.welfare, 1500, actor=people.official)
    message = " ".join(error.value.messages)
    assert "niet genoeg geld" in message and str(YEARS[1]) in message
    assert _balance(first) == before and Commitment.objects.count() == commitments
    # The existing commitment's claim on a later year counts too.
    services.create_commitment(first, people.welfare, 600, actor=people.official)
    with pytest.raises(ValidationError, match="niet genoeg geld"):
        services.create_commitment(first, people.welfare, 600, actor=people.official)
    # Ending in the first year asks nothing of later years.
    services.create_commitment(
        first, people.welfare, 1500, actor=people.official, end_year=YEARS[0]
    )


def test_overspending_a_line_is_refused(adopted: BudgetFramework, people: People) -> None:
    line = _support_line(adopted, YEARS[0])
    before = _balance(line)
    with pytest.raises(ValidationError) as error:
        services.create_commitment(line, people.welfare, before + 1, actor=people.official)
    assert "niet genoeg geld" in " ".join(error.value.messages)
    assert _balance(line) == before
    assert not Commitment.objects.exists()


@pytest.mark.parametrize("amount", [0, -100])
def test_zero_or_negative_commitments_are_refused(
    adopted: BudgetFramework, people: People, amount: int
) -> None:
    with pytest.raises(ValidationError, match="groter zijn dan"):
        services.create_commitment(
            _support_line(adopted, YEARS[0]), people.welfare, amount, actor=people.official
        )
    assert not Commitment.objects.exists()


def test_ending_with_notice_stops_renewal(adopted: BudgetFramework, people: People) -> None:
    commitment = services.create_commitment(
        _support_line(adopted, YEARS[0]), people.welfare, 300_000, actor=people.official
    )
    services.end_commitment(
        commitment,
        actor=people.official,
        notice_date=datetime.date(YEARS[0], 6, 1),
        last_year=YEARS[0],
    )
    assert services.renew_commitments(adopted, YEARS[1], actor=people.official).posted == []
    commitment.refresh_from_db()
    assert commitment.end_year == YEARS[0]
    assert commitment.notice_given_by == people.official
    with pytest.raises(ValidationError, match="al opgezegd"):
        services.end_commitment(commitment, actor=people.official)


def test_ending_reverses_years_already_posted(adopted: BudgetFramework, people: People) -> None:
    commitment = services.create_commitment(
        _support_line(adopted, YEARS[0]), people.welfare, 300_000, actor=people.official
    )
    later = _support_line(adopted, YEARS[2])
    before = _balance(later)
    services.renew_commitments(adopted, YEARS[1], actor=people.official)
    services.renew_commitments(adopted, YEARS[2], actor=people.official)
    assert _balance(later) == before - 300_000
    services.end_commitment(
        commitment,
        actor=people.official,
        notice_date=datetime.date(YEARS[0], 3, 1),
        last_year=YEARS[1],
    )
    assert _balance(later) == before
    commitment.refresh_from_db()
    assert commitment.account is not None
    assert ledger.balance(commitment.account) == 600_000
    reversed_year = commitment.years.get(year=YEARS[2])
    assert reversed_year.is_reversed
    assert Transaction.objects.filter(kind="correction").count() == 1


def test_notice_cannot_be_backdated(adopted: BudgetFramework, people: People) -> None:
    commitment = services.create_commitment(
        _support_line(adopted, YEARS[0]), people.welfare, 300_000, actor=people.official
    )
    with pytest.raises(ValidationError, match="opzegtermijn"):
        services.end_commitment(
            commitment,
            actor=people.official,
            notice_date=datetime.date(YEARS[1], 1, 5),
            last_year=YEARS[0],
        )
    commitment.refresh_from_db()
    assert commitment.end_year is None and commitment.notice_given_at is None


@pytest.mark.parametrize(
    ("notice", "last_year"),
    [
        # Three months of notice, then the commitment ends at the next year end.
        (datetime.date(YEARS[0], 9, 30), YEARS[0]),
        (datetime.date(YEARS[0], 10, 1), YEARS[1]),
        (datetime.date(YEARS[0], 12, 31), YEARS[1]),
    ],
)
def test_ending_with_notice_takes_effect_after_the_notice_period(
    adopted: BudgetFramework, people: People, notice: datetime.date, last_year: int
) -> None:
    commitment = services.create_commitment(
        _support_line(adopted, YEARS[0]), people.welfare, 300_000, actor=people.official
    )
    services.renew_commitments(adopted, YEARS[1], actor=people.official)
    services.renew_commitments(adopted, YEARS[2], actor=people.official)
    services.end_commitment(commitment, actor=people.official, notice_date=notice)
    commitment.refresh_from_db()
    assert commitment.end_year == last_year
    kept = commitment.years.filter(reversal_transaction_id=None)
    assert sorted(kept.values_list("year", flat=True)) == list(range(YEARS[0], last_year + 1))


def test_a_last_year_inside_the_notice_period_is_refused(
    adopted: BudgetFramework, people: People, settings: Any
) -> None:
    commitment = services.create_commitment(
        _support_line(adopted, YEARS[0]), people.welfare, 300_000, actor=people.official
    )
    services.renew_commitments(adopted, YEARS[1], actor=people.official)
    transactions = Transaction.objects.count()
    with pytest.raises(ValidationError, match="opzegtermijn is 3 maanden"):
        services.end_commitment(
            commitment,
            actor=people.official,
            notice_date=datetime.date(YEARS[0], 11, 1),
            last_year=YEARS[0],
        )
    commitment.refresh_from_db()
    assert commitment.end_year is None and Transaction.objects.count() == transactions
    # The notice period is a setting; a later year may always be chosen.
    settings.BUURTBASIS = {**settings.BUURTBASIS, "COMMITMENT_NOTICE_MONTHS": 14}
    assert services.earliest_last_year(commitment, datetime.date(YEARS[0], 11, 1)) == YEARS[2]
    settings.BUURTBASIS = {**settings.BUURTBASIS, "COMMITMENT_NOTICE_MONTHS": 0}
    services.end_commitment(
        commitment,
        actor=people.official,
        notice_date=datetime.date(YEARS[0], 11, 1),
        last_year=YEARS[0],
    )
    commitment.refresh_from_db()
    assert commitment.end_year == YEARS[0]


@pytest.mark.parametrize("role", ["resident", "professional", "council", "other_official"])
def test_only_officials_manage_commitments(
    adopted: BudgetFramework, people: People, role: str
) -> None:
    with pytest.raises(PermissionDenied):
        services.create_commitment(
            _support_line(adopted, YEARS[0]), people.welfare, 100, actor=getattr(people, role)
        )


def test_the_yearly_command_renews(adopted: BudgetFramework, people: People) -> None:
    import io

    from django.core.management import call_command

    services.create_commitment(
        _support_line(adopted, YEARS[0]), people.welfare, 700, actor=people.official
    )
    out = io.StringIO()
    call_command("renew_commitments", "--year", str(YEARS[1]), stdout=out)
    assert "1 toezeggingen verlengd" in out.getvalue()
    call_command("renew_commitments", "--year", str(YEARS[1]), stdout=io.StringIO())
    assert CommitmentYear.objects.filter(year=YEARS[1]).count() == 1


def test_the_yearly_command_reports_what_could_not_renew(
    adopted: BudgetFramework, people: People
) -> None:
    import io

    from django.core.management import CommandError, call_command

    first = _support_line(adopted, YEARS[0])
    small = services.create_commitment(first, people.welfare, 1000, actor=people.official)
    big = services.create_commitment(first, people.housing, 2000, actor=people.official)
    _spend_elsewhere(_support_line(adopted, YEARS[1]), 2500, people)
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="1 toezeggingen konden niet"):
        call_command("renew_commitments", "--year", str(YEARS[1]), stdout=out, stderr=err)
    assert "1 toezeggingen verlengd" in out.getvalue()
    assert f"toezegging {big.pk} (Woonstichting Testdorp) niet verlengd" in err.getvalue()
    assert CommitmentYear.objects.filter(commitment=small, year=YEARS[1]).exists()
