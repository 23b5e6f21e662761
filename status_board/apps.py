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
        from organizations.signals import rows_written_in_bulk

        from . import snapshots, tasks

        # The published copy (static files for nginx) follows every bundle built.
        if tasks.publish_soon not in snapshots.after_rebuild:
            snapshots.after_rebuild.append(tasks.publish_soon)

        def _invalidate(sender, **kwargs):
            transaction.on_commit(snapshots.invalidate)

        # weak=False: _invalidate is local to this method; a weak reference to it dies as
        # soon as ready() returns, and the signals then reach nobody.
        for model in (Organization, OrganizationFunction, BusinessFunction):
            for signal, suffix in (
                (post_save, "s"),
                (post_delete, "d"),
                (rows_written_in_bulk, "b"),
            ):
                signal.connect(
                    _invalidate,
                    sender=model,
                    weak=False,
                    dispatch_uid=f"sb-{model.__name__}-{suffix}",
                )
