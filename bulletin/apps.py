from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BulletinConfig(AppConfig):
    name = "bulletin"
    verbose_name = _("Bulletin")

    def ready(self):
        # An answer to a circular's alert acknowledges the circular (alerts never imports us).
        from alerts import sources

        from .receipts import circular_acknowledge_from_alert

        sources.on_answered("circular", circular_acknowledge_from_alert)
