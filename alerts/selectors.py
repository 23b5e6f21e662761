"""Reads of the fan-out: HQ pages, the members' inbox, the alert API and the senders' progress."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from organizations import permissions
from organizations.permissions import Action

from .models import Alert, AlertTarget, Delivery, DeliveryStatus

ACTIVE = (DeliveryStatus.QUEUED, DeliveryStatus.SENDING)


def alert_ack_counts(*, alerts: Iterable[Alert | int] | QuerySet) -> dict[str, int]:
    """{"acknowledged": n, "pending": m}: organizations asked to answer these alerts."""
    if isinstance(alerts, QuerySet):
        ids = alerts.values("pk")
    else:
        ids = [getattr(a, "pk", a) for a in alerts]
    row = AlertTarget.objects.filter(alert__in=ids, alert__requires_ack=True).aggregate(
        acknowledged=Count("pk", filter=Q(acknowledged_at__isnull=False)),
        pending=Count("pk", filter=Q(acknowledged_at__isnull=True)),
    )
    return {"acknowledged": row["acknowledged"] or 0, "pending": row["pending"] or 0}


def alerts_of_source(*, kind: str, ids) -> QuerySet[Alert]:
    """The alerts a sender sent for these of its objects (``AlertSource`` kind and ids)."""
    return Alert.objects.filter(source_kind=kind, source_id__in=[str(i) for i in ids])


def alerts_for_hq(*, user) -> QuerySet[Alert]:
    permissions.require(user, Action.RUN_HQ)
    return (
        Alert.objects.filter(to_addresses=False)
        .select_related("created_by")
        .annotate(
            target_count=Count("targets", distinct=True),
            acked_count=Count(
                "targets", filter=Q(targets__acknowledged_at__isnull=False), distinct=True
            ),
            unreachable_count=Count("targets", filter=Q(targets__unreachable=True), distinct=True),
        )
    )


def alert_for_hq(*, user, alert_id: int) -> Alert:
    permissions.require(user, Action.RUN_HQ)
    return get_object_or_404(
        Alert.objects.filter(to_addresses=False).select_related("policy", "created_by"), pk=alert_id
    )


def alert_progress(*, user, alert: Alert) -> tuple[list[dict], dict[str, int]]:
    """Rows per organization with counts per status, non-responders first; and the totals."""
    permissions.require(user, Action.RUN_HQ)
    counts: dict[int, dict[str, int]] = {}
    per_status = (
        Delivery.objects.filter(alert=alert).values("target_id", "status").annotate(n=Count("pk"))
    )
    for row in per_status:
        counts.setdefault(row["target_id"], {})[row["status"]] = row["n"]
    rows = []
    totals = {
        "organizations": 0,
        "acknowledged": 0,
        "late": 0,
        "unreachable": 0,
        "queued": 0,
        "sent": 0,
        "failed": 0,
        "held": 0,
    }
    targets = alert.targets.select_related("organization").defer("snapshot")
    for t in targets:
        c = counts.get(t.pk, {})
        row = {
            "target": t,
            "organization": t.organization,
            "queued": sum(c.get(s, 0) for s in ACTIVE),
            "sent": c.get(DeliveryStatus.SENT, 0),
            "failed": c.get(DeliveryStatus.FAILED, 0),
            "held": c.get(DeliveryStatus.HELD, 0),
        }
        row["total"] = row["queued"] + row["sent"] + row["failed"]
        row["sent_pct"] = round(100 * row["sent"] / row["total"]) if row["total"] else 0
        row["failed_pct"] = round(100 * row["failed"] / row["total"]) if row["total"] else 0
        rows.append(row)
        totals["organizations"] += 1
        totals["acknowledged"] += t.acknowledged_at is not None
        totals["late"] += t.late
        totals["unreachable"] += t.unreachable
        for key in ("queued", "sent", "failed", "held"):
            totals[key] += row[key]
    rows.sort(
        key=lambda r: (
            r["target"].acknowledged_at is not None,
            not r["target"].unreachable,
            -r["failed"],
            r["organization"].code,
        )
    )
    total = totals["queued"] + totals["sent"] + totals["failed"]
    totals["deliveries"] = total
    totals["sent_pct"] = round(100 * totals["sent"] / total) if total else 0
    totals["ack_pct"] = (
        round(100 * totals["acknowledged"] / totals["organizations"])
        if totals["organizations"]
        else 0
    )
    return rows, totals


def alert_target_for_hq(*, user, alert: Alert, code: str) -> AlertTarget:
    permissions.require(user, Action.RUN_HQ)
    return get_object_or_404(
        AlertTarget.objects.select_related("organization"),
        alert=alert,
        organization__code=code.upper(),
    )


def alert_deliveries(*, user, alert: Alert, target: AlertTarget | None = None) -> QuerySet:
    permissions.require(user, Action.RUN_HQ)
    qs = Delivery.objects.filter(alert=alert).select_related("target__organization")
    if target is not None:
        qs = qs.filter(target=target)
    return qs.defer("target__snapshot").order_by(
        "target__organization__code", "step", "recipient", "channel", "resend_round", "pk"
    )


def alert_targets_for_member(*, user, limit: int = 50) -> QuerySet[AlertTarget]:
    """Recent alerts sent to the user's own organizations (the members' inbox)."""
    if not permissions.is_member(user):
        raise Http404
    org_ids = permissions.member_organization_ids(user)
    return (
        AlertTarget.objects.filter(organization_id__in=org_ids)
        .select_related("alert", "organization")
        .defer("snapshot")
        .order_by("-alert__created_at", "organization__code")[:limit]
    )


def alert_target_for_member(*, user, target_id: int) -> AlertTarget:
    target = get_object_or_404(
        AlertTarget.objects.select_related("alert", "organization"), pk=target_id
    )
    permissions.require(user, Action.ACKNOWLEDGE_ALERT, target.organization)
    return target


# --- the alert API: what each user may see ---------------------------------------------

TARGET_STATES = ["queued", "sent", "failed", "unreachable", "acknowledged"]


def _sees_every_alert(user) -> bool:
    return permissions.can(user, Action.RUN_HQ) or permissions.can(user, Action.VIEW_SITUATION)


def alerts_visible(*, user) -> QuerySet[Alert]:
    """HQ staff and regulators: every alert; members: alerts sent to their organizations."""
    qs = Alert.objects.filter(to_addresses=False).order_by("-created_at", "-id")
    if _sees_every_alert(user):
        return qs
    org_ids = permissions.member_organization_ids(user)
    if not org_ids:
        return qs.none()
    return qs.filter(
        pk__in=AlertTarget.objects.filter(organization_id__in=org_ids).values("alert_id")
    )


def _state(target: AlertTarget) -> str:
    if target.acknowledged_at is not None:
        return "acknowledged"
    if target.unreachable:
        return "unreachable"
    if target.sent_count:
        return "sent"
    if target.active_count == 0 and target.failed_count:
        return "failed"
    return "queued"


def with_visible_targets(alerts, *, user) -> list[Alert]:
    """The alerts with ``visible_targets``: every target for HQ and regulators, else the
    user's own organizations' rows only; each with its ``state``. One query for all."""
    alerts = list(alerts)
    targets = (
        AlertTarget.objects.filter(alert__in=[a.pk for a in alerts])
        .select_related("organization")
        .defer("snapshot")
        .annotate(
            sent_count=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.SENT)),
            failed_count=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
            active_count=Count("deliveries", filter=Q(deliveries__status__in=ACTIVE)),
        )
        .order_by("organization__code")
    )
    if not _sees_every_alert(user):
        targets = targets.filter(organization_id__in=permissions.member_organization_ids(user))
    by_alert: dict[int, list[AlertTarget]] = {a.pk: [] for a in alerts}
    for t in targets:
        t.state = _state(t)
        by_alert[t.alert_id].append(t)
    for a in alerts:
        a.visible_targets = by_alert[a.pk]
    return alerts


def alert_get_visible(*, user, alert_id: int) -> Alert:
    alert = alerts_visible(user=user).filter(pk=alert_id).first()
    if alert is None:
        raise Http404
    return with_visible_targets([alert], user=user)[0]


def alert_target_to_answer(
    *, user, alert_id: int, organization_code: str | None = None
) -> AlertTarget | None:
    """The target the user answers for: Http404 when there is no such alert, None when the
    user may answer for none of its organizations."""
    alert = Alert.objects.filter(pk=alert_id).first()
    if alert is None:
        raise Http404
    targets = [
        t
        for t in alert.targets.select_related("organization").defer("snapshot")
        if permissions.can(user, Action.ACKNOWLEDGE_ALERT, t.organization)
    ]
    if organization_code:
        targets = [t for t in targets if t.organization.code == organization_code.strip().upper()]
    if len(targets) > 1:
        raise ValidationError(
            {"organization": _("Say which of your organizations answers (its code).")}
        )
    return targets[0] if targets else None
