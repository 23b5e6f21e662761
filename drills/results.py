"""A drill's results per participant and for the market, read in a fixed number of queries.

Everything comes from recorded times: when the 【訓練】 alert's deliveries were accepted or
failed, the first answer to it (which contact, which escalation step), the first drill report
(第1報) and the time every function had been reported, and the answers to each inject. Only
what was recorded up to ``cutoff`` counts: at close the figures are frozen in
``Drill.results``, so later answers are kept (as late) without changing them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from django.db.models import Count, Min, OuterRef, Subquery
from django.utils import timezone

from alerts.models import Acknowledgement, AlertTarget, Delivery, DeliveryStatus
from alerts.selectors import alerts_of_source
from bulletin.models import CircularRecipient

from . import metrics
from .models import Drill, DrillInject

PENDING = (DeliveryStatus.QUEUED, DeliveryStatus.SENDING, DeliveryStatus.HELD)


@dataclass
class Row:
    """One participant's scorecard."""

    organization_id: int
    code: str
    name_ja: str
    name_en: str
    kind: str
    first_delivery_at: datetime | None = None
    acknowledged_at: datetime | None = None
    ack_by: str = ""
    ack_step: int | None = None
    ack_via: str = ""
    first_report_at: datetime | None = None
    all_functions_at: datetime | None = None
    functions_reported: int = 0
    functions_total: int = 0
    reached: bool = False
    unreachable: bool = False
    stale_contacts: list[dict] = field(default_factory=list)
    injects_acknowledged: int = 0
    injects_asked: int = 0
    started_at: datetime | None = None
    window_seconds: int = 0

    def seconds(self, moment) -> int | None:
        return metrics.seconds_between(self.started_at, moment)

    # Read once the row is complete, then often: computed once.
    @cached_property
    def time_to_ack_s(self) -> int | None:
        return self.seconds(self.acknowledged_at)

    @cached_property
    def time_to_report_s(self) -> int | None:
        return self.seconds(self.first_report_at)

    @cached_property
    def time_to_all_functions_s(self) -> int | None:
        return self.seconds(self.all_functions_at)

    def _late(self, seconds: int | None) -> bool:
        return seconds is not None and seconds > self.window_seconds

    def as_dict(self) -> dict:
        iso = lambda m: m.isoformat() if m else None  # noqa: E731
        return {
            "code": self.code,
            "name_ja": self.name_ja,
            "name_en": self.name_en,
            "kind": self.kind,
            "first_delivery_at": iso(self.first_delivery_at),
            "acknowledged_at": iso(self.acknowledged_at),
            "acknowledged_by": self.ack_by or None,
            "ack_step": self.ack_step,
            "ack_via": self.ack_via or None,
            "first_report_at": iso(self.first_report_at),
            "all_functions_at": iso(self.all_functions_at),
            "time_to_ack_s": self.time_to_ack_s,
            "time_to_report_s": self.time_to_report_s,
            "time_to_all_functions_s": self.time_to_all_functions_s,
            "ack_late": self._late(self.time_to_ack_s),
            "report_late": self._late(self.time_to_report_s),
            "functions_reported": self.functions_reported,
            "functions_total": self.functions_total,
            "injects_acknowledged": self.injects_acknowledged,
            "injects_asked": self.injects_asked,
            "reachable": self.reached,
            "unreachable": self.unreachable,
            "stale_contacts": self.stale_contacts,
        }


