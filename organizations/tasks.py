"""Celery finds the tasks of an app here."""

from .transfer.tasks import transfer_apply  # noqa: F401
