"""Every write of the alert fan-out. Stable entry point for other apps: ``alert_send``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations import permissions
from organizations.models import Contact, Organization, WebhookEndpoint
from organizations.permissions import Action
from organizations.services import attribute

from ..models import (
    AckAnswer,
    Acknowledgement,
    Alert,
    AlertTarget,
    Channel,
    Delivery,
    DeliveryStatus,
    EscalationPolicy,
)
from . import conf, dispatch, tokens

UNLIMITED_STEPS = 20


def _steps_of(contacts: list[dict], *, max_steps: int) -> None:
    """Give each contact its escalation step, in place.

    A contact is reached no earlier than its parent (its effective order is the larger of its
    own and its parent's); each distinct effective order is one step, and orders beyond the
    policy's last step join the last step rather than never being called.
    """
    by_id = {c["id"]: c for c in contacts}
    effective: dict[int, int] = {}

    def rank(c, seen=()):
        if c["id"] in effective:
            return effective[c["id"]]
        parent = by_id.get(c["parent"])
        value = c["order"]
        if parent is not None and parent["id"] not in seen:
            value = max(value, rank(parent, (*seen, c["id"])))
        effective[c["id"]] = value
        return value

    tiers = sorted({rank(c) for c in contacts})
    step_of = {tier: min(i + 1, max_steps) for i, tier in enumerate(tiers)}
    for c in contacts:
        c["step"] = step_of[effective[c["id"]]]


def _snapshot(organizations: list[Organization]) -> dict[int, dict]:
    snaps: dict[int, dict] = {o.pk: {"contacts": [], "webhooks": []} for o in organizations}
    contacts = (
        Contact.objects.filter(organization__in=organizations, active=True)
        .order_by("organization_id", "order", "name", "pk")
        .values(
            "pk", "organization_id", "name", "email", "sms_number", "language", "order", "parent_id"
        )
    )
    for c in contacts:
        if not (c["email"] or c["sms_number"]):
            continue
        snaps[c["organization_id"]]["contacts"].append(
            {
                "id": c["pk"],
                "name": c["name"],
                "email": c["email"],
                "sms": c["sms_number"],
                "language": c["language"] or "ja",
                "order": c["order"],
                "parent": c["parent_id"],
            }
        )
    hooks = WebhookEndpoint.objects.filter(organization__in=organizations, active=True).values(
        "pk", "organization_id", "url", "secret"
    )
    for h in hooks.order_by("pk"):
        snaps[h["organization_id"]]["webhooks"].append(
            {"id": h["pk"], "url": h["url"], "secret": h["secret"]}
        )
    return snaps


def _deliveries_for(
    alert: Alert, target: AlertTarget, *, steps: Iterable[int] | None, status_of, resend_round=0
) -> list[Delivery]:
    rows = []
    snap = target.snapshot
    for c in snap["contacts"]:
        if steps is not None and c["step"] not in steps:
            continue
        status = status_of(c["step"])
        for channel, address in ((Channel.EMAIL, c["email"]), (Channel.SMS, c["sms"])):
            if address:
                rows.append(
                    Delivery(
                        alert=alert,
                        target=target,
                        step=c["step"],
                        resend_round=resend_round,
                        channel=channel,
                        contact_key=c["id"],
                        recipient=c["name"],
                        address=address,
                        language=c["language"],
                        status=status,
                    )
                )
    if steps is None or 1 in steps:
        for h in snap["webhooks"]:
            rows.append(
                Delivery(
                    alert=alert,
                    target=target,
                    step=1,
                    resend_round=resend_round,
                    channel=Channel.WEBHOOK,
                    webhook_key=h["id"],
                    recipient=target.organization.code,
                    address=h["url"],
                    status=DeliveryStatus.QUEUED,
                )
            )
    return rows


def _queue_now(rows: list[Delivery], now: datetime) -> dict[str, list[int]]:
    """Mark queued rows due now and collect their ids for publishing on commit."""
    ids: dict[str, list[int]] = defaultdict(list)
    for d in rows:
        if d.status == DeliveryStatus.QUEUED:
            ids[d.channel].append(d.pk)
    return dict(ids)


@transaction.atomic
def alert_send(
    *,
    actor,
    subject_ja: str,
    subject_en: str = "",
    body_ja: str,
    body_en: str = "",
    source=None,
    organizations: Iterable[Organization],
    requires_ack: bool = True,
    deadline: datetime | None = None,
    policy: EscalationPolicy | None = None,
    is_drill: bool = False,
    targeting: dict | None = None,
) -> Alert:
    """Write the alert, the frozen contact trees and the outbox; workers send after commit.

    ``source`` is any model instance (circular, decision, incident) or None for a manual
    alert. Organizations without a reachable contact are kept as unreachable targets so HQ
    sees them. Raises ValidationError when there is nobody to alert or the text is missing.
    """
    permissions.require(actor, Action.RUN_HQ)
    errors = {}
    if not (subject_ja or "").strip():
        errors["subject_ja"] = _("Enter a subject in Japanese.")
    if not (body_ja or "").strip():
        errors["body_ja"] = _("Enter a message in Japanese.")
    if deadline is not None and timezone.is_naive(deadline):
        errors["deadline"] = _("The deadline needs a time zone.")
    unique = {o.pk: o for o in organizations if o.active}
    if not unique:
        errors["organizations"] = _(
            "This alert has no target: choose at least one active organization."
        )
    if errors:
        raise ValidationError(errors)
    targets_orgs = sorted(unique.values(), key=lambda o: o.code)

    now = timezone.now()
    alert = Alert(
        subject_ja=subject_ja.strip(),
        subject_en=(subject_en or "").strip(),
        body_ja=body_ja,
        body_en=body_en or "",
        requires_ack=requires_ack,
        deadline=deadline,
        policy=policy,
        is_drill=is_drill,
        targeting=targeting or {"organizations": [o.code for o in targets_orgs]},
        created_by=actor,
    )
    if source is not None:
        alert.source_type = ContentType.objects.get_for_model(source)
        alert.source_id = str(source.pk)
    attribute(alert, actor)
    alert.save()

    max_steps = (policy.max_steps if policy else UNLIMITED_STEPS) if requires_ack else 1
    snaps = _snapshot(targets_orgs)
    targets = []
    for org in targets_orgs:
        snap = snaps[org.pk]
        _steps_of(snap["contacts"], max_steps=max_steps)
        last = max((c["step"] for c in snap["contacts"]), default=1)
        targets.append(
            AlertTarget(
                alert=alert,
                organization=org,
                snapshot=snap,
                last_step=last,
                current_step=1,
                escalate_at=(now + _step_wait(policy, 1)) if requires_ack and last > 1 else None,
                unreachable=not (snap["contacts"] or snap["webhooks"]),
            )
        )
    AlertTarget.objects.bulk_create(targets, batch_size=1000)

    rows: list[Delivery] = []
    for target in targets:
        rows.extend(
            _deliveries_for(
                alert,
                target,
                steps=None,
                status_of=lambda step: DeliveryStatus.QUEUED if step == 1 else DeliveryStatus.HELD,
            )
        )
    for d in rows:
        if d.status == DeliveryStatus.QUEUED:
            d.due_at = now
            d.enqueued_at = now
    Delivery.objects.bulk_create(rows, batch_size=2000)
    dispatch.enqueue_on_commit(_queue_now(rows, now))
    return alert


def _step_wait(policy: EscalationPolicy | None, step: int) -> timedelta:
    minutes = policy.minutes_for(step) if policy else conf.get("ALERT_DEFAULT_STEP_MINUTES")
    return timedelta(minutes=minutes)


@transaction.atomic
def alert_resend(*, actor, alert: Alert) -> int:
    """Send again to every contact of every organization that has not answered yet."""
    permissions.require(actor, Action.RUN_HQ)
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    alert.resend_round += 1
    attribute(alert, actor)
    alert.save(update_fields=["resend_round"])
    now = timezone.now()
    pending = list(
        AlertTarget.objects.select_for_update()
        .filter(alert=alert, acknowledged_at__isnull=True, unreachable=False)
        .select_related("organization")
    )
    rows: list[Delivery] = []
    for target in pending:
        rows.extend(
            _deliveries_for(
                alert,
                target,
                steps=None,
                status_of=lambda step: DeliveryStatus.QUEUED,
                resend_round=alert.resend_round,
            )
        )
    for d in rows:
        d.due_at = now
        d.enqueued_at = now
    Delivery.objects.bulk_create(rows, batch_size=2000)
    # Everyone has now been alerted: the held escalation steps are not needed any more.
    Delivery.objects.filter(target__in=pending, status=DeliveryStatus.HELD).update(
        status=DeliveryStatus.CANCELLED
    )
    AlertTarget.objects.filter(pk__in=[t.pk for t in pending]).update(escalate_at=None)
    dispatch.enqueue_on_commit(_queue_now(rows, now))
    return len(rows)


@transaction.atomic
def _acknowledge(
    *, target: AlertTarget, answer: str, answered_by: str, via: str, contact_key=0, user=None
) -> AlertTarget:
    if answer not in AckAnswer.values:
        raise ValidationError(_("Choose one of the answers."))
    target = AlertTarget.objects.select_for_update().select_related("alert").get(pk=target.pk)
    if not target.alert.requires_ack:
        raise ValidationError(_("This alert does not ask for an answer."))
    now = timezone.now()
    late = bool(target.alert.deadline and now > target.alert.deadline)
    Acknowledgement.objects.create(
        target=target,
        answer=answer,
        contact_key=contact_key,
        user=user,
        answered_by=answered_by[:200],
        via=via,
        late=late,
    )
    if target.acknowledged_at is None:
        target.acknowledged_at = now
        target.late = late
    target.answer = answer
    target.answered_at = now
    target.answered_by = answered_by[:200]
    target.escalate_at = None
    target.save()
    Delivery.objects.filter(target=target, status=DeliveryStatus.HELD).update(
        status=DeliveryStatus.CANCELLED
    )
    return target


def alert_acknowledge_by_token(*, token: str, answer: str) -> AlertTarget:
    """An answer from an ack link; raises tokens.TokenInvalid / TokenExpired."""
    claim = tokens.read(token)
    target = AlertTarget.objects.filter(pk=claim.target_id).first()
    contact = target.contact(claim.contact_key) if target else None
    if contact is None:
        raise tokens.TokenInvalid
    return _acknowledge(
        target=target,
        answer=answer,
        answered_by=contact["name"],
        via="link",
        contact_key=contact["id"],
    )


def alert_acknowledge(*, actor, target: AlertTarget, answer: str) -> AlertTarget:
    """An answer given in the portal by a member of the target organization."""
    if not permissions.can(actor, Action.ACKNOWLEDGE_ALERT, target.organization):
        raise PermissionDenied(_("Only members of this organization can answer for it."))
    name = actor.get_full_name() or actor.get_username()
    return _acknowledge(target=target, answer=answer, answered_by=name, via="portal", user=actor)


def escalations_run(*, now=None) -> int:
    """Alert the next step of every organization whose step ran out without an answer."""
    now = now or timezone.now()
    escalated = 0
    with transaction.atomic():
        due = list(
            dispatch.targets_due_for_escalation(now)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("alert", "alert__policy")[: conf.get("ALERT_SWEEP_LIMIT")]
        )
        ids: dict[str, list[int]] = defaultdict(list)
        for target in due:
            target.current_step += 1
            target.escalate_at = (
                now + _step_wait(target.alert.policy, target.current_step)
                if target.current_step < target.last_step
                else None
            )
            target.save(update_fields=["current_step", "escalate_at"])
            released = Delivery.objects.filter(
                target=target, step=target.current_step, status=DeliveryStatus.HELD
            )
            for pk, channel in released.values_list("pk", "channel"):
                ids[channel].append(pk)
            # Never due later than the real clock, even when ``now`` is given ahead of it.
            due = min(now, timezone.now())
            released.update(status=DeliveryStatus.QUEUED, due_at=due, enqueued_at=due)
            escalated += 1
        dispatch.enqueue_on_commit(dict(ids))
    return escalated
