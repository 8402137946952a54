"""The ledger: accounts, transactions and their entries, append-only.

Other apps never write these models directly; they call :mod:`buurtbasis.ledger.services`.
See docs/ledger.md for the design. In short:

- An :class:`Account` belongs to any object (generic owner) and has one unit: EUR (cents) or
  HOURS (minutes). Its owner, purpose, unit and overdraft rule never change.
- A :class:`Transaction` is a set of :class:`Entry` rows in one unit that add up to zero.
  Positive amounts flow *into* an account (its balance rises), negative amounts flow out.
- Transactions and entries are never updated or deleted: the model refuses it and database
  triggers (installed by migration 0002, see :mod:`buurtbasis.ledger.guards`) refuse it too.
  A mistake is corrected by a reversing transaction.
- :class:`AccountBalance` is a maintained cache of each account's balance, updated in the same
  database transaction as the entries. The entries are the truth; ``check_ledger`` compares.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .errors import AppendOnly
from .money import Unit

__all__ = ["Account", "AccountBalance", "Entry", "Transaction", "Unit"]


class AppendOnlyQuerySet(models.QuerySet[Any]):
    """Bulk update and delete are refused in Python (the database triggers refuse them too)."""

    def update(self, **kwargs: Any) -> int:
        raise AppendOnly(str(self.model._meta.verbose_name_plural))

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnly(str(self.model._meta.verbose_name_plural))

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        raise AppendOnly(str(self.model._meta.verbose_name_plural))

    update.queryset_only = True  # type: ignore[attr-defined]
    delete.queryset_only = True  # type: ignore[attr-defined]


class Account(models.Model):
    owner_type = models.ForeignKey(
        ContentType, verbose_name=_("soort eigenaar"), on_delete=models.PROTECT, related_name="+"
    )
    owner_id = models.CharField(_("eigenaar"), max_length=64)
    owner = GenericForeignKey("owner_type", "owner_id")
    purpose = models.CharField(
        _("doel"), max_length=50, help_text=_("Bijvoorbeeld: fund, pledged, hours")
    )
    unit = models.CharField(_("eenheid"), max_length=5, choices=Unit.choices)
    allow_negative = models.BooleanField(
        _("mag onder nul"),
        default=False,
        help_text=_("Alleen voor bronnen van buiten, zoals een fonds of het Rijk."),
    )
    name = models.CharField(_("naam"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("aangemaakt"), default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("rekening")
        verbose_name_plural = _("rekeningen")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner_type", "owner_id", "purpose", "unit"],
                name="ledger_account_owner_purpose_unit",
            ),
            models.CheckConstraint(
                condition=Q(unit__in=Unit.values), name="ledger_account_unit_known"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """What people read: the account's name, or its owner and purpose."""
        if self.name:
            return self.name
        return f"{self.owner} · {self.purpose}"

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnly(str(self._meta.verbose_name))


class AccountBalance(models.Model):
    """The maintained balance of one account (a checked cache: the entries are the truth).

    ``allow_negative`` is copied from the account so the database itself can refuse an
    overdraft (a CHECK constraint cannot look at another table)."""

    account = models.OneToOneField(
        Account,
        verbose_name=_("rekening"),
        primary_key=True,
        on_delete=models.PROTECT,
        related_name="maintained_balance",
    )
    balance = models.BigIntegerField(_("saldo"), default=0)
    allow_negative = models.BooleanField(_("mag onder nul"), default=False)

    class Meta:
        verbose_name = _("saldo")
        verbose_name_plural = _("saldi")
        constraints = [
            models.CheckConstraint(
                condition=Q(allow_negative=True) | Q(balance__gte=0),
                name="ledger_balance_no_overdraft",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.balance}"


class Transaction(models.Model):
    unit = models.CharField(_("eenheid"), max_length=5, choices=Unit.choices)
    kind = models.CharField(
        _("soort"), max_length=50, db_index=True, help_text=_("Bijvoorbeeld: grant.payout")
    )
    description = models.CharField(_("omschrijving"), max_length=500)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("door"),
        null=True,
        blank=True,
        # The one change the database allows: forgetting who acted (see guards.py).
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ref_type = models.CharField(_("soort aanleiding"), max_length=100, blank=True)
    ref_id = models.CharField(_("aanleiding"), max_length=100, blank=True)
    idempotency_key = models.CharField(_("sleutel"), max_length=200, unique=True)
    # sha256 of the content (unit, kind, description, ref, reversal_of, entries): a retry with
    # the same key must carry the same fingerprint.
    fingerprint = models.CharField(_("vingerafdruk"), max_length=64)
    reversal_of = models.OneToOneField(
        "self",
        verbose_name=_("draait terug"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    created_at = models.DateTimeField(_("geboekt op"), default=timezone.now, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("boeking")
        verbose_name_plural = _("boekingen")
        ordering = ["id"]
        indexes = [models.Index(fields=["ref_type", "ref_id"], name="ledger_txn_ref")]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__in=Unit.values), name="ledger_transaction_unit_known"
            ),
            models.CheckConstraint(
                condition=~Q(idempotency_key=""), name="ledger_transaction_key_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind}: {self.description}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnly(str(self._meta.verbose_name))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnly(str(self._meta.verbose_name))

    @property
    def is_reversal(self) -> bool:
        return self.reversal_of_id is not None


class Entry(models.Model):
    transaction = models.ForeignKey(
        Transaction, verbose_name=_("boeking"), on_delete=models.PROTECT, related_name="entries"
    )
    account = models.ForeignKey(
        Account, verbose_name=_("rekening"), on_delete=models.PROTECT, related_name="entries"
    )
    amount = models.BigIntegerField(
        _("bedrag"), help_text=_("Centen of minuten; positief = erbij, negatief = eraf")
    )

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("boekingsregel")
        verbose_name_plural = _("boekingsregels")
        ordering = ["id"]
        indexes = [models.Index(fields=["account", "id"], name="ledger_entry_account_id")]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_entry_amount_not_zero"),
            models.UniqueConstraint(
                fields=["transaction", "account"], name="ledger_entry_one_per_account"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.amount:+d}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnly(str(self._meta.verbose_name))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnly(str(self._meta.verbose_name))
