from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmergencyHqConfig(AppConfig):
    name = "emergency_hq"
    verbose_name = _("Emergency HQ")

    def ready(self):
        # The boards sit below the HQ: it tells them what is in force (DESIGN §4).
        from status_board import providers

        from .incidents import selectors

        providers.register(
            activations=selectors.activations_active,
            incident_started_at=selectors.incident_started_at,
        )
