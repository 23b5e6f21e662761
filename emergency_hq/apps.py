from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmergencyHqConfig(AppConfig):
    name = "emergency_hq"
    verbose_name = _("Emergency HQ")

    def ready(self):
        # The boards sit below the HQ: it tells them what is in force (DESIGN §4).
        from status_board import providers

        # The earthquake feed enqueues its tasks by name (quake/report_requests.py): they are
        # registered here in every process, not only in the worker that autodiscovers them.
        from . import tasks  # noqa: F401
        from .incidents import selectors

        providers.register(
            activations=selectors.activations_active,
            incident_started_at=selectors.incident_started_at,
        )
