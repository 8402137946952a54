"""Property tests: a Hypothesis state machine drives random postings against the real database
and compares it after every step with a model of the balances kept in Python; and properties of
the pure helpers."""

from __future__ import annotations

import itertools
from typing import Any

from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisDjangoTestCase
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from buurtbasis.accounts.models import Organisation
from buurtbasis.ledger import services
from buurtbasis.ledger.checks import find_breaches
from buurtbasis.ledger.errors import (
    AlreadyReversed,
    CannotReverseReversal,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidPosting,
    MixedUnits,
    Unbalanced,
)
from buurtbasis.ledger.models import Account, AccountBalance, Entry, Transaction
from buurtbasis.ledger.money import (
    MAX_AMOUNT,
    Unit,
    format_cents,
    format_minutes,
    parse_euros,
    parse_hours,
)

_owner_numbers = itertools.count(1)
_key_numbers = itertools.count(1)

amounts = st.integers(min_value=1, max_value=50_000)


class LedgerMachine(RuleBasedStateMachine):
    """Each run works inside a savepoint that is rolled back at the end, so runs are
    independent while the database is real."""

    def __init__(self) -> None:
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.accounts: dict[str, list[Account]] = {}
        self.sources: dict[str, Account] = {}
        for unit, ordinary in [(Unit.EUR, 4), (Unit.HOURS, 3)]:
            self.sources[unit] = self._account(unit, allow_negative=True)
            self.accounts[unit] = [self._account(unit) for _ in range(ordinary)]
        self.expected: dict[int, int] = {a.pk: 0 for a in self._all_accounts()}
        # key → (legs as {account_id: amount}, kind, description, transaction id)
        self.recorded: dict[str, tuple[dict[int, int], str, str, int]] = {}
        self.reversed: set[int] = set()
        self.reversals: set[int] = set()
        self.allowed_negative = {a.pk for a in self.sources.values()}

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- helpers ---------------------------------------------------------------------------

    def _account(self, unit: str, *, allow_negative: bool = False) -> Account:
        owner = Organisation.objects.create(name=f"Eigenaar {next(_owner_numbers)}")
        return services.get_or_create_account(owner, "fund", unit, allow_negative=allow_negative)

    def _all_accounts(self) -> list[Account]:
        return [*self.sources.values(), *itertools.chain(*self.accounts.values())]

    def _by_id(self, pk: int) -> Account:
        return next(a for a in self._all_accounts() if a.pk == pk)

    def _would_overdraw(self, legs: dict[int, int]) -> bool:
        return any(
            self.expected[pk] + amount < 0 and pk not in self.allowed_negative
            for pk, amount in legs.items()
        )

    def _apply(self, legs: dict[int, int]) -> None:
        for pk, amount in legs.items():
            self.expected[pk] += amount

    def _post(self, legs: dict[int, int], kind: str, description: str, key: str) -> None:
        entries = [(self._by_id(pk), amount) for pk, amount in legs.items()]
        if self._would_overdraw(legs):
            try:
                services.post(
                    entries, kind=kind, description=description, actor=None, idempotency_key=key
                )
            except InsufficientFunds:
                return
            raise AssertionError("an overdraft was accepted")
        txn = services.post(
            entries, kind=kind, description=description, actor=None, idempotency_key=key
        )
        self._apply(legs)
        self.recorded[key] = (legs, kind, description, txn.pk)

    # --- rules -----------------------------------------------------------------------------

    @rule(data=st.data(), unit=st.sampled_from([Unit.EUR, Unit.HOURS]), amount=amounts)
    def fund(self, data: st.DataObject, unit: str, amount: int) -> None:
        target = data.draw(st.sampled_from(self.accounts[unit]))
        legs = {self.sources[unit].pk: -amount, target.pk: amount}
        self._post(legs, "test.fund", "aanvulling", f"fund-{next(_key_numbers)}")

    @rule(data=st.data(), unit=st.sampled_from([Unit.EUR, Unit.HOURS]))
    def post_multi_leg(self, data: st.DataObject, unit: str) -> None:
        pool = [*self.accounts[unit], self.sources[unit]]
        chosen = data.draw(
            st.lists(st.sampled_from(pool), min_size=2, max_size=4, unique_by=lambda a: a.pk)
        )
        head = data.draw(
            st.lists(
                st.integers(-20_000, 20_000).filter(bool),
                min_size=len(chosen) - 1,
                max_size=len(chosen) - 1,
            )
        )
        last = -sum(head)
        assume(last != 0)
        legs = {a.pk: amount for a, amount in zip(chosen, [*head, last], strict=True)}
        self._post(legs, "test.multi", "meerdere regels", f"multi-{next(_key_numbers)}")

    @rule(data=st.data(), unit=st.sampled_from([Unit.EUR, Unit.HOURS]), extra=amounts)
    def overdraft_attempt(self, data: st.DataObject, unit: str, extra: int) -> None:
        a, b = data.draw(
            st.lists(
                st.sampled_from(self.accounts[unit]), min_size=2, max_size=2, unique_by=id
            ).filter(lambda pair: pair[0].pk != pair[1].pk)
        )
        too_much = self.expected[a.pk] + extra
        with transaction.atomic():
            try:
                services.transfer(
                    a,
                    b,
                    too_much,
                    kind="test.over",
                    description="te veel",
                    actor=None,
                    idempotency_key=f"over-{next(_key_numbers)}",
                )
            except InsufficientFunds:
                return
        raise AssertionError("an overdraft was accepted")

    @rule(data=st.data())
    def bad_postings_change_nothing(self, data: st.DataObject) -> None:
        eur, hours = self.accounts[Unit.EUR][0], self.accounts[Unit.HOURS][0]
        case = data.draw(st.sampled_from(["mixed", "unbalanced", "single"]))
        entries: list[tuple[Account, int]] = {
            "mixed": [(eur, 5), (hours, -5)],
            "unbalanced": [(self.sources[Unit.EUR], -5), (eur, 4)],
            "single": [(eur, 5)],
        }[case]
        error = {"mixed": MixedUnits, "unbalanced": Unbalanced, "single": InvalidPosting}[case]
        try:
            services.post(
                entries,
                kind="test.bad",
                description="fout",
                actor=None,
                idempotency_key=f"bad-{next(_key_numbers)}",
            )
        except error:
            return
        raise AssertionError(f"{case} posting was accepted")

    @precondition(lambda self: bool(self.recorded))
    @rule(data=st.data())
    def retry_same_key(self, data: st.DataObject) -> None:
        key = data.draw(st.sampled_from(sorted(self.recorded)))
        legs, kind, description, txn_id = self.recorded[key]
        # The retry may give the legs in another order: still the same posting.
        order = data.draw(st.permutations(list(legs.items())))
        entries = [(self._by_id(pk), amount) for pk, amount in order]
        if kind == services.REVERSAL_KIND:
            original = Transaction.objects.get(pk=txn_id).reversal_of
            assert original is not None
            again = services.reverse(original, actor=None, reason=description, idempotency_key=key)
        else:
            again = services.post(
                entries, kind=kind, description=description, actor=None, idempotency_key=key
            )
        assert again.pk == txn_id

    @precondition(lambda self: bool(self.recorded))
    @rule(data=st.data(), delta=st.integers(1, 100))
    def retry_key_with_other_content(self, data: st.DataObject, delta: int) -> None:
        key = data.draw(st.sampled_from(sorted(self.recorded)))
        legs, kind, description, _ = self.recorded[key]
        changed = dict(legs)
        first, second = sorted(changed)[:2]
        changed[first] += delta
        changed[second] -= delta
        assume(changed[first] != 0 and changed[second] != 0)
        entries = [(self._by_id(pk), amount) for pk, amount in changed.items()]
        try:
            services.post(
                entries,
                kind="test.other",
                description=description,
                actor=None,
                idempotency_key=key,
            )
        except IdempotencyConflict:
            return
        raise AssertionError("a reused key with other content was accepted")

    @precondition(lambda self: any(v[3] not in self.reversals for v in self.recorded.values()))
    @rule(data=st.data())
    def reverse(self, data: st.DataObject) -> None:
        candidates = sorted(
            key for key, value in self.recorded.items() if value[3] not in self.reversals
        )
        key = data.draw(st.sampled_from(candidates))
        legs, _, _, txn_id = self.recorded[key]
        original = Transaction.objects.get(pk=txn_id)
        new_key = f"rev-{next(_key_numbers)}"
        opposite = {pk: -amount for pk, amount in legs.items()}
        if txn_id in self.reversed:
            try:
                services.reverse(original, actor=None, reason="nog eens", idempotency_key=new_key)
            except AlreadyReversed:
                return
            raise AssertionError("a transaction was reversed twice")
        if self._would_overdraw(opposite):
            try:
                services.reverse(original, actor=None, reason="terug", idempotency_key=new_key)
            except InsufficientFunds:
                return
            raise AssertionError("a reversal overdrew an account")
        rev = services.reverse(original, actor=None, reason="terug", idempotency_key=new_key)
        assert rev.reversal_of_id == txn_id
        self._apply(opposite)
        self.reversed.add(txn_id)
        self.reversals.add(rev.pk)
        self.recorded[new_key] = (opposite, services.REVERSAL_KIND, "terug", rev.pk)

    @precondition(lambda self: bool(self.reversals))
    @rule(data=st.data())
    def reverse_a_reversal(self, data: st.DataObject) -> None:
        rev_id = data.draw(st.sampled_from(sorted(self.reversals)))
        try:
            services.reverse(
                Transaction.objects.get(pk=rev_id),
                actor=None,
                reason="terug",
                idempotency_key=f"rr-{next(_key_numbers)}",
            )
        except CannotReverseReversal:
            return
        raise AssertionError("a reversal was reversed")

    # --- invariants ------------------------------------------------------------------------

    @invariant()
    def database_matches_the_model(self) -> None:
        ids = list(self.expected)
        cached = dict(
            AccountBalance.objects.filter(account_id__in=ids).values_list("account_id", "balance")
        )
        summed = dict(
            Entry.objects.filter(account_id__in=ids)
            .values("account_id")
            .annotate(total=Sum("amount"))
            .values_list("account_id", "total")
        )
        for pk, value in self.expected.items():
            assert cached[pk] == value, (pk, cached[pk], value)
            assert summed.get(pk, 0) == value, (pk, summed.get(pk, 0), value)
            if pk not in self.allowed_negative:
                assert value >= 0
        assert services.balances(self._all_accounts()) == {
            a: self.expected[a.pk] for a in self._all_accounts()
        }
        assert Transaction.objects.filter(idempotency_key__in=list(self.recorded)).count() == len(
            self.recorded
        )

    @invariant()
    def every_invariant_of_check_ledger_holds(self) -> None:
        assert find_breaches() == []


