from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    """The notification platform: every sender's fan-out along the contact trees."""

    name = "alerts"
    verbose_name = _("Alerts")
