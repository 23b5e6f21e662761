from django.contrib import admin

from common.admin import ReadOnlyAdminMixin

from .models import CurrentStatus, StatusReport


@admin.register(StatusReport)
class StatusReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: reports are the attributed history and are never edited."""

    list_display = ["reported_at", "organization", "function", "status", "reported_by", "source"]
    list_filter = ["status", "source", "organization__kind"]
    search_fields = ["organization__code", "organization__name_ja", "message", "message_en"]
    date_hierarchy = "reported_at"
    list_select_related = ["organization", "function", "reported_by"]


@admin.register(CurrentStatus)
class CurrentStatusAdmin(StatusReportAdmin):
    list_display = ["organization", "function", "status", "reported_at", "impaired_since"]
    list_filter = ["status", "organization__kind"]
    search_fields = ["organization__code", "organization__name_ja"]
    list_select_related = ["organization", "function"]
