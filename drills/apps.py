from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DrillsConfig(AppConfig):
    name = "drills"
    verbose_name = _("Joint drills")

    def ready(self):
        # The boards and the HQ ask drills through providers: neither imports this app.
        from emergency_hq import providers as hq_providers
        from status_board import drill_reports

        from . import board, selectors

        drill_reports.register(running_for=selectors.running_for, report=board.reports_create)
        hq_providers.register(
            drill_board=board.incident_board,
            drill_alert_ids=selectors.incident_alert_ids,
            drill_organization_ids=selectors.incident_organization_ids,
            running_drill_incident=selectors.running_drill_incident,
        )