LedgerMachine.TestCase.settings = settings(
    max_examples=25,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


class TestLedgerMachine(HypothesisDjangoTestCase, LedgerMachine.TestCase):  # type: ignore[misc]
    """Runs the state machine against the test database."""

    # Django's TestCase has a settings() method; the state machine needs its settings here.
    settings = LedgerMachine.TestCase.settings  # type: ignore[assignment]


# --- pure helpers ------------------------------------------------------------------------------


@given(st.integers(-MAX_AMOUNT, MAX_AMOUNT))
def test_euros_round_trip(cents: int) -> None:
    text = format_cents(cents)
    assert text.startswith("€ ")
    assert parse_euros(text) == cents


@given(st.integers(-MAX_AMOUNT, MAX_AMOUNT))
def test_hours_round_trip(minutes: int) -> None:
    text = format_minutes(minutes)
    assert parse_hours(text) == minutes
    assert text.endswith(f"{abs(minutes) % 60:02d}")


@given(st.integers(0, 10**9), st.integers(0, 10**9))
def test_formatting_keeps_order(a: int, b: int) -> None:
    """Longer text never means a smaller amount of the same sign (no digits lost)."""
    if a < b:
        assert len(format_cents(a)) <= len(format_cents(b))


@given(st.text(max_size=20))
def test_parse_euros_never_accepts_garbage_silently(text: str) -> None:
    try:
        cents = parse_euros(text)
    except ValueError:
        return
    # Whatever it accepted reads back to the same amount.
    assert parse_euros(format_cents(cents)) == cents


def _legs(data: Any) -> list[tuple[int, int]]:
    head = data.draw(st.lists(st.integers(-(10**9), 10**9).filter(bool), min_size=1, max_size=6))
    return [(i + 1, amount) for i, amount in enumerate([*head, -sum(head)])]


@given(st.data())
def test_fingerprint_ignores_leg_order_but_not_content(data: Any) -> None:
    legs = _legs(data)
    shuffled = data.draw(st.permutations(legs))
    common = {"unit": "EUR", "kind": "x", "description": "d", "ref_type": "", "ref_id": ""}
    fp = services.fingerprint(**common, reversal_of_id=None, legs=legs)
    assert fp == services.fingerprint(**common, reversal_of_id=None, legs=shuffled)
    assert fp != services.fingerprint(**common, reversal_of_id=1, legs=legs)
    changed = [(legs[0][0], legs[0][1] + 1), *legs[1:]]
    assert fp != services.fingerprint(**common, reversal_of_id=None, legs=changed)


@given(st.lists(st.integers(-(10**9), 10**9), min_size=0, max_size=6))
def test_normalise_legs_accepts_exactly_the_zero_sum_postings(amounts_: list[int]) -> None:
    accounts = [Account(pk=i + 1, unit=Unit.EUR, name=f"r{i}") for i in range(len(amounts_))]
    legs = list(zip(accounts, amounts_, strict=True))
    valid = len(legs) >= 2 and all(amounts_) and sum(amounts_) == 0
    try:
        result = services.normalise_legs(legs)
    except (InvalidPosting, Unbalanced):
        assert not valid
        return
    assert valid
    assert [a.pk for a, _ in result] == sorted(a.pk for a in accounts)
    assert sum(amount for _, amount in result) == 0
