"""The service API: postings, refusals, idempotency, reversals, reads, audit."""

from __future__ import annotations

import pytest

from buurtbasis.accounts.models import Organisation, User
from buurtbasis.core.models import AuditEvent
from buurtbasis.ledger import services
from buurtbasis.ledger.errors import (
    AccountConflict,
    AlreadyReversed,
    CannotReverseReversal,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidPosting,
    LedgerError,
    MixedUnits,
    Unbalanced,
)
from buurtbasis.ledger.models import Entry, Transaction
from buurtbasis.ledger.money import Unit

from .conftest import MakeAccount

pytestmark = pytest.mark.django_db


def _state() -> tuple[int, int, int, list[int]]:
    from buurtbasis.ledger.models import AccountBalance

    return (
        Transaction.objects.count(),
        Entry.objects.count(),
        AuditEvent.objects.filter(action="ledger.post").count(),
        list(AccountBalance.objects.order_by("account_id").values_list("balance", flat=True)),
    )


def test_transfer_moves_money_and_records_everything(make_account: MakeAccount) -> None:
    source = make_account(allow_negative=True, purpose="source")
    fund = make_account()
    user = User.objects.create_user("penning@example.org", display_name="Penning")
    txn = services.transfer(
        source,
        fund,
        12_345,
        kind="budget.funding",
        description="Storting",
        actor=user,
        idempotency_key="k1",
        ref=("budgets.round", "7"),
    )
    assert services.balance(source) == -12_345
    assert services.balance(fund) == 12_345
    assert sorted(txn.entries.values_list("amount", flat=True)) == [-12_345, 12_345]
    assert txn.unit == Unit.EUR and txn.actor == user
    assert (txn.ref_type, txn.ref_id) == ("budgets.round", "7")
    event = AuditEvent.objects.get(action="ledger.post")
    assert event.object_id == str(txn.pk)
    assert event.actor == user
    assert sorted(event.detail["entries"]) == sorted([[source.pk, -12_345], [fund.pk, 12_345]])
    assert list(services.transactions_for(("budgets.round", "7"))) == [txn]


def test_multi_leg_post(make_account: MakeAccount) -> None:
    fund = make_account()
    a, b = make_account(), make_account()
    src = make_account(allow_negative=True)
    services.transfer(src, fund, 1000, kind="x", description="in", actor=None, idempotency_key="a")
    services.post(
        [(fund, -1000), (a, 600), (b, 400)],
        kind="budget.allocation",
        description="verdeling",
        actor=None,
        idempotency_key="b",
    )
    assert services.balances([fund, a, b, src]) == {fund: 0, a: 600, b: 400, src: -1000}


@pytest.mark.parametrize(
    ("legs", "error"),
    [
        ([("a", 5)], InvalidPosting),
        ([("a", 5), ("b", -4)], Unbalanced),
        ([("a", 0), ("b", 0)], InvalidPosting),
        ([("a", 5), ("a", -5)], InvalidPosting),
        ([("a", 5.0), ("b", -5.0)], InvalidPosting),
        ([("a", True), ("b", -1)], InvalidPosting),
        ([("a", 5), ("h", -5)], MixedUnits),
        ([("a", 10**14), ("b", -(10**14))], InvalidPosting),
    ],
)
def test_bad_postings_are_refused_and_change_nothing(
    make_account: MakeAccount, legs: list[tuple[str, object]], error: type[LedgerError]
) -> None:
    accounts = {
        "a": make_account(allow_negative=True),
        "b": make_account(allow_negative=True),
        "h": make_account(Unit.HOURS, allow_negative=True),
    }
    before = _state()
    with pytest.raises(error) as info:
        services.post(
            [(accounts[name], amount) for name, amount in legs],  # type: ignore[misc]
            kind="test",
            description="fout",
            actor=None,
            idempotency_key="bad",
        )
    assert str(info.value)  # a readable, translated message
    assert _state() == before


