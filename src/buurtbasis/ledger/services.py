"""The ledger's service API: the only way other apps touch money and hours.

Writing::

    get_or_create_account(owner, purpose, unit, *, allow_negative=False, name="") -> Account
    post(entries, *, kind, description, actor, idempotency_key, ref=None) -> Transaction
    transfer(from_account, to_account, amount, *, kind, description, actor, idempotency_key,
             ref=None) -> Transaction
    reverse(txn, *, actor, reason, idempotency_key) -> Transaction

Reading::

    get_account(owner, purpose, unit) -> Account | None
    accounts_of(owner) -> QuerySet[Account]
    balance(account) -> int
    balances(accounts) -> dict[Account, int]        (one query)
    entries_for(account, *, newest_first=False) -> QuerySet[Entry] with .balance_after
    transactions_for(ref) -> QuerySet[Transaction]

Amounts are integers: cents for EUR accounts, minutes for HOURS accounts. A positive entry
amount flows *into* the account (its balance rises), a negative one flows out. Every write
raises a :class:`~buurtbasis.ledger.errors.LedgerError` subclass with a translated message when
it refuses, and then nothing has changed. See docs/ledger.md.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models import BigIntegerField, Case, F, Sum, Value, When, Window
from django.utils.translation import gettext

from buurtbasis.core import audit

from .errors import (
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
from .models import Account, AccountBalance, Entry, Transaction
from .money import MAX_AMOUNT, Unit

__all__ = [
    "REVERSAL_KIND",
    "Account",
    "LedgerError",
    "Transaction",
    "Unit",
    "accounts_of",
    "balance",
    "balances",
    "entries_for",
    "fingerprint",
    "get_account",
    "get_or_create_account",
    "normalise_legs",
    "post",
    "reverse",
    "transactions_for",
    "transfer",
]

REVERSAL_KIND = "correction"
AUDIT_ACTION = "ledger.post"

_KIND = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
_PURPOSE = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")

Ref = models.Model | tuple[str, str] | None


# --- Pure helpers ------------------------------------------------------------------------------


def normalise_legs(entries: Iterable[tuple[Account, int]]) -> list[tuple[Account, int]]:
    """Check the shape of a posting and return its legs sorted by account id.

    Refuses (InvalidPosting) fewer than two legs, unsaved accounts, an account that appears
    twice, amounts that are not integers, zero or absurdly large; refuses accounts of more than
    one unit (MixedUnits) and amounts that do not add up to zero (Unbalanced). Pure: reads
    only the given objects."""
    legs = list(entries)
    if len(legs) < 2:
        raise InvalidPosting(gettext("Een boeking heeft minstens twee regels nodig."))
    seen: set[int] = set()
    for leg in legs:
        if not (isinstance(leg, tuple | list) and len(leg) == 2):
            raise InvalidPosting(gettext("Elke regel is een paar (rekening, bedrag)."))
        account, amount = leg
        if not isinstance(account, Account) or account.pk is None:
            raise InvalidPosting(gettext("Elke regel moet een opgeslagen rekening hebben."))
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise InvalidPosting(
                gettext("Bedragen zijn hele getallen (centen of minuten), geen %(type)s.")
                % {"type": type(amount).__name__}
            )
        if amount == 0:
            raise InvalidPosting(gettext("Een regel van 0 heeft geen zin."))
        if abs(amount) > MAX_AMOUNT:
            raise InvalidPosting(gettext("Dit bedrag is te groot."))
        if account.pk in seen:
            raise InvalidPosting(
                gettext("Rekening %(account)s staat twee keer in één boeking; tel de regels op.")
                % {"account": account.label}
            )
        seen.add(account.pk)
    units = {account.unit for account, _ in legs}
    if len(units) != 1:
        raise MixedUnits(sorted(units))
    total = sum(amount for _, amount in legs)
    if total != 0:
        raise Unbalanced(total)
    return sorted(legs, key=lambda leg: leg[0].pk)


def fingerprint(
    *,
    unit: str,
    kind: str,
    description: str,
    ref_type: str,
    ref_id: str,
    reversal_of_id: int | None,
    legs: Sequence[tuple[int, int]],
) -> str:
    """A hash of a posting's content (not of who posts it or when): a retry with the same
    idempotency key must have the same fingerprint. Independent of the order of the legs."""
    content = [unit, kind, description, ref_type, ref_id, reversal_of_id, sorted(legs)]
    return hashlib.sha256(json.dumps(content, separators=(",", ":")).encode()).hexdigest()


def _ref_parts(ref: Ref) -> tuple[str, str]:
    if ref is None:
        return "", ""
    if isinstance(ref, models.Model):
        if ref.pk is None:
            raise InvalidPosting(gettext("De aanleiding van een boeking moet opgeslagen zijn."))
        return ref._meta.label_lower, str(ref.pk)
    ref_type, ref_id = ref
    ref_type, ref_id = str(ref_type), str(ref_id)
    if len(ref_type) > 100 or len(ref_id) > 100:
        raise InvalidPosting(gettext("De aanleiding van een boeking is te lang."))
    return ref_type, ref_id


def _check_text(kind: str, description: str, idempotency_key: str) -> tuple[str, str, str]:
    if not isinstance(kind, str) or len(kind) > 50 or not _KIND.match(kind):
        raise InvalidPosting(
            gettext("Soort %(kind)r is ongeldig (kleine letters en punten, bv. grant.payout).")
            % {"kind": kind}
        )
    description = (description or "").strip()
    if not description:
        raise InvalidPosting(gettext("Een boeking heeft een omschrijving nodig."))
    if len(description) > 500:
        raise InvalidPosting(gettext("De omschrijving is te lang (meer dan 500 tekens)."))
    key = (idempotency_key or "").strip()
    if not key:
        raise InvalidPosting(gettext("Een boeking heeft een sleutel nodig (idempotency key)."))
    if len(key) > 200:
        raise InvalidPosting(gettext("De sleutel is te lang (meer dan 200 tekens)."))
    return kind, description, key


def _real_actor(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


# --- Accounts ----------------------------------------------------------------------------------


def _owner_lookup(owner: models.Model, purpose: str, unit: str) -> dict[str, Any]:
    if not isinstance(owner, models.Model) or owner.pk is None:
        raise InvalidPosting(gettext("Een rekening hoort bij een opgeslagen eigenaar."))
    if not isinstance(purpose, str) or len(purpose) > 50 or not _PURPOSE.match(purpose):
        raise InvalidPosting(
            gettext("Doel %(purpose)r is ongeldig (kleine letters, cijfers, - _ .).")
            % {"purpose": purpose}
        )
    if unit not in Unit.values:
        raise InvalidPosting(gettext("Onbekende eenheid %(unit)r.") % {"unit": unit})
    return {
        "owner_type": ContentType.objects.get_for_model(owner),
        "owner_id": str(owner.pk),
        "purpose": purpose,
        "unit": unit,
    }


def get_or_create_account(
    owner: models.Model,
    purpose: str,
    unit: str,
    *,
    allow_negative: bool = False,
    name: str = "",
) -> Account:
    """The account of ``owner`` for ``purpose`` in ``unit``, created (with its balance row) if
    it does not exist. Safe under concurrency. ``name`` is used only when creating. An existing
    account with a different ``allow_negative`` raises AccountConflict: an account's rule is
    fixed for life."""
    lookup = _owner_lookup(owner, purpose, unit)
    account = Account.objects.filter(**lookup).first()
    if account is None:
        try:
            with transaction.atomic():
                account = Account.objects.create(
                    **lookup, allow_negative=allow_negative, name=(name or "").strip()[:200]
                )
                AccountBalance.objects.create(account=account, allow_negative=allow_negative)
        except IntegrityError:
            account = Account.objects.get(**lookup)
    if account.allow_negative != allow_negative:
        raise AccountConflict(
            gettext("Rekening %(account)s bestaat al met een andere regel voor rood staan.")
            % {"account": account.label},
            account_id=account.pk,
        )
    return account


def get_account(owner: models.Model, purpose: str, unit: str) -> Account | None:
    return Account.objects.filter(**_owner_lookup(owner, purpose, unit)).first()


def accounts_of(owner: models.Model) -> models.QuerySet[Account]:
    if owner.pk is None:
        return Account.objects.none()
    return Account.objects.filter(
        owner_type=ContentType.objects.get_for_model(owner), owner_id=str(owner.pk)
    )


# --- Posting -----------------------------------------------------------------------------------


def post(
    entries: Iterable[tuple[Account, int]],
    *,
    kind: str,
    description: str,
    actor: Any,
    idempotency_key: str,
    ref: Ref = None,
) -> Transaction:
    """Record one transaction of two or more entries that add up to zero.

    Idempotent: the same ``idempotency_key`` with the same content returns the transaction
    recorded the first time (and records nothing); with other content it raises
    IdempotencyConflict. Raises InsufficientFunds if an account without ``allow_negative`` would
    go below zero. Writes an audit event ``ledger.post``."""
    legs = normalise_legs(entries)
    kind, description, key = _check_text(kind, description, idempotency_key)
    ref_type, ref_id = _ref_parts(ref)
    return _post(
        legs,
        kind=kind,
        description=description,
        actor=_real_actor(actor),
        key=key,
        ref_type=ref_type,
        ref_id=ref_id,
        reversal_of=None,
    )


def transfer(
    from_account: Account,
    to_account: Account,
    amount: int,
    *,
    kind: str,
    description: str,
    actor: Any,
    idempotency_key: str,
    ref: Ref = None,
) -> Transaction:
    """Move ``amount`` (> 0) from one account to another: the common two-leg :func:`post`."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise InvalidPosting(
            gettext("Het bedrag van een overboeking is een positief geheel getal.")
        )
    return post(
        [(from_account, -amount), (to_account, amount)],
        kind=kind,
        description=description,
        actor=actor,
        idempotency_key=idempotency_key,
        ref=ref,
    )


