"""Shared Django admin pieces."""


class ReadOnlyAdminMixin:
    """Rows written only through the portal's services: the admin shows, never changes."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
