"""Celery discovers tasks here; they live next to the code they drive."""

from .alerts.tasks import deliveries_send, deliveries_sweep
from .quake.tasks import quake_feed_poll, quake_hq_users_mail, quake_report_requests_send

__all__ = [
    "deliveries_send",
    "deliveries_sweep",
    "quake_feed_poll",
    "quake_hq_users_mail",
    "quake_report_requests_send",
]
