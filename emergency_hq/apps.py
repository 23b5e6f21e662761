from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmergencyHqConfig(AppConfig):
    name = "emergency_hq"
    verbose_name = _("Emergency HQ")