def reverse(txn: Transaction, *, actor: Any, reason: str, idempotency_key: str) -> Transaction:
    """Correct ``txn`` by posting its exact opposite, linked through ``reversal_of``.

    A transaction is reversed at most once (AlreadyReversed) and a reversal cannot be reversed
    (CannotReverseReversal). The reversal has kind ``correction``, ``reason`` as description and
    the original's reference. Account rules hold for it too: if money has moved on since, the
    reversal can raise InsufficientFunds (reverse the later transactions first)."""
    original = Transaction.objects.get(pk=txn.pk)
    if original.reversal_of_id is not None:
        raise CannotReverseReversal(original.pk)
    legs = [(e.account, -e.amount) for e in original.entries.select_related("account")]
    kind, description, key = _check_text(REVERSAL_KIND, reason, idempotency_key)
    return _post(
        normalise_legs(legs),
        kind=kind,
        description=description,
        actor=_real_actor(actor),
        key=key,
        ref_type=original.ref_type,
        ref_id=original.ref_id,
        reversal_of=original,
    )


def _replay(key: str, fp: str) -> Transaction | None:
    """The transaction recorded earlier with this key, or None; IdempotencyConflict when its
    content differs."""
    existing = Transaction.objects.filter(idempotency_key=key).first()
    if existing is None:
        return None
    if existing.fingerprint != fp:
        raise IdempotencyConflict(key)
    return existing


