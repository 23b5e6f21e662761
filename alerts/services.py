"""Every write of the alert fan-out. The entry point for every sender: ``alert_send``.

Senders (circulars, HQ decisions and convening, drills, the earthquake feed, manual alerts)
pass what the alert says, whom it goes to and an ``AlertSource`` naming what it was sent for;
they read progress back through ``alerts.selectors``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.bulk import insert_rows
from common.gc_pause import cycle_collector_paused
from common.text import strip_control_characters
from organizations import permissions
from organizations.models import Organization
from organizations.permissions import Action
from organizations.services import attribute

from . import escalation, outbox, snapshot, sources, tasks, tokens
from .models import (
    AckAnswer,
    Acknowledgement,
    Alert,
    AlertSource,
    AlertTarget,
    Channel,
    DeliveryStatus,
    EscalationPolicy,
)

NOTE_MAX = 500


def _check(*, subject_ja: str, body_ja: str, deadline, organizations: list) -> None:
    errors = {}
    if not (subject_ja or "").strip():
        errors["subject_ja"] = _("Enter a subject in Japanese.")
    if not (body_ja or "").strip():
        errors["body_ja"] = _("Enter a message in Japanese.")
    if deadline is not None and timezone.is_naive(deadline):
        errors["deadline"] = _("The deadline needs a time zone.")
    if not organizations:
        errors["organizations"] = _(
            "This alert has no target: choose at least one active organization."
        )
    if errors:
        raise ValidationError(errors)


# Outside the transaction, so that the commit and the first publishes are covered too.
@cycle_collector_paused()
@transaction.atomic
def alert_send(
    *,
    actor,
    subject_ja: str,
    subject_en: str = "",
    body_ja: str,
    body_en: str = "",
    source: AlertSource | None = None,
    organizations: Iterable[Organization],
    requires_ack: bool = True,
    deadline: datetime | None = None,
    policy: EscalationPolicy | None = None,
    is_drill: bool = False,
    targeting: dict | None = None,
    extra_contacts: Mapping[int, Iterable[snapshot.SnapshotContact]] | None = None,
) -> Alert:
    """Write the alert, the frozen contact trees and the outbox; workers send after commit.

    ``extra_contacts`` ({organization id: contacts}) join an organization's first step for this
    alert only, such as a drill's test-day contact; their ids must not be contact ids (use
    negative ones) so that their answer links name them.

    Subjects are given without the drill mark: ``Alert.subject_for`` adds it to drills.
    Organizations without a reachable contact are kept as unreachable targets so HQ sees
    them. Raises ValidationError when there is nobody to alert or the text is missing.
    """
    permissions.require(actor, Action.RUN_HQ)
    # Control characters would break the e-mails, feeds and pages the text goes to.
    subject_ja, subject_en, body_ja, body_en = (
        strip_control_characters(text or "") for text in (subject_ja, subject_en, body_ja, body_en)
    )
    unique = sorted({o.pk: o for o in organizations if o.active}.values(), key=lambda o: o.code)
    _check(subject_ja=subject_ja, body_ja=body_ja, deadline=deadline, organizations=unique)
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
        targeting=targeting or {"organizations": [o.code for o in unique]},
        created_by=actor,
    )
    if source is not None:
        alert.source_kind = source.kind[:32]
        alert.source_id = str(source.id)[:64]
        alert.source_label = (source.label or "")[:200]
    attribute(alert, actor)
    alert.save()

    trees = snapshot.freeze(
        unique,
        max_steps=escalation.max_steps(policy, requires_ack=requires_ack),
        extra=extra_contacts,
    )
    insert_rows(
        AlertTarget,
        [
            {
                "alert_id": alert.pk,
                "organization_id": org.pk,
                "snapshot": trees[org.pk].to_json(),
                "last_step": trees[org.pk].last_step,
                "current_step": 1,
                "escalate_at": escalation.first_escalation_at(
                    policy, now=now, requires_ack=requires_ack, last_step=trees[org.pk].last_step
                ),
                "unreachable": not trees[org.pk].reachable,
            }
            for org in unique
        ],
    )
    # Only the new ids are read back: the organizations and their trees are at hand, and for
    # an alert to the market the snapshots are hundreds of JSON values to fetch and parse.
    by_pk = {org.pk: org for org in unique}
    targets = []
    for pk, org_id in AlertTarget.objects.filter(alert=alert).values_list("pk", "organization_id"):
        target = AlertTarget(pk=pk, alert=alert, organization=by_pk[org_id])
        target.tree = trees[org_id]
        targets.append(target)
    rows: list[dict] = []
    for target in targets:
        rows.extend(outbox.rows_for(alert, target, hold_later_steps=True))
    tasks.enqueue_on_commit(outbox.write(rows, now=now))
    return alert


@transaction.atomic
def alert_resend(*, actor, alert: Alert) -> int:
    """Send again to every contact of every organization that has not answered yet."""
    permissions.require(actor, Action.RUN_HQ)
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    alert.resend_round += 1
    attribute(alert, actor)
    alert.save(update_fields=["resend_round"])
    pending = list(
        AlertTarget.objects.select_for_update()
        .filter(alert=alert, acknowledged_at__isnull=True, unreachable=False)
        .select_related("organization")
    )
    rows: list[dict] = []
    for target in pending:
        rows.extend(
            outbox.rows_for(alert, target, hold_later_steps=False, resend_round=alert.resend_round)
        )
    ids = outbox.write(rows, now=timezone.now())
    # Everyone has now been alerted: the held escalation steps are not needed any more.
    escalation.escalation_stop(pending)
    tasks.enqueue_on_commit(ids)
    return len(rows)


@transaction.atomic
def _acknowledge(
    *,
    target: AlertTarget,
    answer: str,
    answered_by: str,
    via: str,
    contact_key=0,
    user=None,
    note: str = "",
    notify_source: bool = True,
) -> AlertTarget:
    if answer not in AckAnswer.values:
        raise ValidationError({"answer": _("Choose one of the answers.")})
    if len(note or "") > NOTE_MAX:
        raise ValidationError({"note": _("Use at most %(n)s characters.") % {"n": NOTE_MAX}})
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
        note=strip_control_characters(note or "").strip(),
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
    outbox.hold_cancel([target])
    if notify_source and target.alert.source_kind:
        # What the alert was sent for records the answer too (a circular: acknowledged).
        sources.answered(
            sources.SourceAnswer(
                source_kind=target.alert.source_kind,
                source_id=target.alert.source_id,
                organization_id=target.organization_id,
                answer=answer,
                answered_by=answered_by[:200],
                user=user,
                at=now,
            )
        )
    return target


def alert_acknowledge_by_token(*, token: str, answer: str) -> AlertTarget:
    """An answer from an ack link; raises tokens.TokenInvalid / TokenExpired."""
    claim = tokens.read(token)
    target = AlertTarget.objects.filter(pk=claim.target_id).first()
    contact = target.tree.contact(claim.contact_key) if target else None
    if contact is None:
        raise tokens.TokenInvalid
    return _acknowledge(
        target=target, answer=answer, answered_by=contact.name, via="link", contact_key=contact.id
    )


def alert_acknowledge(
    *, actor, target: AlertTarget, answer: str, note: str = "", via: str = "portal"
) -> AlertTarget:
    """An answer given in the portal or the API by a member of the target organization."""
    if not permissions.can(actor, Action.ACKNOWLEDGE_ALERT, target.organization):
        raise PermissionDenied(_("Only members of this organization can answer for it."))
    name = actor.get_full_name() or actor.get_username()
    return _acknowledge(
        target=target, answer=answer, answered_by=name, via=via, user=actor, note=note
    )


@transaction.atomic
def alert_acknowledge_for_source(
    *, actor, source: AlertSource, organization: Organization, note: str = ""
) -> list[AlertTarget]:
    """The sender recorded the organization's answer on its own page (a circular acknowledged
    in the portal): each alert sent for ``source`` to that organization that has no answer yet
    takes it as "confirmed" — once — and its escalation stops. The sender has checked that
    the actor may answer for the organization."""
    targets = AlertTarget.objects.filter(
        alert__source_kind=source.kind,
        alert__source_id=str(source.id),
        alert__requires_ack=True,
        organization=organization,
        acknowledged_at__isnull=True,
    )
    name = actor.get_full_name() or actor.get_username()
    return [
        _acknowledge(
            target=target,
            answer=AckAnswer.CONFIRMED,
            answered_by=name,
            via="portal",
            user=actor,
            note=note,
            notify_source=False,
        )
        for target in targets
    ]


@transaction.atomic
def alert_close(*, actor, alert: Alert) -> int:
    """The sender is done with this alert (a drill closed): no further escalation step, held
    deliveries cancelled, and answers from now on are marked late (the deadline moves up to
    now). Answers are still recorded. Returns how many deliveries were cancelled."""
    permissions.require(actor, Action.RUN_HQ)
    now = timezone.now()
    pending = list(AlertTarget.objects.select_for_update().filter(alert=alert))
    cancelled = outbox.hold_cancel(pending)
    AlertTarget.objects.filter(alert=alert).update(escalate_at=None)
    Alert.objects.filter(pk=alert.pk).exclude(deadline__lte=now).update(deadline=now)
    return cancelled


@dataclass(frozen=True)
class AddressedMessage:
    """One message of its own to one address (``alert_send_messages``).

    ``key`` is the sender's key of the addressee (unique within the alert), ``headers`` extra
    e-mail headers such as List-Unsubscribe. ``fill`` ({placeholder: value}) is what is
    personal: each placeholder in the body and headers is replaced by its value (plain
    ASCII, such as a link's token) when the message is sent, so that thousands of messages
    with the same text are serialized once, not once each.
    """

    key: int
    address: str
    language: str
    subject: str
    body: str
    headers: Mapping[str, str] = field(default_factory=dict)
    recipient: str = ""
    fill: Mapping[str, str] = field(default_factory=dict)


def alert_send_messages(
    *,
    created_by,
    subject_ja: str,
    subject_en: str = "",
    source: AlertSource,
    messages: Iterable[AddressedMessage],
) -> Alert | None:
    """Write one alert and one e-mail outbox row per message, each sent as it is.

    For senders that address individuals rather than organizations (investors' digests):
    no contact tree, no acknowledgement, no escalation; the rows are claimed, sent, retried
    and swept like every other delivery. Runs in the caller's transaction (the rows are
    published once it commits). None when there is nothing to send.
    """
    messages = list(messages)
    if not messages:
        return None
    now = timezone.now()
    alert = Alert.objects.create(
        subject_ja=strip_control_characters(subject_ja)[:200],
        subject_en=strip_control_characters(subject_en or "")[:200],
        body_ja="-",
        requires_ack=False,
        to_addresses=True,
        targeting={"messages": len(messages)},
        source_kind=source.kind[:32],
        source_id=str(source.id)[:64],
        source_label=(source.label or "")[:200],
        created_by=created_by,
    )
    rows = [
        {
            "alert_id": alert.pk,
            "target_id": None,
            "step": 1,
            "resend_round": 0,
            "channel": Channel.EMAIL,
            "contact_key": m.key,
            "recipient": m.recipient[:200],
            "address": m.address[:500],
            "language": m.language,
            "status": DeliveryStatus.QUEUED,
            "message": {
                "subject": strip_control_characters(m.subject),
                "body": m.body,
                "headers": dict(m.headers),
                **({"fill": dict(m.fill)} if m.fill else {}),
            },
        }
        for m in messages
    ]
    tasks.enqueue_on_commit(outbox.write(rows, now=now))
    return alert
