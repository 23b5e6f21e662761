"""Celery tasks of the earthquake feed: they carry ids only and are safe to run twice."""

from __future__ import annotations

import logging
import smtplib

from celery import shared_task
from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)


@shared_task(name="emergency_hq.quake_feed_poll", ignore_result=True)
def quake_feed_poll() -> str:
    """Beat: poll QUAKE_FEED_URL (off when unset); then send any request left unsent."""
    from . import feed
    from .report_requests import report_requests_send

    url = settings.QUAKE_FEED_URL
    if not url:
        return "off"
    warm_up()
    try:
        report = feed.poll(url)
        outcome = "not modified" if report.not_modified else f"{len(report.read)} read"
    except (feed.SourceUnavailable, feed.FeedError) as exc:
        # The next beat is the retry; the poll already retried 5xx and timeouts.
        logger.warning("JMA feed %s: %s", url, exc)
        outcome = "unavailable"
    report_requests_send()
    return outcome


def warm_up() -> None:
    """Load the URLconf now, in a quiet poll, rather than when the first quake needs a link."""
    from django.urls import reverse

    reverse("hq_incident_list")


@shared_task(name="emergency_hq.quake_report_requests_send", ignore_result=True)
def quake_report_requests_send(incident_id: int) -> int:
    """One batch of requests to report; the chain goes on while a full batch was written."""
    from .report_requests import SEND_BATCH, on_commit_delay, report_requests_send

    sent = report_requests_send(incident_id=int(incident_id), batches=1)
    if sent >= SEND_BATCH:
        on_commit_delay("quake_report_requests_send", int(incident_id))
    return sent


@shared_task(name="emergency_hq.quake_hq_users_mail", bind=True, max_retries=5, ignore_result=True)
def quake_hq_users_mail(self, telegram_id: int) -> int:
    """E-mail HQ staff accounts once per alerting telegram (claimed, released on failure)."""
    from . import notify
    from .models import QuakeTelegram

    claimed = QuakeTelegram.objects.filter(pk=telegram_id, users_mailed_at__isnull=True).update(
        users_mailed_at=timezone.now()
    )
    if not claimed:
        return 0
    record = QuakeTelegram.objects.select_related("hq_alert", "quake").get(pk=telegram_id)
    try:
        return notify.hq_users_mail(record)
    except (smtplib.SMTPException, OSError) as exc:
        QuakeTelegram.objects.filter(pk=telegram_id).update(users_mailed_at=None)
        logger.warning("quake: HQ staff e-mail not sent (%s); retrying", exc)
        raise self.retry(exc=exc, countdown=30) from None
