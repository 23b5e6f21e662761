from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from guardian.admin import GuardedModelAdminMixin
from simple_history.admin import SimpleHistoryAdmin

from . import permissions
from .models import (
    BcpProfile,
    BusinessFunction,
    Committee,
    Contact,
    JmaArea,
    Organization,
    OrganizationFunction,
    OrganizationSite,
    SegmentParticipation,
    WebhookEndpoint,
)


def _admin_site_permission(request) -> bool:
    """Django admin is for JSDA administrators (and superusers), nobody else."""
    user = request.user
    return bool(user.is_active and user.is_staff and permissions.can(user, "administer"))


admin.site.has_permission = _admin_site_permission
admin.site.site_header = "BCP WEB"
admin.site.site_title = "BCP WEB"


class OrganizationFunctionInline(admin.TabularInline):
    model = OrganizationFunction
    extra = 0
    autocomplete_fields = ["function"]


class SegmentParticipationInline(admin.TabularInline):
    model = SegmentParticipation
    extra = 0


class OrganizationSiteInline(admin.TabularInline):
    model = OrganizationSite
    extra = 0
    autocomplete_fields = ["area"]


@admin.register(Organization)
class OrganizationAdmin(GuardedModelAdminMixin, SimpleHistoryAdmin):
    list_display = ["code", "name_ja", "name_en", "kind", "is_public", "active"]
    list_filter = ["kind", "is_public", "active", "segments__segment", "committees"]
    search_fields = ["code", "name_ja", "name_en"]
    inlines = [OrganizationFunctionInline, SegmentParticipationInline, OrganizationSiteInline]


@admin.register(BusinessFunction)
class BusinessFunctionAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name_ja", "name_en", "default_rto_minutes", "display_order"]
    search_fields = ["code", "name_ja", "name_en"]


@admin.register(OrganizationFunction)
class OrganizationFunctionAdmin(SimpleHistoryAdmin):
    list_display = ["organization", "function", "rto_minutes"]
    list_filter = ["function", "organization__kind"]
    search_fields = ["organization__code", "organization__name_ja", "function__code"]
    autocomplete_fields = ["organization", "function"]


@admin.register(SegmentParticipation)
class SegmentParticipationAdmin(SimpleHistoryAdmin):
    list_display = ["organization", "segment", "weight", "retail_weight"]
    list_filter = ["segment"]
    search_fields = ["organization__code", "organization__name_ja"]
    autocomplete_fields = ["organization"]


@admin.register(Contact)
class ContactAdmin(SimpleHistoryAdmin):
    list_display = ["organization", "name", "title", "email", "order", "active"]
    list_filter = ["active", "language", "organization__kind"]
    search_fields = ["name", "email", "phone", "organization__code", "organization__name_ja"]
    autocomplete_fields = ["organization", "parent"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(SimpleHistoryAdmin):
    list_display = ["organization", "url", "active"]
    list_filter = ["active"]
    search_fields = ["url", "organization__code"]
    autocomplete_fields = ["organization"]


@admin.register(BcpProfile)
class BcpProfileAdmin(SimpleHistoryAdmin):
    list_display = ["organization", "plan_version", "plan_reviewed_on", "backup_site_kind"]
    list_filter = ["backup_site_kind", "data_backup_offsite"]
    search_fields = ["organization__code", "organization__name_ja"]
    autocomplete_fields = ["organization"]


@admin.register(JmaArea)
class JmaAreaAdmin(SimpleHistoryAdmin):
    """JMA's seismic areas; reload JMA's full table with ``manage.py load_jma_areas``."""

    list_display = ["code", "name_ja", "name_en", "prefecture_ja", "active"]
    list_filter = ["active", "prefecture_ja"]
    search_fields = ["code", "name_ja", "name_en", "prefecture_ja"]


@admin.register(OrganizationSite)
class OrganizationSiteAdmin(SimpleHistoryAdmin):
    list_display = ["organization", "kind", "area", "label"]
    list_filter = ["kind", "area__prefecture_ja"]
    search_fields = ["organization__code", "organization__name_ja", "area__code", "area__name_ja"]
    autocomplete_fields = ["organization", "area"]


@admin.register(Committee)
class CommitteeAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name_ja", "name_en", "segment", "parent"]
    list_filter = ["segment"]
    search_fields = ["code", "name_ja", "name_en"]
    filter_horizontal = ["members"]


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin, SimpleHistoryAdmin):
    pass