@pytest.mark.parametrize(
    ("kind", "description", "key"),
    [("Grant Payout", "x", "k"), ("grant.", "x", "k"), ("ok", "  ", "k"), ("ok", "x", "")],
)
def test_bad_texts_are_refused(
    make_account: MakeAccount, kind: str, description: str, key: str
) -> None:
    a, b = make_account(allow_negative=True), make_account()
    with pytest.raises(InvalidPosting):
        services.transfer(
            a, b, 1, kind=kind, description=description, actor=None, idempotency_key=key
        )
    assert Transaction.objects.count() == 0


def test_overdraft_is_refused_and_changes_nothing(make_account: MakeAccount) -> None:
    src, a, b = make_account(allow_negative=True), make_account(), make_account()
    services.transfer(src, a, 100, kind="x", description="in", actor=None, idempotency_key="1")
    before = _state()
    with pytest.raises(InsufficientFunds) as info:
        services.transfer(
            a, b, 101, kind="x", description="te veel", actor=None, idempotency_key="2"
        )
    assert "€ 1,00" in str(info.value) and "€ 1,01" in str(info.value)
    assert _state() == before
    services.transfer(a, b, 100, kind="x", description="precies", actor=None, idempotency_key="3")
    assert services.balance(a) == 0


def test_idempotency_same_content_returns_first(make_account: MakeAccount) -> None:
    src, a = make_account(allow_negative=True), make_account()
    first = services.transfer(
        src, a, 5, kind="x", description="d", actor=None, idempotency_key="same"
    )
    before = _state()
    again = services.transfer(
        src, a, 5, kind="x", description="d", actor=None, idempotency_key="same"
    )
    assert again.pk == first.pk
    assert _state() == before
    # Same content given in another leg order is still the same posting.
    third = services.post(
        [(a, 5), (src, -5)], kind="x", description="d", actor=None, idempotency_key="same"
    )
    assert third.pk == first.pk


@pytest.mark.parametrize(
    "change",
    [
        {"amount": 6},
        {"kind": "y"},
        {"description": "e"},
        {"ref": ("a.b", "1")},
        {"swap": True},
    ],
)
def test_idempotency_different_content_conflicts(
    make_account: MakeAccount, change: dict[str, object]
) -> None:
    src, a = make_account(allow_negative=True), make_account()
    args: dict[str, object] = {"kind": "x", "description": "d", "ref": None}
    services.transfer(src, a, 5, actor=None, idempotency_key="k", **args)  # type: ignore[arg-type]
    amount = change.pop("amount", 5)
    frm, to = (a, src) if change.pop("swap", False) else (src, a)
    args.update(change)
    before = _state()
    with pytest.raises(IdempotencyConflict):
        services.transfer(frm, to, amount, actor=None, idempotency_key="k", **args)  # type: ignore[arg-type]
    assert _state() == before


def test_replay_of_accepted_posting_succeeds_even_if_it_would_now_overdraw(
    make_account: MakeAccount,
) -> None:
    src, a, b = make_account(allow_negative=True), make_account(), make_account()
    services.transfer(src, a, 10, kind="x", description="in", actor=None, idempotency_key="in")
    first = services.transfer(
        a, b, 10, kind="x", description="uit", actor=None, idempotency_key="out"
    )
    assert (
        services.transfer(a, b, 10, kind="x", description="uit", actor=None, idempotency_key="out")
        == first
    )


