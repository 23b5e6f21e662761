from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Alert, EscalationPolicy


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "step_minutes", "max_steps"]


@admin.register(Alert)
class AlertAdmin(SimpleHistoryAdmin):
    """Read-only: alerts are sent and followed from the HQ pages."""

    list_display = ["created_at", "subject_ja", "is_drill", "requires_ack", "created_by"]
    list_filter = ["is_drill", "requires_ack"]
    search_fields = ["subject_ja", "subject_en"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
