"""Celery's autodiscovery reads each app's ``tasks`` module: the earthquake feed's tasks live
next to the code they drive (emergency_hq/quake/tasks.py) and are only named here."""

from .quake.tasks import quake_feed_poll, quake_hq_users_mail, quake_report_requests_send

__all__ = ["quake_feed_poll", "quake_hq_users_mail", "quake_report_requests_send"]
