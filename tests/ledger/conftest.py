"""Fixtures for the ledger tests: owners are real rows of other apps (organisations)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import pytest

from buurtbasis.accounts.models import Organisation
from buurtbasis.ledger import services
from buurtbasis.ledger.models import Account
from buurtbasis.ledger.money import Unit
from buurtbasis.ledger.testing import empty_ledger_for_tests

_numbers = itertools.count(1)

MakeAccount = Callable[..., Account]


@pytest.fixture
def make_account(db: None) -> MakeAccount:
    """make_account(unit="EUR", allow_negative=False, purpose="fund") → a new account with a
    new organisation as owner."""

    def make(
        unit: str = Unit.EUR, *, allow_negative: bool = False, purpose: str = "fund"
    ) -> Account:
        owner = Organisation.objects.create(name=f"Organisatie {next(_numbers)}")
        return services.get_or_create_account(owner, purpose, unit, allow_negative=allow_negative)

    return make


@pytest.fixture
def ledger_flushable(transactional_db: None) -> Iterator[None]:
    """A committing test database whose ledger rows are emptied before Django's flush
    (which uses DELETE on SQLite, refused by the append-only triggers)."""
    yield
    empty_ledger_for_tests()
