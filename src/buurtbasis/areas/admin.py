from django.contrib import admin

from .models import Area, Indicator, IndicatorValue


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent", "municipality"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["key", "label_nl", "unit", "reading", "source_table"]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(admin.ModelAdmin):
    list_display = ["area", "indicator", "year", "value"]
    raw_id_fields = ["area"]
