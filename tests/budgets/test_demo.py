"""The demo function for budgets, on the project's own demo municipality."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from buurtbasis.budgets.demo import load_demo_budgets
from buurtbasis.budgets.models import (
    BudgetFramework,
    Commitment,
    DistrictBudget,
    DrawingRight,
    HoursDelivery,
)
from buurtbasis.budgets.selectors import right_summary
from buurtbasis.budgets.services import source_totals
from buurtbasis.core import demo
from buurtbasis.ledger.models import Transaction


@pytest.mark.django_db
def test_demo_budgets_tell_the_whole_story() -> None:
    loaded = demo.load()
    assert loaded.municipality is not None
    framework = load_demo_budgets(loaded.municipality)
    assert framework.is_adopted
    totals = source_totals(framework)
    for year in framework.years:
        assert (
            sum(
                DistrictBudget.objects.filter(framework=framework, year=year).values_list(
                    "amount_cents", flat=True
                )
            )
            == totals[year]
        )
    assert Commitment.objects.filter(line__district_budget__framework=framework).count() == 2
    right = DrawingRight.objects.get(line__district_budget__framework=framework)
    summary = right_summary(right)
    assert summary.confirmed == 210 and summary.pending == 60
    assert HoursDelivery.objects.filter(drawing_right=right).count() == 3
    # Idempotent.
    transactions = Transaction.objects.count()
    again = load_demo_budgets(loaded.municipality)
    assert again.pk == framework.pk
    assert Transaction.objects.count() == transactions
    assert BudgetFramework.objects.count() == 1
    # Loaded again next year: the adopted framework still covers it; no overlapping second one.
    next_year = datetime.date(timezone.localdate().year + 1, 1, 10)
    assert load_demo_budgets(loaded.municipality, today=next_year).pk == framework.pk
    assert BudgetFramework.objects.count() == 1
