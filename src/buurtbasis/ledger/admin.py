"""Read-only admin pages: the ledger is changed only through its services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import Account, AccountBalance, Entry, Transaction
from .money import format_amount


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EntryInline(ReadOnlyMixin, admin.TabularInline):
    model = Entry
    fields = ["account", "amount"]
    readonly_fields = ["account", "amount"]
    extra = 0


@admin.register(Account)
class AccountAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["id", "label", "owner_type", "owner_id", "purpose", "unit", "allow_negative"]
    list_filter = ["unit", "allow_negative", "purpose"]
    search_fields = ["name", "purpose", "owner_id"]


@admin.register(AccountBalance)
class AccountBalanceAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["account", "shown_balance", "allow_negative"]
    list_select_related = ["account"]

    @admin.display(description=_("saldo"))
    def shown_balance(self, obj: AccountBalance) -> str:
        return format_amount(obj.balance, obj.account.unit)


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["id", "created_at", "kind", "description", "unit", "actor", "reversal_of"]
    list_filter = ["unit", "kind"]
    search_fields = ["description", "idempotency_key", "ref_id"]
    inlines = [EntryInline]
    date_hierarchy = "created_at"
