"""Subscribers in the admin: jsda_admin only, to count and look up; no export, no changes.

The addresses are personal information (APPI): nobody else sees them, there is no bulk action
(no CSV export, no mass mail), and a row can only be deleted (the owner's request).
"""

from django.contrib import admin

from organizations import permissions

from .models import Subscriber


def _jsda_admin(request) -> bool:
    user = request.user
    return bool(
        user.is_active and (user.is_superuser or permissions.in_group(user, permissions.JSDA_ADMIN))
    )


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "language", "confirmed_at", "created_at"]
    list_filter = ["language", ("confirmed_at", admin.EmptyFieldListFilter)]
    search_fields = ["email"]
    fields = ["email", "language", "banner", "categories", "organizations", "confirmed_at"]
    readonly_fields = fields
    actions = None  # no bulk export or bulk anything
    show_full_result_count = True
    list_per_page = 50

    def has_module_permission(self, request):
        return _jsda_admin(request)

    def has_view_permission(self, request, obj=None):
        return _jsda_admin(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return _jsda_admin(request)
