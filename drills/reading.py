"""What each reader sees of a drill's results: HQ and regulators every row; a participant's
members the market figures beside their own rows only, never another firm's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from alerts.models import AlertTarget

from . import results, selectors
from .models import Drill, DrillState


def figures_of(drill: Drill) -> dict:
    """The frozen figures of a closed drill, or those of now (planned: nothing sent yet)."""
    if drill.state == DrillState.CLOSED and drill.results is not None:
        return dict(drill.results)
    return results.results_compute(drill=drill).as_dict()


def results_visible(*, user, drill: Drill) -> dict:
    """The results API's answer for this user; PermissionDenied when none of it is theirs."""
    own = selectors.own_participant_ids(user=user, drill=drill)
    if own is not None and not own:
        raise PermissionDenied(_("Only the HQ, regulators and the drill's participants see it."))
    figures = figures_of(drill)
    if own is not None:
        codes = set(
            drill.participants.filter(organization_id__in=own).values_list(
                "organization__code", flat=True
            )
        )
        figures["organizations"] = [r for r in figures["organizations"] if r["code"] in codes]
    return figures


@dataclass
class LateAnswer:
    code: str
    name: str
    acknowledged_at: datetime
    answer: str


def answers_after_close(*, drill: Drill, organization_ids: set[int] | None = None) -> list:
    """First answers to the drill alert that came after the close: kept, marked late, and not
    in the frozen figures."""
    if not drill.is_closed or drill.alert_id is None:
        return []
    qs = AlertTarget.objects.filter(
        alert_id=drill.alert_id, acknowledged_at__gt=drill.closed_at
    ).select_related("organization")
    if organization_ids is not None:
        qs = qs.filter(organization_id__in=organization_ids)
    return [
        LateAnswer(t.organization.code, t.organization.name, t.acknowledged_at, t.answer)
        for t in qs.defer("snapshot").order_by("acknowledged_at")
    ]


@dataclass
class TrendPoint:
    drill_id: int
    title: str
    started_at: datetime | None
    participants: int
    ack_rate: float | None
    report_rate: float | None
    p50_ack_s: int | None
    p50_report_s: int | None


def trend(*, upto: Drill | None = None) -> list[TrendPoint]:
    """Closed drills, oldest first (up to and including ``upto``): how the market improves."""
    qs = Drill.objects.filter(state=DrillState.CLOSED, results__isnull=False)
    if upto is not None and upto.started_at is not None:
        qs = qs.filter(started_at__lte=upto.started_at)
    points = []
    for drill in qs.order_by("started_at", "id"):
        r = drill.results
        points.append(
            TrendPoint(
                drill_id=drill.pk,
                title=drill.title,
                started_at=parse_datetime(r["started_at"]) if r.get("started_at") else None,
                participants=r["participants"],
                ack_rate=r["ack_rate"],
                report_rate=r["report_rate"],
                p50_ack_s=r["time_to_ack_s"]["p50"],
                p50_report_s=r["time_to_report_s"]["p50"],
            )
        )
    return points
