"""Multi-year commitments to organisations: renewal without re-application, ending with
notice, no overspending."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from buurtbasis.budgets import services
from buurtbasis.budgets.models import BudgetFramework, BudgetLine, Commitment, CommitmentYear
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
    posted = services.renew_commitments(adopted, YEARS[1], actor=people.official)
    assert [p.commitment_id for p in posted] == [commitment.pk]
    again = services.renew_commitments(adopted, YEARS[1], actor=people.official)
    assert again == []
    assert _balance(later) == before - 500_000
    commitment.refresh_from_db()
    assert commitment.account is not None
    assert ledger.balance(commitment.account) == 1_000_000
    assert Transaction.objects.filter(kind="budgets.commitment").count() == 2


def test_renewal_is_all_or_nothing(adopted: BudgetFramework, people: People) -> None:
    first = _support_line(adopted, YEARS[0])
    services.create_commitment(first, people.welfare, 1000, actor=people.official)
    services.create_commitment(first, people.housing, 2000, actor=people.official)
    # Spend the next year's support line on something else, leaving too little for both.
    later = _support_line(adopted, YEARS[1])
    services.create_commitment(later, people.housing, _balance(later) - 1500, actor=people.official)
    transactions = Transaction.objects.count()
    with pytest.raises(ValidationError, match="niet genoeg geld"):
        services.renew_commitments(adopted, YEARS[1], actor=people.official)
    assert Transaction.objects.count() == transactions
    assert not CommitmentYear.objects.filter(year=YEARS[1], amount_cents__in=[1000, 2000]).exists()


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
    assert services.renew_commitments(adopted, YEARS[1], actor=people.official) == []
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
    with pytest.raises(ValidationError, match="terugwerkende kracht"):
        services.end_commitment(
            commitment,
            actor=people.official,
            notice_date=datetime.date(YEARS[1], 1, 5),
            last_year=YEARS[0],
        )


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
