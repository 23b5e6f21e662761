"""Reads of the earthquake feed: the quake on the dashboard, marks, the reporters' notice.

``quake_situation`` costs a fixed number of queries whatever the number of organizations: the
quakes, their telegrams, the sites in the areas hit, the requests, the first report of each
organization since the quake, the answers to the requests and the criterion marks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Exists, Min, OuterRef
from django.utils.translation import get_language

from organizations import permissions
from organizations.permissions import Action

from . import intensity
from .models import CriterionMark, MarkState, QuakeEvent, QuakeTelegram, ReportRequest


def _language() -> str:
    return "en" if (get_language() or "ja").startswith("en") else "ja"


@dataclass
class SiteOrganization:
    id: int
    code: str
    name_ja: str
    name_en: str
    requested: bool = False
    reported_at: datetime | None = None
    acknowledged_at: datetime | None = None

    @property
    def name(self) -> str:
        return self.name_en if _language() == "en" and self.name_en else self.name_ja


@dataclass
class AreaMember:
    """An organization in one area, with the kinds of site it has there."""

    organization: SiteOrganization
    site_kinds: list[str] = field(default_factory=list)

    def __getattr__(self, name):
        return getattr(self.organization, name)


@dataclass
class AreaRow:
    code: str
    name: str
    intensity: str
    organizations: list[AreaMember] = field(default_factory=list)

    @property
    def label(self) -> str:
        return intensity.label_active(self.intensity)

    @property
    def reported_count(self) -> int:
        return sum(1 for o in self.organizations if o.reported_at)


@dataclass
class QuakeSituation:
    main: QuakeEvent
    quakes: list[QuakeEvent]
    since: datetime
    max_int: str
    withdrawn: bool
    areas: list[AreaRow]
    requested: int
    reported: int
    acknowledged: int
    telegrams: list[QuakeTelegram]
    marks: list[CriterionMark]

    @property
    def max_label(self) -> str:
        return intensity.label_active(self.max_int) if self.max_int else "—"

    @property
    def aftershocks(self) -> list[QuakeEvent]:
        return [q for q in self.quakes if q.pk != self.main.pk]


def _strongest_by_area(quakes: list[QuakeEvent]) -> dict[str, str]:
    found: dict[str, str] = {}
    for q in quakes:
        for a in q.areas:
            found[a["code"]] = intensity.strongest(found.get(a["code"]), a["max_int"])
    return found


def quake_situation(*, user, incident) -> QuakeSituation | None:
    """The quake of the incident for the dashboard and the report; None if it has none."""
    from alerts.models import AlertTarget
    from organizations.selectors import sites_in_areas
    from status_board.models import StatusReport

    permissions.require(user, Action.VIEW_SITUATION)
    quakes = list(QuakeEvent.objects.filter(incident=incident).order_by("origin_at", "id"))
    if not quakes:
        return None
    live = [q for q in quakes if q.withdrawn_at is None]
    main = next((q for q in quakes if q.main_event_id is None), quakes[0])
    since = min(q.origin_at for q in quakes)
    by_area = _strongest_by_area(live)
    requests = {
        r.organization_id: r
        for r in ReportRequest.objects.filter(incident=incident, withdrawn_at__isnull=True)
    }
    orgs: dict[int, SiteOrganization] = {}
    rows: dict[str, AreaRow] = {}
    for site in sites_in_areas(by_area).order_by("organization__code", "area_id", "kind"):
        row = rows.get(site.area_id)
        if row is None:
            row = rows[site.area_id] = AreaRow(site.area_id, site.area.name, by_area[site.area_id])
        org = orgs.get(site.organization_id)
        if org is None:
            o = site.organization
            org = orgs[o.pk] = SiteOrganization(o.pk, o.code, o.name_ja, o.name_en)
            org.requested = o.pk in requests
        member = row.organizations[-1] if row.organizations else None
        if member is None or member.organization is not org:
            member = AreaMember(org)
            row.organizations.append(member)
        member.site_kinds.append(site.get_kind_display())
    if orgs and not incident.is_drill:
        for org_id, first in (
            StatusReport.objects.filter(organization_id__in=list(orgs), reported_at__gte=since)
            .values("organization_id")
            .annotate(first=Min("reported_at"))
            .values_list("organization_id", "first")
        ):
            orgs[org_id].reported_at = first
    alert_ids = [r.alert_id for r in requests.values() if r.alert_id]
    acknowledged = 0
    for org_id, at in AlertTarget.objects.filter(
        alert_id__in=alert_ids, acknowledged_at__isnull=False
    ).values_list("organization_id", "acknowledged_at"):
        acknowledged += 1
        if org_id in orgs:
            orgs[org_id].acknowledged_at = at
    areas = sorted(rows.values(), key=lambda r: (-intensity.rank(r.intensity), r.code))
    return QuakeSituation(
        main=main,
        quakes=quakes,
        since=since,
        max_int=intensity.strongest(*(q.max_int for q in live)),
        withdrawn=not live,
        areas=areas,
        requested=len(requests),
        reported=sum(1 for o in orgs.values() if o.requested and o.reported_at),
        acknowledged=acknowledged,
        telegrams=list(
            QuakeTelegram.objects.filter(quake__incident=incident).order_by("-received_at", "-id")
        ),
        marks=marks_of(incident),
    )


def marks_of(incident) -> list[CriterionMark]:
    return list(
        CriterionMark.objects.filter(incident=incident)
        .select_related("criterion", "decided_by")
        .order_by("marked_at", "id")
    )


def jma_marks_pending(incident) -> dict[str, datetime]:
    """{criterion code: when JMA marked it} for the marks still awaiting the HQ."""
    return dict(
        CriterionMark.objects.filter(incident=incident, state=MarkState.PENDING).values_list(
            "criterion__code", "marked_at"
        )
    )


def mark_for_hq(*, user, incident, mark_id: int) -> CriterionMark:
    from django.http import Http404

    permissions.require(user, Action.RUN_HQ)
    mark = CriterionMark.objects.filter(incident=incident, pk=mark_id).first()
    if mark is None:
        raise Http404
    return mark


def report_requests_open(*, organization_ids) -> list[ReportRequest]:
    """Requests to report still unanswered: no status report (a drill: no answer) since."""
    from alerts.models import AlertTarget
    from emergency_hq.models import IncidentState
    from status_board.models import StatusReport

    reported = StatusReport.objects.filter(
        organization_id=OuterRef("organization_id"), reported_at__gte=OuterRef("requested_at")
    )
    answered = AlertTarget.objects.filter(
        alert_id=OuterRef("alert_id"),
        organization_id=OuterRef("organization_id"),
        acknowledged_at__isnull=False,
    )
    requests = (
        ReportRequest.objects.filter(
            organization_id__in=list(organization_ids), withdrawn_at__isnull=True
        )
        .exclude(incident__state=IncidentState.CLOSED)
        .annotate(reported=Exists(reported), answered=Exists(answered))
        .select_related("organization", "incident")
        .order_by("-requested_at")
    )
    return [r for r in requests if not (r.answered if r.is_drill else r.reported)]