def _post(
    legs: list[tuple[Account, int]],
    *,
    kind: str,
    description: str,
    actor: Any,
    key: str,
    ref_type: str,
    ref_id: str,
    reversal_of: Transaction | None,
) -> Transaction:
    unit = legs[0][0].unit
    changes = {account.pk: amount for account, amount in legs}
    fp = fingerprint(
        unit=unit,
        kind=kind,
        description=description,
        ref_type=ref_type,
        ref_id=ref_id,
        reversal_of_id=reversal_of.pk if reversal_of is not None else None,
        legs=list(changes.items()),
    )
    try:
        with transaction.atomic():
            # Lock the balance rows of every account involved, always in account-id order, so
            # two postings over the same accounts queue instead of deadlocking (PostgreSQL).
            # On SQLite the IMMEDIATE transaction already holds the database's write lock.
            rows = list(
                AccountBalance.objects.select_for_update(of=("self",))
                .select_related("account")
                .filter(account_id__in=changes)
                .order_by("account_id")
            )
            # Checked only now, under the locks: a retry racing the first posting waits for it.
            existing = _replay(key, fp)
            if existing is not None:
                return existing
            if (
                reversal_of is not None
                and Transaction.objects.filter(reversal_of=reversal_of).exists()
            ):
                raise AlreadyReversed(reversal_of.pk)
            if len(rows) != len(changes):
                raise InvalidPosting(gettext("Een van de rekeningen bestaat niet (meer)."))
            db_units = {row.account.unit for row in rows}
            if db_units != {unit}:
                raise MixedUnits(sorted(db_units | {unit}))
            for row in rows:
                change = changes[row.account_id]
                if row.balance + change < 0 and not row.allow_negative:
                    raise InsufficientFunds(row.account, row.balance, change)
            txn = Transaction(
                unit=unit,
                kind=kind,
                description=description,
                actor=actor,
                ref_type=ref_type,
                ref_id=ref_id,
                idempotency_key=key,
                fingerprint=fp,
                reversal_of=reversal_of,
            )
            txn.save()
            Entry.objects.bulk_create(
                [
                    Entry(transaction=txn, account_id=account_id, amount=amount)
                    for account_id, amount in changes.items()
                ]
            )
            AccountBalance.objects.filter(account_id__in=changes).update(
                balance=F("balance")
                + Case(
                    *[When(account_id=aid, then=Value(amount)) for aid, amount in changes.items()],
                    output_field=BigIntegerField(),
                )
            )
            audit.record(
                actor,
                AUDIT_ACTION,
                txn,
                kind=kind,
                unit=unit,
                entries=[[aid, amount] for aid, amount in changes.items()],
                idempotency_key=key,
                ref=[ref_type, ref_id],
                reversal_of=reversal_of.pk if reversal_of is not None else None,
            )
            return txn
    except IntegrityError:
        # A concurrent posting with the same key (or a concurrent reversal of the same
        # transaction) committed first; our work is rolled back. Report what happened.
        existing = _replay(key, fp)
        if existing is not None:
            return existing
        if reversal_of is not None and Transaction.objects.filter(reversal_of=reversal_of).exists():
            raise AlreadyReversed(reversal_of.pk) from None
        raise