def test_reverse_restores_balances_once(make_account: MakeAccount) -> None:
    src, a, b = make_account(allow_negative=True), make_account(), make_account()
    services.transfer(src, a, 1000, kind="x", description="in", actor=None, idempotency_key="1")
    grant = services.transfer(
        a,
        b,
        750,
        kind="grant.payout",
        description="subsidie",
        actor=None,
        idempotency_key="2",
        ref=("budgets.grant", "9"),
    )
    rev = services.reverse(grant, actor=None, reason="dubbel betaald", idempotency_key="3")
    assert rev.reversal_of == grant and rev.kind == services.REVERSAL_KIND
    assert (rev.ref_type, rev.ref_id) == ("budgets.grant", "9")
    assert services.balances([a, b]) == {a: 1000, b: 0}
    # Retrying the same reversal returns it; another reversal is refused.
    assert services.reverse(grant, actor=None, reason="dubbel betaald", idempotency_key="3") == rev
    before = _state()
    with pytest.raises(AlreadyReversed):
        services.reverse(grant, actor=None, reason="nog eens", idempotency_key="4")
    with pytest.raises(CannotReverseReversal):
        services.reverse(rev, actor=None, reason="terug", idempotency_key="5")
    with pytest.raises(IdempotencyConflict):
        services.reverse(grant, actor=None, reason="andere reden", idempotency_key="3")
    assert _state() == before


def test_reversal_respects_account_rules(make_account: MakeAccount) -> None:
    src, a, b, c = (
        make_account(allow_negative=True),
        make_account(),
        make_account(),
        make_account(),
    )
    services.transfer(src, a, 100, kind="x", description="in", actor=None, idempotency_key="1")
    pay = services.transfer(a, b, 100, kind="x", description="b", actor=None, idempotency_key="2")
    services.transfer(b, c, 60, kind="x", description="c", actor=None, idempotency_key="3")
    with pytest.raises(InsufficientFunds):
        services.reverse(pay, actor=None, reason="fout", idempotency_key="4")


def test_entries_for_gives_running_balance(make_account: MakeAccount) -> None:
    src, a, b = make_account(allow_negative=True), make_account(), make_account()
    for i, amount in enumerate([500, 250, 125]):
        services.transfer(
            src, a, amount, kind="x", description=f"in {i}", actor=None, idempotency_key=f"in{i}"
        )
    services.transfer(a, b, 300, kind="x", description="uit", actor=None, idempotency_key="out")
    rows = list(services.entries_for(a))
    assert [(r.amount, r.balance_after) for r in rows] == [
        (500, 500),
        (250, 750),
        (125, 875),
        (-300, 575),
    ]
    assert rows[-1].transaction.description == "uit"
    newest = list(services.entries_for(a, newest_first=True))
    assert [r.balance_after for r in newest] == [575, 875, 750, 500]
    assert rows[-1].balance_after == services.balance(a)


def test_accounts_per_owner_purpose_and_unit(db: None) -> None:
    org = Organisation.objects.create(name="Welzijn")
    fund = services.get_or_create_account(org, "fund", Unit.EUR)
    assert services.get_or_create_account(org, "fund", Unit.EUR) == fund
    hours = services.get_or_create_account(org, "fund", Unit.HOURS)
    pledged = services.get_or_create_account(org, "pledged", Unit.EUR, name="Toegezegd")
    assert len({fund.pk, hours.pk, pledged.pk}) == 3
    assert set(services.accounts_of(org)) == {fund, hours, pledged}
    assert services.get_account(org, "pledged", Unit.EUR) == pledged
    assert services.get_account(org, "other", Unit.EUR) is None
    assert fund.owner == org and pledged.label == "Toegezegd"
    with pytest.raises(AccountConflict):
        services.get_or_create_account(org, "fund", Unit.EUR, allow_negative=True)
    with pytest.raises(InvalidPosting):
        services.get_or_create_account(org, "Met Spaties", Unit.EUR)
    with pytest.raises(InvalidPosting):
        services.get_or_create_account(Organisation(name="niet opgeslagen"), "fund", Unit.EUR)


def test_error_messages_are_dutch_by_default(make_account: MakeAccount) -> None:
    a, b = make_account(), make_account()
    with pytest.raises(InsufficientFunds) as info:
        services.transfer(a, b, 1, kind="x", description="d", actor=None, idempotency_key="k")
    assert "niet genoeg" in str(info.value)
