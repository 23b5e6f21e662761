from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from common.admin import ReadOnlyAdminMixin

from .models import ActivationCriterion, ActivationDecision, Incident, QuakeRule, QuakeTelegram


@admin.register(ActivationCriterion)
class ActivationCriterionAdmin(SimpleHistoryAdmin):
    """The activation criteria catalogue (発動基準), kept by JSDA administrators."""

    list_display = ["code", "label_ja", "kind", "segment", "threshold", "suggests", "active"]
    list_filter = ["kind", "segment", "active"]
    search_fields = ["code", "label_ja", "label_en"]


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Written by the HQ pages and API only."""

    list_display = ["started_at", "title", "kind", "severity", "state", "is_drill"]
    list_filter = ["state", "kind", "is_drill"]
    search_fields = ["title", "title_en"]


@admin.register(ActivationDecision)
class ActivationDecisionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Decisions are immutable: no add, change or delete here either."""

    list_display = ["decided_at", "incident", "action", "segment", "is_drill", "decided_by"]
    list_filter = ["action", "segment", "is_drill"]


@admin.register(QuakeRule)
class QuakeRuleAdmin(SimpleHistoryAdmin):
    """The earthquake rules: which JMA telegrams open the incident, kept by JSDA administrators."""

    list_display = [
        "code",
        "label_ja",
        "min_intensity",
        "areas",
        "member_sites_only",
        "opens_incident",
        "requests_reports",
        "criterion",
        "active",
    ]
    list_filter = ["active", "min_intensity", "opens_incident", "requests_reports"]
    search_fields = ["code", "label_ja", "label_en"]


@admin.register(QuakeTelegram)
class QuakeTelegramAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every JMA telegram read, and what the feed did with it."""

    list_display = ["received_at", "kind", "event_id", "serial", "info_type", "status", "outcome"]
    list_filter = ["kind", "status", "info_type", "outcome"]
    search_fields = ["event_id", "source"]
