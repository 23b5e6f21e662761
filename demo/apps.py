from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for `make run`: the real institutions and fictional firms, with some life."""

    name = "demo"
    verbose_name = "BCP WEB demo data"
