"""Adoption: the district budgets and lines it creates and the money it moves in the ledger."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from buurtbasis.budgets import services
from buurtbasis.budgets.models import (
    BudgetFramework,
    BudgetLine,
    DistrictBudget,
    SourceAmount,
    Theme,
)
from buurtbasis.core.models import AuditEvent
from buurtbasis.ledger import services as ledger
from buurtbasis.ledger.models import Transaction, Unit

from .conftest import SOURCE_AMOUNTS, YEARS, People, Town, fill_sources


def _source_total(framework: BudgetFramework, year: int) -> int:
    return sum(
        a.amount_cents for a in SourceAmount.objects.filter(source__framework=framework, year=year)
    )


def test_adoption_creates_a_budget_per_district_per_year(
    adopted: BudgetFramework, town: Town
) -> None:
    assert adopted.status == BudgetFramework.Status.ADOPTED
    assert adopted.adopted_at is not None
    budgets = DistrictBudget.objects.filter(framework=adopted)
    assert budgets.count() == len(town.districts) * len(YEARS)
    for year in YEARS:
        year_budgets = budgets.filter(year=year)
        assert sum(b.amount_cents for b in year_budgets) == sum(SOURCE_AMOUNTS.values())
        assert all(b.amount_cents > 0 for b in year_budgets)


def test_ledger_balances_add_up_to_the_sources(adopted: BudgetFramework) -> None:
    for year in YEARS:
        budgets = list(DistrictBudget.objects.filter(framework=adopted, year=year))
        lines = list(BudgetLine.objects.filter(district_budget__in=budgets))
        in_budgets = ledger.balances([b.account for b in budgets if b.account])
        in_lines = ledger.balances([line.account for line in lines if line.account])
        total = sum(in_budgets.values()) + sum(in_lines.values())
        assert total == _source_total(adopted, year)
        # Each line holds exactly what adoption decided; each budget keeps its reserve.
        for line in lines:
            assert line.account is not None
            assert in_lines[line.account] == line.amount_cents
        for budget in budgets:
            reserve = budget.amount_cents - sum(
                line.amount_cents for line in lines if line.district_budget_id == budget.pk
            )
            assert budget.account is not None
            assert in_budgets[budget.account] == reserve
            assert reserve >= 0
        # The fund is empty again and each source account went negative by its amount.
        fund = ledger.get_account(adopted, f"fund-{year}", Unit.EUR)
        assert fund is not None and ledger.balance(fund) == 0
        for amount in SourceAmount.objects.filter(source__framework=adopted, year=year):
            account = ledger.get_account(amount, "source", Unit.EUR)
            if amount.amount_cents == 0:
                assert account is None
            else:
                assert account is not None
                assert ledger.balance(account) == -amount.amount_cents


def test_support_line_gets_at_least_the_minimum_share(adopted: BudgetFramework) -> None:
    for budget in DistrictBudget.objects.filter(framework=adopted):
        support = budget.lines.get(is_support=True)
        assert support.amount_cents * 10_000 >= budget.amount_cents * adopted.min_support_share_bp
        assert budget.lines.count() == 1 + adopted.themes.count()


def test_adoption_is_idempotent(adopted: BudgetFramework, people: People) -> None:
    transactions = Transaction.objects.count()
    budgets = DistrictBudget.objects.count()
    lines = BudgetLine.objects.count()
    again = services.adopt(BudgetFramework.objects.get(pk=adopted.pk), people.official)
    assert again.is_adopted
    assert Transaction.objects.count() == transactions
    assert DistrictBudget.objects.count() == budgets
    assert BudgetLine.objects.count() == lines
    assert AuditEvent.objects.filter(action="budgets.adopt", detail__again=True).count() == 1


def test_adoption_in_another_language_posts_nothing_twice(
    adopted: BudgetFramework, people: People
) -> None:
    from django.utils import translation

    transactions = Transaction.objects.count()
    with translation.override("en"):
        services.adopt(BudgetFramework.objects.get(pk=adopted.pk), people.official)
    assert Transaction.objects.count() == transactions


def test_adoption_is_audited(adopted: BudgetFramework, people: People) -> None:
    event = AuditEvent.objects.get(action="budgets.adopt", object_id=str(adopted.pk))
    assert event.actor == people.official
    assert event.result == "ok"
    assert event.detail["total_cents"] == sum(SOURCE_AMOUNTS.values()) * len(YEARS)


@pytest.mark.parametrize("role", ["official", "admin"])
def test_officials_of_the_municipality_may_adopt(
    draft: BudgetFramework, people: People, role: str
) -> None:
    services.adopt(draft, getattr(people, role))
    draft.refresh_from_db()
    assert draft.is_adopted


@pytest.mark.parametrize(
    "role", ["council", "resident", "professional", "outsider", "other_official"]
)
def test_others_may_not_adopt(draft: BudgetFramework, people: People, role: str) -> None:
    with pytest.raises(PermissionDenied):
        services.adopt(draft, getattr(people, role))
    draft.refresh_from_db()
    assert draft.is_draft
    assert not DistrictBudget.objects.exists()
    assert not Transaction.objects.filter(kind__startswith="budgets.").exists()
    assert AuditEvent.objects.filter(action="budgets.adopt", result="denied").exists()


def _assert_unchanged(framework: BudgetFramework) -> None:
    framework.refresh_from_db()
    assert framework.is_draft
    assert not DistrictBudget.objects.filter(framework=framework).exists()
    assert not Transaction.objects.filter(kind__startswith="budgets.").exists()


def test_lines_exceeding_the_sources_are_refused(draft: BudgetFramework, people: People) -> None:
    theme = draft.themes.first()
    assert theme is not None
    services.set_themes(
        draft,
        [services.ThemeInput(pk=theme.pk, name=theme.name, share_bp=4000)],
        actor=people.official,
    )
    with pytest.raises(ValidationError) as error:
        services.adopt(draft, people.official)
    assert "meer dan de bronnen" in " ".join(error.value.messages)
    _assert_unchanged(draft)


def test_support_below_the_minimum_is_refused(draft: BudgetFramework, people: People) -> None:
    services.update_framework(draft, actor=people.official, support_share_bp=2000)
    with pytest.raises(ValidationError) as error:
        services.adopt(draft, people.official)
    assert "lager dan het minimum" in " ".join(error.value.messages)
    _assert_unchanged(draft)


def test_the_minimum_share_cannot_be_set_below_the_site_floor(
    draft: BudgetFramework, people: People
) -> None:
    """The drafting official cannot lower the minimum for organisational support below the
    site's floor (25 % by default); asking more is fine."""
    before = BudgetFramework.objects.values().get(pk=draft.pk)
    for low in (0, 2499):
        with pytest.raises(ValidationError) as error:
            services.update_framework(draft, actor=people.official, min_support_share_bp=low)
        assert "ondergrens" in " ".join(error.value.messages)
    assert BudgetFramework.objects.values().get(pk=draft.pk) == before
    services.update_framework(
        draft, actor=people.official, min_support_share_bp=3000, support_share_bp=3000
    )
    assert services.preview(draft).required_support_bp == 3000


