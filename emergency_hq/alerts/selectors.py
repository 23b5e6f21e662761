"""Reads of the fan-out; HQ views and the situation API read through here."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from organizations import permissions
from organizations.models import Organization, SegmentParticipation
from organizations.permissions import Action

from ..models import Alert, AlertTarget, Delivery, DeliveryStatus

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


def organizations_for_audience(
    *,
    audience: str,
    kinds: Iterable[str] = (),
    segment: str | None = None,
    organizations: Iterable[Organization] = (),
) -> QuerySet[Organization]:
    """Active organizations for a target choice: all, kinds, a market segment or a list."""
    qs = Organization.objects.filter(active=True)
    match audience:
        case "all":
            return qs
        case "kinds":
            return qs.filter(kind__in=list(kinds))
        case "segment":
            if segment == "all":
                return qs.filter(segments__isnull=False).distinct()
            org_ids = SegmentParticipation.objects.filter(segment=segment).values("organization_id")
            return qs.filter(pk__in=org_ids)
        case "organizations":
            return qs.filter(pk__in=[o.pk for o in organizations])
    return qs.none()


def alerts_for_hq(*, user) -> QuerySet[Alert]:
    permissions.require(user, Action.RUN_HQ)
    return Alert.objects.select_related("created_by").annotate(
        target_count=Count("targets", distinct=True),
        acked_count=Count(
            "targets", filter=Q(targets__acknowledged_at__isnull=False), distinct=True
        ),
        unreachable_count=Count("targets", filter=Q(targets__unreachable=True), distinct=True),
    )


def alert_for_hq(*, user, alert_id: int) -> Alert:
    permissions.require(user, Action.RUN_HQ)
    return get_object_or_404(Alert.objects.select_related("policy", "created_by"), pk=alert_id)


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
