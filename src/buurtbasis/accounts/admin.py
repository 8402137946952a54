from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Consent, Membership, Organisation, User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["email", "display_name", "home_neighbourhood", "is_active"]
    search_fields = ["email", "display_name"]
    raw_id_fields = ["home_neighbourhood", "assisted_by"]
    exclude = ["password", "takeover_code", "takeover_code_expires"]


admin.site.register(Organisation)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Read-only: roles are given and ended on the role management page
    (``accounts:roles``), through ``services.grant_role``/``revoke_role`` and the audit log."""

    list_display = ["user", "area", "role", "organisation", "since"]
    list_filter = ["role"]
    raw_id_fields = ["user", "area"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    """Consent rows are append-only: they can be added and read, never changed or deleted."""

    list_display = ["user", "purpose", "given", "method", "at", "recorded_by"]
    list_filter = ["purpose", "given", "method"]
    raw_id_fields = ["user", "recorded_by"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
