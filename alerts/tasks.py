"""Celery tasks of the fan-out, composing the outbox, escalation and the senders.

Tasks carry ids only and are safe to run twice. Publishing lives here too, because it is
this module's task that the ids are published to; the outbox and escalation only return ids.
"""

from __future__ import annotations

import logging
import os
import socket

from celery import shared_task
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from . import conf, escalation, outbox, sending

logger = logging.getLogger(__name__)


@shared_task(name="alerts.deliveries_send", ignore_result=True)
def deliveries_send(delivery_ids: list[int]) -> int:
    """Send one batch; rows already claimed, sent or not yet due are skipped."""
    worker = f"{deliveries_send.request.hostname or socket.gethostname()}:{os.getpid()}"
    return sending.deliveries_process([int(i) for i in delivery_ids], worker=worker)


@shared_task(name="alerts.deliveries_sweep", ignore_result=True)
def deliveries_sweep() -> dict:
    """Beat: re-enqueue due or stuck deliveries and run escalations (see CELERY_BEAT_SCHEDULE)."""
    return sweep()


def sweep(now=None) -> dict[str, int]:
    """Put back dead workers' claims, escalate, and enqueue every due row not in flight."""
    now = now or timezone.now()
    reclaimed = outbox.reclaim_stale(now)
    released = escalation.escalations_run(now=now)
    enqueue_on_commit(released)
    due = outbox.take_due(now)
    enqueue_on_commit(due)
    return {
        "reclaimed": reclaimed,
        "released": sum(len(ids) for ids in released.values()),
        "enqueued": sum(len(ids) for ids in due.values()),
    }


def _batch_size(channel: str) -> int:
    if channel == "webhook":
        return max(1, conf.get("ALERT_WEBHOOK_BATCH_SIZE"))
    return max(1, conf.get("ALERT_BATCH_SIZE"))


def enqueue_on_commit(ids_by_channel: outbox.IdsByChannel) -> None:
    """Publish batches of ids once the rows are committed; a broker outage only delays them."""
    if any(ids_by_channel.values()):
        transaction.on_commit(lambda: publish(ids_by_channel))


def publish(ids_by_channel: outbox.IdsByChannel) -> None:
    unpublished: list[int] = []
    for channel, ids in ids_by_channel.items():
        ordered = sorted(ids)
        size = _batch_size(channel)
        for start in range(0, len(ordered), size):
            chunk = ordered[start : start + size]
            if unpublished:
                unpublished.extend(chunk)
                continue
            try:
                deliveries_send.apply_async(args=[chunk], retry=False)
            except (KombuOperationalError, OSError) as exc:  # broker down: the sweeper resends
                logger.warning(
                    "broker unavailable, %d deliveries wait for the sweeper: %s", len(ids), exc
                )
                unpublished.extend(chunk)
    if unpublished:
        outbox.mark_unpublished(unpublished)
