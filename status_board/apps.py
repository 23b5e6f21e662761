from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatusBoardConfig(AppConfig):
    name = "status_board"
    verbose_name = _("Status board")
