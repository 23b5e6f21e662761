"""The outbox machinery: enqueue on commit, claim, record outcomes, back off, sweep.

Guarantees: a row is claimed by exactly one worker (``SELECT ... FOR UPDATE SKIP LOCKED``
then status ``sending``), marked ``sent`` as soon as the server's acceptance is read (e-mail:
the accepted messages of one round in one write, before the next round starts), and a row whose
worker died is put back by the sweeper once its claim is older than the claim timeout. Due
times live in the database; the broker only ever carries ids of rows that are due now.
"""

from __future__ import annotations

import logging
import random
from collections import defaultdict
from collections.abc import Iterable
from contextlib import contextmanager
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from ..models import AlertTarget, Delivery, DeliveryStatus
from . import conf

logger = logging.getLogger(__name__)


def _chunks(ids: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _batch_size(channel: str) -> int:
    if channel == "webhook":
        return max(1, conf.get("ALERT_WEBHOOK_BATCH_SIZE"))
    return max(1, conf.get("ALERT_BATCH_SIZE"))


def enqueue_on_commit(ids_by_channel: dict[str, list[int]]) -> None:
    """Publish batches of ids once the rows are committed; a broker outage only delays them."""
    if not any(ids_by_channel.values()):
        return
    transaction.on_commit(lambda: publish(ids_by_channel))


def publish(ids_by_channel: dict[str, list[int]]) -> None:
    from .tasks import deliveries_send

    unpublished: list[int] = []
    for channel, ids in ids_by_channel.items():
        for chunk in _chunks(sorted(ids), _batch_size(channel)):
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
        # Let the next sweep pick them up at once instead of after the requeue delay.
        Delivery.objects.filter(pk__in=unpublished, status=DeliveryStatus.QUEUED).update(
            enqueued_at=None
        )


def backoff_seconds(attempts: int, retry_after: float | None = None) -> float:
    """Exponential backoff with jitter and a cap; a server's Retry-After is a floor."""
    base = conf.get("ALERT_BACKOFF_BASE_SECONDS")
    cap = conf.get("ALERT_BACKOFF_CAP_SECONDS")
    ceiling = min(cap, base * (2 ** max(0, attempts - 1)))
    delay = random.uniform(ceiling / 2, ceiling)
    if retry_after is not None:
        delay = max(delay, min(retry_after, 3600.0))
    return delay


def claim(ids: list[int], worker: str) -> list[Delivery]:
    now = timezone.now()
    with transaction.atomic():
        mine = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(pk__in=ids, status=DeliveryStatus.QUEUED, due_at__lte=now)
            .values_list("pk", flat=True)
        )
        if not mine:
            return []
        Delivery.objects.filter(pk__in=mine).update(
            status=DeliveryStatus.SENDING,
            claimed_at=now,
            claimed_by=worker[:120],
            attempts=F("attempts") + 1,
        )
    return list(
        Delivery.objects.filter(pk__in=mine, claimed_at=now, status=DeliveryStatus.SENDING)
        .select_related("alert", "target", "target__organization")
        .defer("target__snapshot")
        .order_by("pk")
    )


def record(delivery: Delivery, outcome) -> None:
    """Write what happened to one claimed delivery (only while the claim is still ours)."""
    now = timezone.now()
    mine = Delivery.objects.filter(
        pk=delivery.pk, status=DeliveryStatus.SENDING, claimed_at=delivery.claimed_at
    )
    if outcome.sent:
        changes = {"status": DeliveryStatus.SENT, "sent_at": now, "last_error": ""}
    elif outcome.retry and delivery.attempts < conf.get("ALERT_MAX_ATTEMPTS"):
        delay = backoff_seconds(delivery.attempts, outcome.retry_after)
        changes = {
            "status": DeliveryStatus.QUEUED,
            "due_at": now + timedelta(seconds=delay),
            "enqueued_at": None,
            "claimed_at": None,
            "last_error": outcome.reason,
        }
    else:
        reason = outcome.reason
        if outcome.retry:
            reason = f"{reason} (gave up after {delivery.attempts} attempts)"
        changes = {"status": DeliveryStatus.FAILED, "last_error": reason[:500]}
    if not mine.update(**changes):
        logger.warning("delivery %s was reclaimed while it was being sent", delivery.pk)


