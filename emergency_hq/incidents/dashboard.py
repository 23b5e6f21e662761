"""The HQ's situation dashboard: the board as the criteria see it, acks, the timeline.

The situation reads the *current* status table (one row per organization and function), never
the status history, so its cost and its number of queries do not grow with the history.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain, groupby
from operator import attrgetter, itemgetter

from django.db.models import Count, F, FilteredRelation, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from alerts.models import Alert
from alerts.selectors import alert_ack_counts
from common.gc_pause import cycle_collector_paused
from organizations import permissions
from organizations.models import Organization as OrganizationModel
from organizations.models import OrganizationFunction, SegmentParticipation
from organizations.permissions import Action
from organizations.vocabulary import INFRASTRUCTURE_KINDS, Segment

from .. import providers
from ..models import (
    ActivationCriterion,
    ActivationDecision,
    HQConvening,
    Incident,
    IncidentState,
    ManualDeclaration,
    QuakeTelegram,
)
from ..quake.selectors import jma_marks_pending
from .criteria import (
    NOT_REPORTED,
    BoardState,
    Evaluation,
    Participant,
    evaluate_all,
    has_reported,
)
from .selectors import SEGMENTS, active_segments

ALL_CODES_ORDER = ["normal", "backup_site", "degraded", "suspended", "closed", "not_reported"]


@dataclass
class OrgInfo:
    id: int
    code: str
    name_ja: str
    name_en: str
    kind: str

    @property
    def name(self) -> str:
        if (get_language() or "ja").startswith("en") and self.name_en:
            return self.name_en
        return self.name_ja

    @property
    def is_infrastructure(self) -> bool:
        return self.kind in INFRASTRUCTURE_KINDS


@dataclass
class SegmentSituation:
    segment: str
    participants: list[OrgInfo] = field(default_factory=list)
    reported: list[OrgInfo] = field(default_factory=list)
    not_reported: list[OrgInfo] = field(default_factory=list)
    by_status: dict[str, int] = field(default_factory=dict)
    # [(organization, [(function code, status)])] for the market infrastructures
    infrastructures: list[tuple[OrgInfo, list[tuple[str, str]]]] = field(default_factory=list)
    bcp_active: bool = False

    @property
    def label(self) -> str:
        return str(Segment(self.segment).label)


@dataclass
class Situation:
    incident: Incident
    generated_at: datetime
    organizations: list[OrgInfo]
    reported: list[OrgInfo]
    not_reported: list[OrgInfo]
    by_status: dict[str, int]
    criteria: list[Evaluation]
    acks: dict[str, int]
    segments: list[SegmentSituation]

    def as_api(self) -> dict:
        return {
            "incident": self.incident.pk,
            "state": self.incident.state,
            "is_drill": self.incident.is_drill,
            "generated_at": self.generated_at.isoformat(),
            "reported": len(self.reported),
            "not_reported": len(self.not_reported),
            "not_reported_organizations": [o.code for o in self.not_reported],
            "by_status": self.by_status,
            "criteria": [e.as_dict() for e in self.criteria],
            "acks": self.acks,
            "segments": [
                {
                    "segment": s.segment,
                    "bcp_active": s.bcp_active,
                    "participants": len(s.participants),
                    "reported": len(s.reported),
                    "not_reported": len(s.not_reported),
                    "by_status": s.by_status,
                }
                for s in self.segments
            ],
        }


def board_state(
    *, since: datetime | None, incident: Incident | None = None
) -> tuple[BoardState, dict[int, OrgInfo]]:
    """Every active organization's effective statuses and the segment weights: 3 queries.

    A drill incident is evaluated on its drill's board, among the drill's participants only
    (``providers.drill_board``); the real board is never read for it then.
    """
    orgs = {
        pk: OrgInfo(pk, code, ja, en, kind)
        for pk, code, ja, en, kind in OrganizationModel.objects.filter(active=True)
        .order_by("code")
        .values_list("pk", "code", "name_ja", "name_en", "kind")
    }
    drill = providers.drill_board(incident)
    statuses = drill if drill is not None else _real_statuses(since)
    participants: dict[str, list[Participant]] = {}
    for org_id, segment, weight, retail in SegmentParticipation.objects.filter(
        organization__active=True
    ).values_list("organization_id", "segment", "weight", "retail_weight"):
        if drill is None or org_id in drill:
            participants.setdefault(segment, []).append(Participant(org_id, weight, retail))
    board = BoardState(
        statuses=statuses,
        participants=participants,
        ids_by_code={o.code: pk for pk, o in orgs.items()},
    )
    return board, orgs


def _real_statuses(since: datetime | None) -> dict[int, dict[str, str]]:
    """Each function held, with its current status only when it was reported since the
    incident began (decided in SQL, so no report time crosses the wire); else not_reported.

    One join of the current-status row of the same organization and function (not a
    subquery per function held), read as plain tuples."""
    fresh = Q(organization__current_statuses__function=F("function"))
    if since is not None:
        fresh &= Q(organization__current_statuses__reported_at__gte=since)
    rows = (
        OrganizationFunction.objects.filter(organization__active=True)
        .annotate(fresh=FilteredRelation("organization__current_statuses", condition=fresh))
        .order_by("organization_id", "function__display_order", "function__code")
        .values_list("organization_id", "function__code", "fresh__status")
    )
    return {
        org_id: {code: status or NOT_REPORTED for _, code, status in held}
        for org_id, held in groupby(rows, itemgetter(0))
    }


class Declarations(dict):
    """{criterion code: met}; ``from_jma`` names those met only by a mark of the quake feed."""

    from_jma: frozenset[str] = frozenset()


def declarations_of(incident: Incident) -> Declarations:
    """{criterion code: met} from the latest of the HQ's declaration of each manual criterion
    and, newer than it, a mark from a JMA telegram still awaiting the HQ (counted as met)."""
    declared = Declarations()
    declared_at: dict[str, datetime] = {}
    for code, met, at in (
        ManualDeclaration.objects.filter(incident=incident)
        .order_by("declared_at", "id")
        .values_list("criterion__code", "met", "declared_at")
    ):
        declared[code], declared_at[code] = met, at
    from_jma = set()
    for code, marked_at in jma_marks_pending(incident).items():
        if code not in declared_at or declared_at[code] < marked_at:
            declared[code] = True
            from_jma.add(code)
    declared.from_jma = frozenset(from_jma)
    return declared


def _evaluate(incident: Incident, board: BoardState) -> list[Evaluation]:
    declared = declarations_of(incident)
    evaluations = evaluate_all(criteria_active(), board, declared)
    for e in evaluations:
        if e.met and e.code in declared.from_jma:
            e.detail = {**e.detail, "from_jma": True}
    return evaluations


def criteria_active() -> list[ActivationCriterion]:
    return list(ActivationCriterion.objects.filter(active=True).order_by("display_order", "code"))


def criteria_evaluate(*, incident: Incident, board: BoardState | None = None) -> list[Evaluation]:
    if board is None:
        board, _ = board_state(since=incident.started_at, incident=incident)
    return _evaluate(incident, board)


def incident_alerts(incident: Incident) -> QuerySet[Alert]:
    """The alerts sent for the incident: on convening, with each decision, a drill's and, from
    the quake feed, to the HQ (the requests to report are counted apart, on the quake's panel)."""
    return Alert.objects.filter(
        Q(pk__in=HQConvening.objects.filter(incident=incident).values("alert_id"))
        | Q(pk__in=ActivationDecision.objects.filter(incident=incident).values("alert_id"))
        | Q(pk__in=QuakeTelegram.objects.filter(quake__incident=incident).values("hq_alert_id"))
        | Q(pk__in=providers.drill_alert_ids(incident))
    )


def _tally(statuses: dict[int, dict[str, str]], ids) -> dict[str, int]:
    """How many functions of the organizations ``ids`` are in each status (counted in C)."""
    counts = dict.fromkeys(ALL_CODES_ORDER, 0)
    for status, n in Counter(chain.from_iterable(statuses[i].values() for i in ids)).items():
        counts[status] = counts.get(status, 0) + n
    return counts


# Thousands of short-lived tuples and sets per call: the cycle collector's passes over the
# whole process landed inside it (at 5,000 organizations p95 was nearly twice p50).
@cycle_collector_paused()
def situation(*, user, incident: Incident) -> Situation:
    """The HQ's one screen in a fixed number of queries, whatever the number of organizations.

    Each organization's statuses are read once; the market and each segment count their
    members' statuses in one pass rather than organization by organization.
    """
    permissions.require(user, Action.VIEW_SITUATION)
    board, orgs = board_state(since=incident.started_at, incident=incident)
    statuses = board.statuses
    on_board = [o for o in orgs.values() if statuses.get(o.id)]
    on_board_ids = {o.id for o in on_board}
    has_reported_ids = {o.id for o in on_board if has_reported(statuses[o.id])}
    active = active_segments(incident)
    segments = []
    for segment in SEGMENTS:
        members = sorted(
            (
                orgs[p.organization_id]
                for p in board.segment(segment.value)
                if p.organization_id in on_board_ids
            ),
            key=attrgetter("code"),
        )
        seg = SegmentSituation(segment=segment.value, participants=members)
        seg.reported = [o for o in members if o.id in has_reported_ids]
        seg.not_reported = [o for o in members if o.id not in has_reported_ids]
        seg.by_status = _tally(statuses, (o.id for o in members))
        seg.infrastructures = [
            (o, list(statuses[o.id].items())) for o in members if o.is_infrastructure
        ]
        seg.bcp_active = segment.value in active
        segments.append(seg)
    return Situation(
        incident=incident,
        generated_at=timezone.now(),
        organizations=on_board,
        reported=[o for o in on_board if o.id in has_reported_ids],
        not_reported=[o for o in on_board if o.id not in has_reported_ids],
        by_status=_tally(statuses, on_board_ids),
        criteria=_evaluate(incident, board),
        acks=alert_ack_counts(alerts=incident_alerts(incident)),
        segments=segments,
    )


def alerts_progress(*, user, incident: Incident) -> list[Alert]:
    """The incident's alerts with how many organizations have answered, newest first."""
    permissions.require(user, Action.VIEW_SITUATION)
    return list(
        incident_alerts(incident)
        .annotate(
            target_count=Count("targets", filter=Q(targets__alert__requires_ack=True)),
            acked_count=Count("targets", filter=Q(targets__acknowledged_at__isnull=False)),
        )
        .order_by("-created_at", "-id")
    )


@dataclass
class TimelineEntry:
    at: datetime
    kind: str  # state, convening, decision, declaration, circular, alert
    text: str
    url: str = ""
    is_drill: bool = False


def timeline(*, user, incident: Incident, alerts: list[Alert] | None = None) -> list[TimelineEntry]:
    """State changes, convenings, declarations, decisions, circulars and alerts, newest first."""
    permissions.require(user, Action.VIEW_SITUATION)
    entries: list[TimelineEntry] = []
    for t in incident.transitions.select_related("by"):
        text = _("State: %(from)s → %(to)s") % {
            "from": IncidentState(t.from_state).label if t.from_state else "—",
            "to": IncidentState(t.to_state).label,
        }
        if t.note:
            text += f" ({t.note})"
        entries.append(TimelineEntry(t.at, "state", f"{text} — {t.by.get_username()}"))
    for c in incident.convenings.select_related("convened_by"):
        entries.append(
            TimelineEntry(
                c.convened_at,
                "convening",
                _("HQ convened at %(place)s") % {"place": c.display_location},
            )
        )
    for m in incident.declarations.select_related("criterion", "declared_by"):
        word = _("met") if m.met else _("not met")
        entries.append(
            TimelineEntry(
                m.declared_at,
                "declaration",
                _("Declared %(criterion)s: %(met)s")
                % {"criterion": m.criterion.label, "met": word},
            )
        )
    for d in incident.decisions.select_related("decided_by", "circular"):
        who = d.decided_by.get_username()
        entries.append(
            TimelineEntry(
                d.decided_at,
                "decision",
                f"{d.get_action_display()} — {d.get_segment_display()} ({who})",
                reverse("hq_decision_detail", args=[incident.pk, d.pk]),
            )
        )
        if d.circular is not None:
            entries.append(
                TimelineEntry(
                    d.circular.published_at,
                    "circular",
                    f"{d.circular.number} {d.circular.title}",
                    reverse("circular_detail", args=[d.circular.number]),
                )
            )
    for a in alerts if alerts is not None else incident_alerts(incident):
        entries.append(
            TimelineEntry(a.created_at, "alert", a.subject, reverse("hq_alert_detail", args=[a.pk]))
        )
    for e in entries:
        e.is_drill = incident.is_drill
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries
