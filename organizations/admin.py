from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from guardian.admin import GuardedModelAdminMixin
from simple_history.admin import SimpleHistoryAdmin

from . import permissions, two_factor
from .models import (
    ApiTokenExemption,
    BcpProfile,
    BusinessFunction,
    Committee,
    Contact,
    JmaArea,
    Organization,
    OrganizationFunction,
    OrganizationSite,
    SegmentParticipation,
    TwoFactorEnrolment,
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
    actions = ["issue_enrolment_link"]

    @admin.action(description=_("Issue a two-factor enrolment link"))
    def issue_enrolment_link(self, request, queryset):
        for user in queryset:
            try:
                url = two_factor.enrolment_link_issue(actor=request.user, user=user)
            except ValidationError as error:
                self.message_user(request, f"{user}: {' '.join(error.messages)}", messages.ERROR)
            else:
                # Shown once: only a digest is kept. Hand it to the person through a channel
                # other than the one their password travels on.
                self.message_user(
                    request,
                    _("Enrolment link for %(user)s (single use, shown once): %(url)s")
                    % {"user": user.get_username(), "url": url},
                    messages.WARNING,
                )


class _AdministratorsOnly:
    def has_module_permission(self, request):
        return permissions.can(request.user, permissions.Action.ADMINISTER)

    def has_view_permission(self, request, obj=None):
        return permissions.can(request.user, permissions.Action.ADMINISTER)

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(TwoFactorEnrolment)
class TwoFactorEnrolmentAdmin(_AdministratorsOnly, SimpleHistoryAdmin):
    """Issued through the user list's action; here only who got which link and its use."""

    list_display = ["user", "issued_by", "issued_at", "expires_at", "used_at", "used_from"]
    list_filter = ["used_at", "revoked_at"]
    search_fields = ["user__username"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ApiTokenExemptionForm(forms.ModelForm):
    class Meta:
        model = ApiTokenExemption
        fields = ["user", "reason"]

    def clean_user(self):
        from rest_framework.authtoken.models import Token

        user = self.cleaned_data["user"]
        if not Token.objects.filter(user=user).exists():
            raise ValidationError(
                _("This account has no API token yet (manage.py drf_create_token).")
            )
        return user


@admin.register(ApiTokenExemption)
class ApiTokenExemptionAdmin(_AdministratorsOnly, SimpleHistoryAdmin):
    """Approve (add) or revoke (delete) one account's current token; never edited."""

    form = ApiTokenExemptionForm
    list_display = ["user", "reason", "granted_by", "granted_at"]
    search_fields = ["user__username", "reason"]
    autocomplete_fields = ["user"]

    def has_add_permission(self, request):
        return permissions.can(request.user, permissions.Action.ADMINISTER)

    def has_delete_permission(self, request, obj=None):
        return permissions.can(request.user, permissions.Action.ADMINISTER)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["user", "reason"]
        return ["user", "reason", "granted_by", "granted_at"]

    def save_model(self, request, obj, form, change):
        created = two_factor.api_token_exempt(
            actor=request.user, user=form.cleaned_data["user"], reason=obj.reason
        )
        obj.pk = created.pk

    def delete_model(self, request, obj):
        two_factor.api_token_exemption_revoke(actor=request.user, exemption=obj)

    def delete_queryset(self, request, queryset):
        for exemption in queryset:
            two_factor.api_token_exemption_revoke(actor=request.user, exemption=exemption)