def test_a_draft_below_a_raised_site_floor_is_refused_at_adoption(
    draft: BudgetFramework, people: People, settings: Any
) -> None:
    """A draft made when the floor was lower: the preview shows the site's floor and adoption
    refuses it with a translated error, nothing changed."""
    settings.BUURTBASIS = {**settings.BUURTBASIS, "MIN_SUPPORT_SHARE_BP": 3000}
    assert draft.min_support_share_bp == 2500 and draft.support_share_bp == 2500
    result = services.preview(draft)
    assert (result.required_support_bp, result.site_support_floor_bp) == (3000, 3000)
    assert any("lager dan het minimum (30" in p for p in result.problems)
    with pytest.raises(ValidationError) as error:
        services.adopt(draft, people.official)
    assert "lager dan het minimum" in " ".join(error.value.messages)
    _assert_unchanged(draft)
    with pytest.raises(ValidationError, match="ondergrens"):
        services.create_framework(
            draft.municipality,
            actor=people.official,
            name="Te weinig",
            start_year=2030,
            end_year=2030,
            min_support_share_bp=2500,
        )
    made = services.create_framework(
        draft.municipality, actor=people.official, name="Standaard", start_year=2030, end_year=2030
    )
    assert (made.min_support_share_bp, made.support_share_bp) == (3000, 3000)


def test_a_year_without_money_is_refused(draft: BudgetFramework, people: People) -> None:
    SourceAmount.objects.filter(source__framework=draft, year=YEARS[1]).update(amount_cents=0)
    with pytest.raises(ValidationError) as error:
        services.adopt(draft, people.official)
    assert str(YEARS[1]) in " ".join(error.value.messages)
    _assert_unchanged(draft)


def test_an_adopted_framework_cannot_be_edited(adopted: BudgetFramework, people: People) -> None:
    theme = Theme.objects.filter(framework=adopted).first()
    assert theme is not None
    with pytest.raises(ValidationError, match="al vastgesteld"):
        services.update_framework(adopted, actor=people.official, name="Anders")
    with pytest.raises(ValidationError, match="al vastgesteld"):
        services.set_themes(
            adopted,
            [services.ThemeInput(pk=theme.pk, name="Anders", share_bp=1000)],
            actor=people.official,
        )
    adopted.refresh_from_db()
    theme.refresh_from_db()
    assert adopted.name != "Anders" and theme.name != "Anders"


def test_an_overlapping_framework_is_refused(
    adopted: BudgetFramework, town: Town, people: People
) -> None:
    """Each year of a municipality has one adopted framework: a second one that covers one of
    its years is refused (in the preview and at adoption), nothing changed; the next period
    right after it is fine."""
    second = services.create_framework(
        town.municipality,
        actor=people.official,
        name="Overlappend",
        start_year=YEARS[-1],
        end_year=YEARS[-1] + 1,
    )
    fill_sources(second, people.official)
    assert any("al een budgetkader vastgesteld" in p for p in services.preview(second).problems)
    transactions = Transaction.objects.count()
    with pytest.raises(ValidationError) as error:
        services.adopt(second, people.official)
    assert adopted.name in " ".join(error.value.messages)
    second.refresh_from_db()
    assert second.is_draft
    assert not DistrictBudget.objects.filter(framework=second).exists()
    assert Transaction.objects.count() == transactions
    following = services.create_framework(
        town.municipality,
        actor=people.official,
        name="Daarna",
        start_year=YEARS[-1] + 1,
        end_year=YEARS[-1] + 2,
    )
    fill_sources(following, people.official)
    assert services.adopt(following, people.official).is_adopted
    # Another municipality's framework for the same years is not affected.
    elsewhere = services.create_framework(
        town.other_municipality,
        actor=people.other_official,
        name="Elders",
        start_year=YEARS[0],
        end_year=YEARS[0],
    )
    assert not any("al een budgetkader" in p for p in services.preview(elsewhere).problems)