@dataclass
class Results:
    drill: Drill
    cutoff: datetime
    rows: list[Row]
    injects: list[dict]

    def as_dict(self) -> dict:
        drill = self.drill
        total = len(self.rows)
        window = drill.answer_minutes * 60
        acks = [r.time_to_ack_s for r in self.rows]
        reports = [r.time_to_report_s for r in self.rows]
        count = lambda values: sum(1 for v in values if v is not None)  # noqa: E731
        within = lambda values: sum(1 for v in values if v is not None and v <= window)  # noqa: E731
        asked = sum(r.injects_asked for r in self.rows)
        answered_injects = sum(r.injects_acknowledged for r in self.rows)
        return {
            "drill": drill.pk,
            "state": drill.state,
            "started_at": drill.started_at.isoformat() if drill.started_at else None,
            "closed_at": drill.closed_at.isoformat() if drill.closed_at else None,
            "computed_at": self.cutoff.isoformat(),
            "final": drill.is_closed,
            "answer_minutes": drill.answer_minutes,
            "participants": total,
            "reached": sum(1 for r in self.rows if r.reached),
            "unreachable": sum(1 for r in self.rows if r.unreachable),
            "acknowledged": count(acks),
            "reported": count(reports),
            "all_functions_reported": count(r.time_to_all_functions_s for r in self.rows),
            "acknowledged_in_window": within(acks),
            "reported_in_window": within(reports),
            "reach_rate": metrics.rate(sum(1 for r in self.rows if r.reached), total),
            "ack_rate": metrics.rate(count(acks), total),
            "report_rate": metrics.rate(count(reports), total),
            "ack_in_window_rate": metrics.rate(within(acks), total),
            "report_in_window_rate": metrics.rate(within(reports), total),
            "inject_ack_rate": metrics.rate(answered_injects, asked),
            "time_to_ack_s": metrics.spread(acks, total),
            "time_to_report_s": metrics.spread(reports, total),
            "curve": metrics.curve(acks, reports, window_seconds=window),
            "histogram": metrics.histogram(acks),
            "injects": self.injects,
            "organizations": [r.as_dict() for r in self.rows],
        }


def _first_acks(alert_id: int, cutoff: datetime) -> dict[int, tuple]:
    """{target id: (answered_by, step of that contact, via)} of each target's first answer."""
    step = Delivery.objects.filter(
        target_id=OuterRef("target_id"), contact_key=OuterRef("contact_key")
    ).order_by("step")
    first: dict[int, tuple] = {}
    for target_id, by, via, contact_step in (
        Acknowledgement.objects.filter(target__alert_id=alert_id, created_at__lte=cutoff)
        .annotate(contact_step=Subquery(step.values("step")[:1]))
        .order_by("target_id", "created_at", "id")
        .values_list("target_id", "answered_by", "via", "contact_step")
    ):
        first.setdefault(target_id, (by, contact_step, via))
    return first


def _deliveries(alert_id: int) -> tuple[dict[int, dict], dict[int, list[dict]]]:
    """Per target: counts by delivery status and the first acceptance; the failed contacts."""
    outcome: dict[int, dict] = {}
    for row in (
        Delivery.objects.filter(alert_id=alert_id)
        .values("target_id", "status")
        .annotate(n=Count("pk"), first_sent=Min("sent_at"))
    ):
        mine = outcome.setdefault(row["target_id"], {"first_sent": None})
        mine[row["status"]] = row["n"]
        if row["status"] == DeliveryStatus.SENT:
            mine["first_sent"] = row["first_sent"]
    failed: dict[int, list[dict]] = {}
    for target_id, name, channel, address, reason in (
        Delivery.objects.filter(alert_id=alert_id, status=DeliveryStatus.FAILED)
        .order_by("target_id", "recipient", "channel", "pk")
        .values_list("target_id", "recipient", "channel", "address", "last_error")
    ):
        seen = failed.setdefault(target_id, [])
        if not any(s["address"] == address for s in seen):
            seen.append({"name": name, "channel": channel, "address": address, "reason": reason})
    return outcome, failed


