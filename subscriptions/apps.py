from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubscriptionsConfig(AppConfig):
    name = "subscriptions"
    verbose_name = _("Subscriptions")

    def ready(self):
        from status_board import providers

        from . import changes, views

        changes.connect()
        providers.register(page_extras=views.subscribe_box)
