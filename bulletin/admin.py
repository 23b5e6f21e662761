from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from common.admin import ReadOnlyAdminMixin

from .models import Circular, CircularAttachment, CircularRecipient


class AttachmentInline(admin.TabularInline):
    model = CircularAttachment
    fields = ["name", "content_type", "size", "uploaded_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Circular)
class CircularAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Read-only here: circulars are published, revised and withdrawn through the portal."""

    list_display = ["number", "title_ja", "category", "audience", "published_at", "withdrawn_at"]
    list_filter = ["category", "audience", "requires_ack"]
    search_fields = ["number", "title_ja", "title_en"]
    inlines = [AttachmentInline]


@admin.register(CircularRecipient)
class CircularRecipientAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["circular", "organization", "read_at", "acknowledged_at"]
    list_select_related = ["circular", "organization"]
    search_fields = ["circular__number", "organization__code"]
