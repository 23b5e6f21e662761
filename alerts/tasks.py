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


# Batches the committing process publishes itself: enough to keep every worker busy from the
# first moment. Each publish costs a few milliseconds, so for an alert to the whole market
# (50 batches and more) the rest go in one relay message that a worker publishes: the sender
# (an HQ decision, a quake telegram) is answered without waiting for the whole fan-out.
DIRECT_BATCHES = 4


@shared_task(name="alerts.deliveries_publish", ignore_result=True)
def deliveries_publish(ids_by_channel: dict[str, list[int]]) -> None:
    """Relay: publish the batches the committing process left to a worker."""
    publish(
        {channel: [int(i) for i in ids] for channel, ids in ids_by_channel.items()}, relay=False
    )


def _chunks(ids_by_channel: outbox.IdsByChannel) -> list[tuple[str, list[int]]]:
    chunks = []
    for channel, ids in ids_by_channel.items():
        ordered = sorted(ids)
        size = _batch_size(channel)
        chunks.extend(
            (channel, ordered[start : start + size]) for start in range(0, len(ordered), size)
        )
    return chunks


def _sent(task, payload, ids: list[int]) -> bool:
    """Publish one message; False when the broker is down (the sweeper resends its rows)."""
    try:
        task.apply_async(args=[payload], retry=False)
    except (KombuOperationalError, OSError) as exc:
        logger.warning("broker unavailable, %d deliveries wait for the sweeper: %s", len(ids), exc)
        return False
    return True


def publish(ids_by_channel: outbox.IdsByChannel, *, relay: bool = True) -> None:
    chunks = _chunks(ids_by_channel)
    direct, rest = (chunks[:DIRECT_BATCHES], chunks[DIRECT_BATCHES:]) if relay else (chunks, [])
    unpublished: list[int] = []
    for _channel, chunk in direct:
        # Once the broker refused, the rest is not tried: it waits for the sweeper too.
        if unpublished or not _sent(deliveries_send, chunk, chunk):
            unpublished.extend(chunk)
    if rest:
        left: dict[str, list[int]] = {}
        for channel, chunk in rest:
            left.setdefault(channel, []).extend(chunk)
        ids = [i for chunk in left.values() for i in chunk]
        if unpublished or not _sent(deliveries_publish, left, ids):
            unpublished.extend(ids)
    if unpublished:
        outbox.mark_unpublished(unpublished)
