"""The drill board: status reports posted for a running drill, kept apart from the real board.

Reports come through the status board's reporter form and API (``status_board.drill_reports``)
and are written here only: nothing of the real board — its tables, cache, published copy,
feeds or public API — is touched, so nothing of a drill can leak there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations import permissions
from organizations.models import BusinessFunction, Organization, OrganizationFunction
from organizations.permissions import Action
from status_board.services import ReportInput, status_entries_check
from status_board.vocabulary import NOT_REPORTED

from .models import Drill, DrillParticipant, DrillState, DrillStatusReport


def _drill_of(drill_id) -> Drill:
    number = drill_id if isinstance(drill_id, int) and not isinstance(drill_id, bool) else None
    if number is None and isinstance(drill_id, str) and drill_id.strip().isdigit():
        number = int(drill_id.strip())
    drill = Drill.objects.filter(pk=number).first() if number and number < 2**31 else None
    if drill is None:
        raise ValidationError({"drill": _("Unknown drill: %(id)s") % {"id": drill_id}})
    return drill


@transaction.atomic
def reports_create(
    *,
    actor,
    organization: Organization,
    drill_id,
    entries: Iterable[ReportInput],
    source: str,
    now: datetime | None = None,
) -> list[DrillStatusReport]:
    """Post drill statuses of one participant, all or nothing; 400 outside the running drill."""
    if not permissions.can(actor, Action.REPORT_STATUS, organization):
        raise PermissionDenied(_("You may report the status of your own organization only."))
    drill = _drill_of(drill_id)
    # Serialised per participant, and the state read under the lock: no report slips in
    # after the close has frozen the figures.
    drill = Drill.objects.select_for_update().get(pk=drill.pk)
    if drill.state != DrillState.RUNNING:
        raise ValidationError({"drill": _("This drill is not running: no drill report now.")})
    if not DrillParticipant.objects.filter(drill=drill, organization=organization).exists():
        raise ValidationError(
            {"drill": _("%(code)s does not take part in this drill.") % {"code": organization.code}}
        )
    entries = list(entries)
    if not entries:
        raise ValidationError(_("Choose a status for at least one function."))
    checked = status_entries_check(organization=organization, entries=entries)
    now = now or timezone.now()
    late = bool(drill.window_ends_at and now > drill.window_ends_at)
    reports = DrillStatusReport.objects.bulk_create(
        [
            DrillStatusReport(
                drill=drill,
                organization=organization,
                function=function,
                status=entry.status,
                message=entry.message,
                message_en=entry.message_en,
                expected_recovery_at=entry.expected_recovery_at,
                reported_at=now,
                reported_by=actor,
                source=source,
                late=late,
            )
            for function, entry in checked
        ]
    )
    participants_tally(drill=drill, organization_ids=[organization.pk])
    for report in reports:
        report.organization = organization
        report.reported_by = actor
    return reports


def participants_tally(*, drill: Drill, organization_ids=None) -> None:
    """Bring each participant's first report, functions reported and the time every function
    had been reported up to date with the drill board (of these organizations, or all)."""
    reports = DrillStatusReport.objects.filter(drill=drill)
    participants = DrillParticipant.objects.filter(drill=drill)
    if organization_ids is not None:
        reports = reports.filter(organization_id__in=organization_ids)
        participants = participants.filter(organization_id__in=organization_ids)
    firsts: dict[int, list] = {}
    for org_id, first in (
        reports.values("organization_id", "function_id")
        .annotate(first=Min("reported_at"))
        .values_list("organization_id", "first")
    ):
        firsts.setdefault(org_id, []).append(first)
    held = dict(
        OrganizationFunction.objects.filter(
            organization_id__in=participants.values("organization_id")
        )
        .values("organization_id")
        .annotate(n=Count("pk"))
        .values_list("organization_id", "n")
    )
    changed = []
    for participant in participants:
        times = firsts.get(participant.organization_id, [])
        participant.first_report_at = min(times) if times else None
        participant.functions_reported = len(times)
        participant.functions_total = total = held.get(participant.organization_id, 0)
        participant.all_functions_at = max(times) if total and len(times) >= total else None
        changed.append(participant)
    DrillParticipant.objects.bulk_update(
        changed,
        ["first_report_at", "functions_reported", "functions_total", "all_functions_at"],
        batch_size=1000,
    )


def latest_statuses(drill: Drill) -> dict[int, dict[int, DrillStatusReport]]:
    """{organization id: {function id: its latest drill report}}: one query."""
    latest: dict[int, dict[int, DrillStatusReport]] = {}
    for report in DrillStatusReport.objects.filter(drill=drill).order_by("reported_at", "id"):
        latest.setdefault(report.organization_id, {})[report.function_id] = report
    return latest


def incident_board(incident) -> dict[int, dict[str, str]] | None:
    """For the HQ's situation and criteria: the drill board of the incident's drill."""
    drill = Drill.objects.filter(incident=incident).first()
    if drill is None:
        return None
    ids = list(drill.participants.values_list("organization_id", flat=True))
    statuses: dict[int, dict[str, str]] = {}
    for org_id, code in (
        OrganizationFunction.objects.filter(organization_id__in=ids, organization__active=True)
        .order_by("function__display_order", "function__code")
        .values_list("organization_id", "function__code")
    ):
        statuses.setdefault(org_id, {})[code] = NOT_REPORTED
    for org_id, code, status in (
        DrillStatusReport.objects.filter(drill=drill)
        .order_by("reported_at", "id")
        .values_list("organization_id", "function__code", "status")
    ):
        if code in statuses.get(org_id, {}):
            statuses[org_id][code] = status
    return statuses


@dataclass
class BoardCell:
    function: BusinessFunction
    status: str = NOT_REPORTED
    report: DrillStatusReport | None = None


@dataclass
class BoardRow:
    organization: Organization
    cells: list[BoardCell] = field(default_factory=list)

    @property
    def reported(self) -> bool:
        return any(c.report is not None for c in self.cells)


def board_rows(*, drill: Drill, organization_ids: set[int] | None = None) -> list[BoardRow]:
    """The drill board's rows (of these organizations only, when given): three queries."""
    participants = drill.participants.select_related("organization").order_by("organization__code")
    if organization_ids is not None:
        participants = participants.filter(organization_id__in=organization_ids)
    orgs = [p.organization for p in participants]
    functions: dict[int, list[BusinessFunction]] = {}
    for of in (
        OrganizationFunction.objects.filter(organization__in=orgs)
        .select_related("function")
        .order_by("function__display_order", "function__code")
    ):
        functions.setdefault(of.organization_id, []).append(of.function)
    latest = latest_statuses(drill)
    rows = []
    for org in orgs:
        mine = latest.get(org.pk, {})
        cells = [
            BoardCell(
                function=f,
                status=mine[f.pk].status if f.pk in mine else NOT_REPORTED,
                report=mine.get(f.pk),
            )
            for f in functions.get(org.pk, [])
        ]
        rows.append(BoardRow(organization=org, cells=cells))
    return rows


def reports_of(*, drill: Drill, organization_ids: set[int] | None = None, limit: int = 200):
    """The drill board's timeline, newest first."""
    qs = DrillStatusReport.objects.filter(drill=drill).select_related(
        "organization", "function", "reported_by"
    )
    if organization_ids is not None:
        qs = qs.filter(organization_id__in=organization_ids)
    return list(qs.order_by("-reported_at", "-id")[:limit])
