"""The ledger's errors. Every one is a :class:`LedgerError` with a translated (Dutch first)
message that can be shown to a person as it is. When a service raises one, nothing has changed.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext


class LedgerError(Exception):
    """Base class of every refusal by the ledger. ``str(error)`` is the translated message."""

    def __init__(self, message: str, **detail: Any) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    def __str__(self) -> str:
        return self.message


class InvalidPosting(LedgerError):
    """The posting is malformed: too few entries, a zero or non-integer amount, an unsaved or
    repeated account, an empty kind or idempotency key."""


class Unbalanced(LedgerError):
    """The entries of a transaction do not add up to zero."""

    def __init__(self, total: int) -> None:
        super().__init__(
            gettext("De boeking klopt niet: de bedragen tellen op tot %(total)s in plaats van 0.")
            % {"total": total},
            total=total,
        )


class MixedUnits(LedgerError):
    """The accounts of one transaction do not share one unit (euros and hours mixed)."""

    def __init__(self, units: list[str]) -> None:
        super().__init__(
            gettext("Eén boeking kan geen euro's en uren mengen (gevonden eenheden: %(units)s).")
            % {"units": ", ".join(sorted(units))},
            units=sorted(units),
        )


class InsufficientFunds(LedgerError):
    """The posting would take an account without ``allow_negative`` below zero."""

    def __init__(self, account: Any, balance: int, change: int) -> None:
        from .money import format_amount

        super().__init__(
            gettext(
                "Er staat niet genoeg op %(account)s: het saldo is %(balance)s, "
                "de boeking vraagt %(needed)s."
            )
            % {
                "account": account.label,
                "balance": format_amount(balance, account.unit),
                "needed": format_amount(-change, account.unit),
            },
            account_id=account.pk,
            balance=balance,
            change=change,
        )


class IdempotencyConflict(LedgerError):
    """The idempotency key was used before for a posting with different content."""

    def __init__(self, key: str) -> None:
        super().__init__(
            gettext(
                "De sleutel %(key)s is al gebruikt voor een andere boeking. Er is niets veranderd."
            )
            % {"key": key},
            idempotency_key=key,
        )


class AlreadyReversed(LedgerError):
    """The transaction has been reversed before (a transaction is reversed at most once)."""

    def __init__(self, txn_id: int) -> None:
        super().__init__(
            gettext("Boeking %(id)s is al eerder teruggedraaid.") % {"id": txn_id},
            transaction_id=txn_id,
        )


class CannotReverseReversal(LedgerError):
    """A reversal is final: it cannot be reversed itself (post a new transaction instead)."""

    def __init__(self, txn_id: int) -> None:
        super().__init__(
            gettext(
                "Boeking %(id)s is zelf een correctie en kan niet worden teruggedraaid. "
                "Maak zo nodig een nieuwe boeking."
            )
            % {"id": txn_id},
            transaction_id=txn_id,
        )


class AccountConflict(LedgerError):
    """An account with this owner, purpose and unit exists with a different overdraft rule."""


class AppendOnly(LedgerError):
    """Someone tried to change or delete a ledger row."""

    def __init__(self, what: str) -> None:
        super().__init__(
            gettext(
                "Het grootboek wordt alleen aangevuld: %(what)s kan niet worden gewijzigd of "
                "verwijderd. Corrigeer met een terugboeking."
            )
            % {"what": what},
        )
