from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatusBoardConfig(AppConfig):
    name = "status_board"
    verbose_name = _("Status board")

    def ready(self):
        # The cached board shows organizations and their functions: when those change
        # (admin, imports, commands), the next request rebuilds it. Cache upkeep only.
        from django.db import transaction
        from django.db.models.signals import post_delete, post_save

        from organizations.models import BusinessFunction, Organization, OrganizationFunction

        from . import snapshots

        def _invalidate(sender, **kwargs):
            transaction.on_commit(snapshots.invalidate)

        for model in (Organization, OrganizationFunction, BusinessFunction):
            post_save.connect(_invalidate, sender=model, dispatch_uid=f"sb-{model.__name__}-s")
            post_delete.connect(_invalidate, sender=model, dispatch_uid=f"sb-{model.__name__}-d")
