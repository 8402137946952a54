"""Read-mostly admin for technical operators; daily work goes through the pages. Ballots and
voter records are not in the admin: the link between them must stay hidden."""

from django.contrib import admin

from .models import (
    CoFundingRule,
    Fund,
    GrantRequest,
    Initiative,
    LineSettings,
    Panel,
    PanelMember,
    Vote,
    VoteOption,
)


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    list_display = ("name", "area", "state", "created_at")
    list_filter = ("state",)
    search_fields = ("name",)
    raw_id_fields = ("area", "place", "created_by", "host")


@admin.register(GrantRequest)
class GrantRequestAdmin(admin.ModelAdmin):
    list_display = ("initiative", "amount_cents", "route", "status", "deadline")
    list_filter = ("status", "route")
    readonly_fields = ("payout",)
    raw_id_fields = ("initiative", "line", "need", "submitted_by", "host")


admin.site.register(LineSettings)
admin.site.register(Panel)
admin.site.register(PanelMember)
admin.site.register(Fund)
admin.site.register(CoFundingRule)
admin.site.register(Vote)
admin.site.register(VoteOption)