def _inject_answers(drill: Drill, cutoff: datetime) -> tuple[list[dict], dict[int, int], int]:
    """Per inject its answers; per organization how many injects it answered; injects asked."""
    injects = list(
        DrillInject.objects.filter(drill=drill, sent_at__isnull=False, sent_at__lte=cutoff)
        .order_by("offset_minutes", "id")
        .values(
            "id",
            "title_ja",
            "title_en",
            "offset_minutes",
            "sent_at",
            "kind",
            "requires_ack",
            "alert_id",
            "circular_id",
        )
    )
    asked = [i for i in injects if i["requires_ack"]]
    alert_of = {i["alert_id"]: i["id"] for i in asked if i["alert_id"]}
    circular_of = {i["circular_id"]: i["id"] for i in asked if i["circular_id"]}
    # A circular inject also goes out as an alert: an answer to either counts.
    for alert_id, source_id in alerts_of_source(kind="circular", ids=list(circular_of)).values_list(
        "pk", "source_id"
    ):
        alert_of[alert_id] = circular_of[int(source_id)]
    answered: set[tuple[int, int]] = set()
    for alert_id, org_id in AlertTarget.objects.filter(
        alert_id__in=list(alert_of), acknowledged_at__lte=cutoff
    ).values_list("alert_id", "organization_id"):
        answered.add((alert_of[alert_id], org_id))
    for circular_id, org_id in CircularRecipient.objects.filter(
        circular_id__in=list(circular_of), acknowledged_at__lte=cutoff
    ).values_list("circular_id", "organization_id"):
        answered.add((circular_of[circular_id], org_id))
    per_org: dict[int, int] = {}
    for _inject, org_id in answered:
        per_org[org_id] = per_org.get(org_id, 0) + 1
    summary = [
        {
            "id": i["id"],
            "title_ja": i["title_ja"],
            "title_en": i["title_en"],
            "kind": i["kind"],
            "offset_minutes": i["offset_minutes"],
            "sent_at": i["sent_at"].isoformat(),
            "requires_ack": i["requires_ack"],
            "acknowledged": sum(1 for inject, _org in answered if inject == i["id"]),
        }
        for i in injects
    ]
    return summary, per_org, len(asked)


def results_compute(*, drill: Drill, cutoff: datetime | None = None) -> Results:
    """The drill's figures as recorded up to ``cutoff`` (now): a fixed number of queries."""
    cutoff = cutoff or timezone.now()
    participants = list(
        drill.participants.order_by("organization__code").values_list(
            "organization_id",
            "organization__code",
            "organization__name_ja",
            "organization__name_en",
            "organization__kind",
            "first_report_at",
            "functions_reported",
            "functions_total",
            "all_functions_at",
        )
    )
    targets: dict[int, tuple] = {}
    first_acks: dict[int, tuple] = {}
    outcome: dict[int, dict] = {}
    failed: dict[int, list[dict]] = {}
    if drill.alert_id:
        targets = {
            org_id: (pk, acked, step, unreachable)
            for pk, org_id, acked, step, unreachable in AlertTarget.objects.filter(
                alert_id=drill.alert_id
            ).values_list("pk", "organization_id", "acknowledged_at", "current_step", "unreachable")
        }
        first_acks = _first_acks(drill.alert_id, cutoff)
        outcome, failed = _deliveries(drill.alert_id)
    injects, inject_answers, injects_asked = _inject_answers(drill, cutoff)
    rows = []
    for org_id, code, name_ja, name_en, kind, first, reported, total, every in participants:
        # Drill reports exist only while the drill runs, so a closed drill's are all before
        # its close: the participant's tallies need no cutoff.
        row = Row(
            organization_id=org_id,
            code=code,
            name_ja=name_ja,
            name_en=name_en,
            kind=kind,
            started_at=drill.started_at,
            window_seconds=drill.answer_minutes * 60,
            first_report_at=first if first and first <= cutoff else None,
            functions_reported=reported,
            functions_total=total,
            all_functions_at=every if every and every <= cutoff else None,
            injects_asked=injects_asked,
            injects_acknowledged=inject_answers.get(org_id, 0),
        )
        target = targets.get(org_id)
        if target is not None:
            target_id, acked, step, no_contact = target
            if acked is not None and acked <= cutoff:
                row.acknowledged_at = acked
                by, contact_step, via = first_acks.get(target_id, ("", None, ""))
                row.ack_by, row.ack_via = by, via
                row.ack_step = contact_step or step
            counts = outcome.get(target_id, {})
            row.first_delivery_at = counts.get("first_sent")
            row.reached = bool(counts.get(DeliveryStatus.SENT)) or row.acknowledged_at is not None
            pending = sum(counts.get(s, 0) for s in PENDING)
            row.unreachable = not row.reached and (
                no_contact or (bool(counts.get(DeliveryStatus.FAILED)) and not pending)
            )
            row.stale_contacts = failed.get(target_id, [])
        elif drill.alert_id:
            row.unreachable = True  # inactive when the drill started: nobody was alerted
        rows.append(row)
    return Results(drill=drill, cutoff=cutoff, rows=rows, injects=injects)
