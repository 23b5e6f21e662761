"""The outbox: Delivery rows written with the alert, claimed, recorded, requeued, reclaimed.

Guarantees: a row is claimed by exactly one worker (``SELECT ... FOR UPDATE SKIP LOCKED``
then status ``sending``), marked ``sent`` as soon as the server's acceptance is read (e-mail:
the accepted messages of one round in one write, before the next round starts), and a row whose
worker died is put back by the sweeper once its claim is older than the claim timeout. Due
times live in the database; the broker only ever carries ids of rows that are due now. Nothing
here talks to the broker: ``alerts.tasks`` publishes the ids these functions return.
"""

from __future__ import annotations

import logging
import random
from collections import defaultdict
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from common.bulk import insert_rows

from . import conf
from .models import Alert, AlertTarget, Channel, Delivery, DeliveryStatus

logger = logging.getLogger(__name__)

IdsByChannel = dict[str, list[int]]


def rows_for(
    alert: Alert, target: AlertTarget, *, hold_later_steps: bool, resend_round: int = 0
) -> list[dict]:
    """One outbox row per contact x channel of the target's frozen tree, plus one per webhook.

    Contacts of later escalation steps are held (released by escalation) when
    ``hold_later_steps``; webhooks are machines and get every alert at once. Rows are column
    values (``write`` inserts them): an alert to the market has thousands.
    """
    rows = []
    common = {"alert_id": alert.pk, "target_id": target.pk, "resend_round": resend_round}
    for c in target.tree.contacts:
        held = hold_later_steps and c.step > 1
        status = DeliveryStatus.HELD if held else DeliveryStatus.QUEUED
        for channel, address in ((Channel.EMAIL, c.email), (Channel.SMS, c.sms)):
            if address:
                rows.append(
                    {
                        **common,
                        "step": c.step,
                        "channel": channel,
                        "contact_key": c.id,
                        "recipient": c.name,
                        "address": address,
                        "language": c.language,
                        "status": status,
                    }
                )
    for h in target.tree.webhooks:
        rows.append(
            {
                **common,
                "step": 1,
                "channel": Channel.WEBHOOK,
                "webhook_key": h.id,
                "recipient": target.organization.code,
                "address": h.url,
                "status": DeliveryStatus.QUEUED,
            }
        )
    return rows


def write(rows: list[dict], *, now: datetime) -> IdsByChannel:
    """Insert the rows of one alert and round (queued ones due now); the queued ids to publish."""
    if not rows:
        return {}
    for row in rows:
        row["created_at"] = now
        if row["status"] == DeliveryStatus.QUEUED:
            row["due_at"] = row["enqueued_at"] = now
    insert_rows(Delivery, rows)
    # Every queued row of this alert and round is one of these: a round is written once, in
    # this transaction, and escalation releases rows only after it has committed.
    written = Delivery.objects.filter(
        alert_id=rows[0]["alert_id"],
        resend_round=rows[0]["resend_round"],
        status=DeliveryStatus.QUEUED,
    ).values_list("pk", "channel")
    ids: IdsByChannel = defaultdict(list)
    for pk, channel in written.order_by("pk"):
        ids[channel].append(pk)
    return dict(ids)


def hold_cancel(targets) -> int:
    """The held steps of these targets are not needed any more (answered, or all alerted)."""
    return Delivery.objects.filter(target__in=targets, status=DeliveryStatus.HELD).update(
        status=DeliveryStatus.CANCELLED
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
        # Neither is read when sending; for an alert to the market each is a large JSON value.
        .defer("target__snapshot", "alert__targeting")
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


def reclaim_stale(now: datetime) -> int:
    """Put back the rows whose worker died before it confirmed the send."""
    return Delivery.objects.filter(
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


def take_due(now: datetime) -> IdsByChannel:
    """Due rows not in flight (never enqueued, or enqueued too long ago), marked enqueued now."""
    stale = now - timedelta(seconds=conf.get("ALERT_REQUEUE_AFTER_SECONDS"))
    with transaction.atomic():
        rows = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(status=DeliveryStatus.QUEUED, due_at__lte=now)
            .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=stale))
            .order_by("due_at", "pk")
            .values_list("pk", "channel")[: conf.get("ALERT_SWEEP_LIMIT")]
        )
        if rows:
            Delivery.objects.filter(pk__in=[pk for pk, _ in rows]).update(enqueued_at=now)
    ids: IdsByChannel = defaultdict(list)
    for pk, channel in rows:
        ids[channel].append(pk)
    return dict(ids)


def mark_unpublished(ids: list[int]) -> None:
    """The broker did not take these: let the next sweep pick them up at once."""
    Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.QUEUED).update(enqueued_at=None)
