"""Escalation along the frozen contact tree: the next step when a step goes unanswered.

Each target waits ``step_wait`` at a step; the sweeper (``alerts.tasks``) calls
``escalations_run`` and publishes the deliveries it releases. An answer, or HQ resending to
everyone, ends a target's escalation.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from . import conf, outbox
from .models import AlertTarget, Delivery, DeliveryStatus, EscalationPolicy

# Without a policy every order of contacts becomes a step of its own.
UNLIMITED_STEPS = 20


def max_steps(policy: EscalationPolicy | None, *, requires_ack: bool) -> int:
    """Steps an alert may take: one when nobody is asked to answer (everyone at once)."""
    if not requires_ack:
        return 1
    return policy.max_steps if policy else UNLIMITED_STEPS


def step_wait(policy: EscalationPolicy | None, step: int) -> timedelta:
    minutes = policy.minutes_for(step) if policy else conf.get("ALERT_DEFAULT_STEP_MINUTES")
    return timedelta(minutes=minutes)


def first_escalation_at(
    policy: EscalationPolicy | None, *, now: datetime, requires_ack: bool, last_step: int
) -> datetime | None:
    if not requires_ack or last_step <= 1:
        return None
    return now + step_wait(policy, 1)


def targets_due(now: datetime):
    return AlertTarget.objects.filter(
        alert__requires_ack=True,
        acknowledged_at__isnull=True,
        escalate_at__lte=now,
        current_step__lt=F("last_step"),
    )


def escalation_stop(targets) -> None:
    """No more steps for these targets: held deliveries cancelled, no escalation time."""
    outbox.hold_cancel(targets)
    AlertTarget.objects.filter(pk__in=[t.pk for t in targets]).update(escalate_at=None)


def escalations_run(*, now: datetime | None = None) -> outbox.IdsByChannel:
    """Release the next step of every target whose step ran out without an answer.

    Returns the released delivery ids by channel, committed and ready to publish.
    """
    now = now or timezone.now()
    released: outbox.IdsByChannel = {}
    with transaction.atomic():
        due = list(
            targets_due(now)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("alert", "alert__policy")[: conf.get("ALERT_SWEEP_LIMIT")]
        )
        for target in due:
            target.current_step += 1
            target.escalate_at = (
                now + step_wait(target.alert.policy, target.current_step)
                if target.current_step < target.last_step
                else None
            )
            target.save(update_fields=["current_step", "escalate_at"])
            rows = Delivery.objects.filter(
                target=target, step=target.current_step, status=DeliveryStatus.HELD
            )
            for pk, channel in rows.values_list("pk", "channel"):
                released.setdefault(channel, []).append(pk)
            # Never due later than the real clock, even when ``now`` is given ahead of it.
            due_at = min(now, timezone.now())
            rows.update(status=DeliveryStatus.QUEUED, due_at=due_at, enqueued_at=due_at)
    return released
