"""Invariant checks over the whole ledger, each one aggregate query (used by ``check_ledger``).

1. every transaction has at least two entries and they add up to zero;
2. every entry's account has the unit of its transaction;
3. every account has a balance row, its maintained balance equals the sum of its entries and
   its copied overdraft rule equals the account's;
4. no account without ``allow_negative`` is below zero (by the sum of its entries);
5. every reversal points at a transaction that is not itself a reversal, at most once, and is
   its exact opposite (per account the two add up to zero);
6. the database triggers that keep the ledger append-only are all installed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connections
from django.db.models import BigIntegerField, Count, F, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext

from .guards import expected_triggers, installed_triggers
from .models import Account, AccountBalance, Entry, Transaction

# Show at most this many breaches of one kind (the count is always given).
SHOW = 50


@dataclass(frozen=True)
class Breach:
    check: str
    message: str


@dataclass(frozen=True)
class Summary:
    accounts: int
    transactions: int
    entries: int
    reversals: int


def summary(using: str = "default") -> Summary:
    return Summary(
        accounts=Account.objects.using(using).count(),
        transactions=Transaction.objects.using(using).count(),
        entries=Entry.objects.using(using).count(),
        reversals=Transaction.objects.using(using).filter(reversal_of__isnull=False).count(),
    )


def find_breaches(using: str = "default") -> list[Breach]:
    breaches: list[Breach] = []

    def add(check: str, rows: list[str], total: int) -> None:
        breaches.extend(Breach(check, row) for row in rows[:SHOW])
        if total > SHOW:
            breaches.append(
                Breach(check, gettext("… en nog %(n)d van deze soort.") % {"n": total - SHOW})
            )

    txns = Transaction.objects.using(using)
    entries = Entry.objects.using(using)
    zero = Value(0, output_field=BigIntegerField())

    # 1. Zero-sum with at least two entries (transactions without entries included).
    bad = list(
        txns.annotate(total=Coalesce(Sum("entries__amount"), zero), n=Count("entries"))
        .filter(~Q(total=0) | Q(n__lt=2))
        .values_list("id", "total", "n")
        .order_by("id")
    )
    add(
        "zero_sum",
        [
            gettext("Boeking %(id)s: %(n)d regels, som %(total)d (moet ≥ 2 regels en 0 zijn).")
            % {"id": i, "n": n, "total": t}
            for i, t, n in bad
        ],
        len(bad),
    )

    # 2. Units.
    bad_units = list(
        entries.exclude(account__unit=F("transaction__unit"))
        .values_list("id", "transaction_id", "account_id")
        .order_by("id")
    )
    add(
        "unit",
        [
            gettext("Regel %(e)s van boeking %(t)s: rekening %(a)s heeft een andere eenheid.")
            % {"e": e, "t": t, "a": a}
            for e, t, a in bad_units
        ],
        len(bad_units),
    )

    # 3. Maintained balances.
    missing = list(
        Account.objects.using(using)
        .filter(maintained_balance__isnull=True)
        .values_list("id", flat=True)
    )
    add(
        "balance_row",
        [gettext("Rekening %(a)s heeft geen saldoregel.") % {"a": a} for a in missing],
        len(missing),
    )
    drift = list(
        AccountBalance.objects.using(using)
        .annotate(total=Coalesce(Sum("account__entries__amount"), zero))
        .filter(~Q(balance=F("total")) | ~Q(allow_negative=F("account__allow_negative")))
        .values_list("account_id", "balance", "total")
        .order_by("account_id")
    )
    add(
        "balance",
        [
            gettext(
                "Rekening %(a)s: bijgehouden saldo %(b)d, som van de regels %(t)d "
                "(of de regel voor rood staan verschilt)."
            )
            % {"a": a, "b": b, "t": t}
            for a, b, t in drift
        ],
        len(drift),
    )

    # 4. No overdraft, by the entries.
    overdrawn = list(
        Account.objects.using(using)
        .filter(allow_negative=False)
        .annotate(total=Sum("entries__amount"))
        .filter(total__lt=0)
        .values_list("id", "total")
        .order_by("id")
    )
    add(
        "overdraft",
        [
            gettext("Rekening %(a)s staat onder nul (%(t)d) en mag dat niet.") % {"a": a, "t": t}
            for a, t in overdrawn
        ],
        len(overdrawn),
    )

    # 5. Reversals.
    chained = list(
        txns.filter(reversal_of__reversal_of__isnull=False).values_list("id", "reversal_of_id")
    )
    add(
        "reversal_chain",
        [
            gettext("Boeking %(r)s draait correctie %(o)s terug; dat mag niet.") % {"r": r, "o": o}
            for r, o in chained
        ],
        len(chained),
    )
    twice = list(
        txns.filter(reversal_of__isnull=False)
        .values("reversal_of_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("reversal_of_id", "n")
    )
    add(
        "reversal_once",
        [
            gettext("Boeking %(o)s is %(n)d keer teruggedraaid.") % {"o": o, "n": n}
            for o, n in twice
        ],
        len(twice),
    )
    mismatched = list(
        entries.filter(
            Q(transaction__reversal_of__isnull=False) | Q(transaction__reversed_by__isnull=False)
        )
        .annotate(original=Coalesce("transaction__reversal_of_id", "transaction_id"))
        .values("original", "account_id")
        .annotate(total=Sum("amount"))
        .exclude(total=0)
        .values_list("original", "account_id", "total")
        .order_by("original", "account_id")
    )
    add(
        "reversal_exact",
        [
            gettext(
                "Boeking %(o)s en haar terugboeking heffen elkaar niet op voor rekening "
                "%(a)s (verschil %(t)d)."
            )
            % {"o": o, "a": a, "t": t}
            for o, a, t in mismatched
        ],
        len(mismatched),
    )

    # 6. Triggers.
    connection = connections[using]
    absent = sorted(expected_triggers(connection.vendor) - installed_triggers(connection))
    add(
        "guards",
        [
            gettext("Databasetrigger %(name)s ontbreekt: het grootboek is niet beschermd.")
            % {"name": name}
            for name in absent
        ],
        len(absent),
    )
    return breaches
