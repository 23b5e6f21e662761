from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from common.admin import ReadOnlyAdminMixin

from .models import Drill, DrillStatusReport


@admin.register(Drill)
class DrillAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Written by the drill pages and API only."""

    list_display = ["planned_at", "title_ja", "state", "announced", "starts_at", "answer_minutes"]
    list_filter = ["state", "announced"]
    search_fields = ["title_ja", "title_en"]


@admin.register(DrillStatusReport)
class DrillStatusReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The drill board's history; never the real board's."""

    list_display = ["reported_at", "drill", "organization", "function", "status", "late"]
    list_filter = ["status", "late"]
    list_select_related = ["drill", "organization", "function"]
