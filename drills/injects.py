"""Timed injects: scenario updates sent to every participant at their offset from the start.

Each inject is claimed with a compare-and-set on ``sent_at`` and sent in the same
transaction, so the beat task, a start and a second worker never send one twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from alerts.models import AlertSource
from alerts.services import alert_send
from bulletin.models import Audience, Category
from bulletin.services import circular_publish
from common.links import absolute_reverse

from .models import Drill, DrillInject, DrillState, InjectKind


def _send(*, actor, drill: Drill, inject: DrillInject, organizations) -> None:
    number = list(drill.injects.order_by("offset_minutes", "id")).index(inject) + 1
    title_en = inject.title_en or inject.title_ja
    if inject.kind == InjectKind.CIRCULAR:
        inject.circular = circular_publish(
            actor=actor,
            title_ja=f"共同演習 状況付与{number}: {inject.title_ja}",
            title_en=f"Joint drill inject {number}: {title_en}",
            body_ja=inject.body_ja,
            body_en=inject.body_en,
            category=Category.DRILL,
            audience=Audience.ORGANIZATIONS,
            organizations=[o.code for o in organizations],
            requires_ack=inject.requires_ack,
        )
        inject.save(update_fields=["circular"])
        return
    link = absolute_reverse("alert_inbox")
    inject.alert = alert_send(
        actor=actor,
        subject_ja=f"状況付与{number}: {inject.title_ja}",
        subject_en=f"Drill inject {number}: {title_en}",
        body_ja=f"共同演習「{drill.title_ja}」の状況付与です。\n\n{inject.body_ja}\n\n{link}",
        body_en=(
            f'An inject of the joint drill "{drill.title_en or drill.title_ja}".\n\n'
            f"{inject.body_en or inject.body_ja}\n\n{link}"
        ),
        source=AlertSource("drill_inject", inject.pk, f"状況付与 / Inject {number}: {title_en}"),
        organizations=organizations,
        requires_ack=inject.requires_ack,
        is_drill=True,
        targeting={"drill": drill.pk, "inject": inject.pk},
    )
    inject.save(update_fields=["alert"])


@transaction.atomic
def injects_send_due(*, actor, drill: Drill, now: datetime | None = None) -> int:
    """Send the running drill's injects whose time has come; returns how many were sent."""
    now = now or timezone.now()
    if drill.state != DrillState.RUNNING or drill.started_at is None:
        return 0
    due = [
        i
        for i in drill.injects.filter(sent_at__isnull=True).order_by("offset_minutes", "id")
        if drill.started_at + timedelta(minutes=i.offset_minutes) <= now
    ]
    if not due:
        return 0
    organizations = [
        p.organization
        for p in drill.participants.select_related("organization")
        if p.organization.active
    ]
    sent = 0
    for inject in due:
        if not DrillInject.objects.filter(pk=inject.pk, sent_at__isnull=True).update(sent_at=now):
            continue  # someone else sent it
        inject.sent_at = now
        _send(actor=actor, drill=drill, inject=inject, organizations=organizations)
        sent += 1
    return sent