def record_sent(deliveries: list[Delivery]) -> None:
    """Mark a group of claimed deliveries sent in one write (only the claims still ours)."""
    if not deliveries:
        return
    now = timezone.now()
    by_claim: dict = defaultdict(list)
    for d in deliveries:
        by_claim[d.claimed_at].append(d.pk)
    for claimed_at, pks in by_claim.items():
        marked = Delivery.objects.filter(
            pk__in=pks, status=DeliveryStatus.SENDING, claimed_at=claimed_at
        ).update(status=DeliveryStatus.SENT, sent_at=now, last_error="")
        if marked != len(pks):
            logger.warning(
                "%d of deliveries %s were reclaimed while they were being sent",
                len(pks) - marked,
                pks,
            )


class _Reporter:
    """What the senders call: ``report(d, outcome)`` for one, ``report.sent(group)``."""

    def __call__(self, delivery: Delivery, outcome) -> None:
        record(delivery, outcome)

    @staticmethod
    def sent(deliveries: list[Delivery]) -> None:
        record_sent(deliveries)


@contextmanager
def _asynchronous_commit():
    """Don't wait for the WAL flush on each "sent" mark: it is what makes a batch slow.

    The marks are visible to every other session at once, so a killed worker loses nothing;
    only a crash of PostgreSQL itself could forget the last few marks (and resend those).
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO DEFAULT")


def deliveries_process(ids: list[int], *, worker: str) -> int:
    """Claim what is still due among ``ids`` and send it; returns how many were claimed."""
    from .channels import SENDERS

    claimed = claim(ids, worker)
    by_channel: dict[str, list[Delivery]] = defaultdict(list)
    for d in claimed:
        by_channel[d.channel].append(d)
    with _asynchronous_commit():
        for channel, rows in by_channel.items():
            SENDERS[channel](rows, _Reporter())
    return len(claimed)


def sweep(now=None) -> dict[str, int]:
    """Put back dead workers' claims, escalate, and enqueue every due row not in flight."""
    from .services import escalations_run

    now = now or timezone.now()
    reclaimed = Delivery.objects.filter(
        status=DeliveryStatus.SENDING,
        claimed_at__lt=now - timedelta(seconds=conf.get("ALERT_CLAIM_TIMEOUT_SECONDS")),
    ).update(
        status=DeliveryStatus.QUEUED,
        due_at=F("claimed_at"),
        enqueued_at=None,
        claimed_at=None,
        claimed_by="",
        last_error="worker lost before confirming the send",
    )
    escalated = escalations_run(now=now)
    stale = now - timedelta(seconds=conf.get("ALERT_REQUEUE_AFTER_SECONDS"))
    with transaction.atomic():
        rows = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(status=DeliveryStatus.QUEUED, due_at__lte=now)
            .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=stale))
            .order_by("due_at", "pk")
            .values_list("pk", "channel")[: conf.get("ALERT_SWEEP_LIMIT")]
        )
        ids_by_channel: dict[str, list[int]] = defaultdict(list)
        for pk, channel in rows:
            ids_by_channel[channel].append(pk)
        if rows:
            Delivery.objects.filter(pk__in=[pk for pk, _ in rows]).update(enqueued_at=now)
            enqueue_on_commit(dict(ids_by_channel))
    return {"reclaimed": reclaimed, "escalated": escalated, "enqueued": len(rows)}


def targets_due_for_escalation(now):
    return AlertTarget.objects.filter(
        alert__requires_ack=True,
        acknowledged_at__isnull=True,
        escalate_at__lte=now,
        current_step__lt=F("last_step"),
    )
