"""Celery discovers tasks here; they live next to the code they drive."""

from .alerts.tasks import deliveries_send, deliveries_sweep

__all__ = ["deliveries_send", "deliveries_sweep"]