# --- Reading -----------------------------------------------------------------------------------


def balance(account: Account) -> int:
    """The account's balance (cents or minutes), from the maintained balance row."""
    value = (
        AccountBalance.objects.filter(account_id=account.pk)
        .values_list("balance", flat=True)
        .first()
    )
    return int(value or 0)


def balances(accounts: Iterable[Account]) -> dict[Account, int]:
    """Balances of several accounts in one query, keyed by account."""
    wanted = list(accounts)
    found = dict(
        AccountBalance.objects.filter(account_id__in=[a.pk for a in wanted]).values_list(
            "account_id", "balance"
        )
    )
    return {account: int(found.get(account.pk, 0)) for account in wanted}


def entries_for(account: Account, *, newest_first: bool = False) -> models.QuerySet[Entry]:
    """The account's entries with their transaction, each annotated with ``balance_after``
    (the running balance after that entry). The running balance is computed over all the
    account's entries in the database, so slicing the result (pagination) keeps it right."""
    qs = (
        Entry.objects.filter(account_id=account.pk)
        .select_related("transaction")
        .annotate(
            balance_after=Window(
                Sum("amount"), order_by=F("id").asc(), output_field=BigIntegerField()
            )
        )
    )
    return qs.order_by("-id") if newest_first else qs.order_by("id")


def transactions_for(ref: models.Model | tuple[str, str]) -> models.QuerySet[Transaction]:
    """Every transaction posted for a business event (including corrections), oldest first."""
    ref_type, ref_id = _ref_parts(ref)
    return Transaction.objects.filter(ref_type=ref_type, ref_id=ref_id).order_by("id")
