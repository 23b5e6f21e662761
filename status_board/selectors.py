"""Reads of the status board; none returns an organization the user may not see."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from organizations import permissions
from organizations.models import BusinessFunction, Organization, OrganizationFunction
from organizations.permissions import Action
from organizations.vocabulary import OrganizationKind

from . import providers
from .models import CurrentStatus, StatusReport
from .vocabulary import ALL_CODES, NOT_REPORTED, SEVERITY, Status, is_impaired

# Market infrastructures first (exchanges, clearing, depository, BOJ), then everyone else.
KIND_ORDER = [
    OrganizationKind.EXCHANGE,
    OrganizationKind.CLEARING,
    OrganizationKind.DEPOSITORY,
    OrganizationKind.CENTRAL_BANK,
    OrganizationKind.PTS,
    OrganizationKind.JSDA,
    OrganizationKind.REGULATOR,
    OrganizationKind.SECURITIES_FIRM,
    OrganizationKind.BANK,
]
INFRASTRUCTURE = {
    OrganizationKind.EXCHANGE,
    OrganizationKind.CLEARING,
    OrganizationKind.DEPOSITORY,
    OrganizationKind.CENTRAL_BANK,
    OrganizationKind.PTS,
}
_KIND_RANK = {k.value: i for i, k in enumerate(KIND_ORDER)}
HISTORY_DAYS = 90


@dataclass(slots=True)  # thousands a board: slots make them quicker to build
class Cell:
    function: BusinessFunction
    status: str
    message: str = ""
    message_en: str = ""
    reported_at: datetime | None = None
    expected_recovery_at: datetime | None = None
    impaired_since: datetime | None = None
    # A reporter said again that the status holds, without a change (no new report).
    confirmed_at: datetime | None = None
    rto_minutes: int | None = None
    # The last reported status when the cell counts as not reported since a given time.
    last_status: str | None = None

    @property
    def localized_message(self) -> str:
        from django.utils.translation import get_language

        if (get_language() or "ja").startswith("en") and self.message_en:
            return self.message_en
        return self.message

    @property
    def rto_breached(self) -> bool:
        if self.impaired_since is None or self.rto_minutes is None:
            return False
        if not is_impaired(self.status):
            return False
        return timezone.now() - self.impaired_since > timedelta(minutes=self.rto_minutes)


@dataclass
class Row:
    organization: Organization
    cells: list[Cell] = field(default_factory=list)

    @property
    def worst(self) -> str:
        if not self.cells:
            return NOT_REPORTED
        return max((c.status for c in self.cells), key=lambda s: SEVERITY[s])

    @property
    def is_infrastructure(self) -> bool:
        return self.organization.kind in INFRASTRUCTURE


def _kind_rank(org: Organization) -> int:
    return _KIND_RANK.get(org.kind, len(KIND_ORDER))


def board_rows(
    *,
    user=None,
    public_only: bool = False,
    everything: bool = False,
    organization: Organization | None = None,
    kind: str | None = None,
    segment: str | None = None,
    not_reported_since: datetime | None = None,
) -> list[Row]:
    """Every visible organization with its functions and current statuses, in 3 queries.

    ``public_only`` gives the anonymous view whoever asks; ``everything`` the members' view
    whoever asks (only for the cache, which serves each audience its part).
    With ``not_reported_since`` a function whose last report is older counts as not reported.
    """
    orgs = Organization.objects.filter(active=True)
    if not everything and (public_only or not permissions.is_member(user)):
        orgs = orgs.filter(is_public=True)
    if organization is not None:
        orgs = orgs.filter(pk=organization.pk)
    if kind:
        orgs = orgs.filter(kind=kind)
    if segment:
        orgs = orgs.filter(segments__segment=segment)
    orgs = orgs.only("id", "code", "name_ja", "name_en", "kind", "is_public").distinct()
    # The organizations as a subquery: no list of every id sent back with each query.
    ids = orgs.values("id")
    orgs = list(orgs)
    # Tuples, not a model instance per function and status: one BusinessFunction per
    # function, shared by every row, with the fields the boards show.
    fn_fields = ["id", "code", "name_ja", "name_en", "default_rto_minutes", "display_order"]
    catalogue: dict[int, BusinessFunction] = {}
    functions: dict[int, list[tuple[BusinessFunction, int | None]]] = {}
    for org_id, rto, *values in (
        OrganizationFunction.objects.filter(organization_id__in=ids)
        .order_by("function__display_order", "function__code")
        .values_list("organization_id", "rto_minutes", *(f"function__{f}" for f in fn_fields))
    ):
        function = catalogue.get(values[0])
        if function is None:
            function = catalogue[values[0]] = BusinessFunction.from_db(
                BusinessFunction.objects.db, fn_fields, values
            )
        functions.setdefault(org_id, []).append(
            (function, rto if rto is not None else function.default_rto_minutes)
        )
    current = {
        (c[0], c[1]): c[2:]
        for c in CurrentStatus.objects.filter(organization_id__in=ids).values_list(
            "organization_id",
            "function_id",
            "status",
            "message",
            "message_en",
            "reported_at",
            "expected_recovery_at",
            "impaired_since",
            "confirmed_at",
        )
    }
    rows = []
    for org in orgs:
        row = Row(organization=org)
        cells = row.cells
        for function, rto in functions.get(org.pk, ()):
            cur = current.get((org.pk, function.pk))
            if cur is None:
                cells.append(Cell(function, NOT_REPORTED, rto_minutes=rto))
                continue
            status, message, message_en, reported_at, expected, impaired_since, confirmed = cur
            cell = Cell(
                function,
                status,
                message,
                message_en,
                reported_at,
                expected,
                impaired_since,
                confirmed,
                rto,
            )
            checked_at = max(reported_at, confirmed or reported_at)
            if not_reported_since is not None and checked_at < not_reported_since:
                cell.last_status, cell.status = cell.status, NOT_REPORTED
            cells.append(cell)
        if row.cells:
            rows.append(row)
    rows.sort(key=lambda r: (_kind_rank(r.organization), r.organization.code))
    return rows


def counts_by_status(rows: list[Row]) -> dict[str, int]:
    counts = dict.fromkeys(ALL_CODES, 0)
    for row in rows:
        for cell in row.cells:
            counts[cell.status] += 1
    return counts


def sort_by_severity(rows: list[Row]) -> list[Row]:
    return sorted(
        rows,
        key=lambda r: (-SEVERITY[r.worst], _kind_rank(r.organization), r.organization.code),
    )


def activations_active(*, public_only: bool = True) -> list:
    """BCP activations in force, for the market-wide banner (from the emergency HQ)."""
    return providers.activations_active(public_only=public_only)


def incident_started_at() -> datetime | None:
    """Start of the incident in progress: "not reported" counts from here (None: ever)."""
    return providers.incident_started_at()


def status_reports_visible(
    *, user, organization_code: str | None = None, function_code: str | None = None
) -> QuerySet[StatusReport]:
    """History, newest first, of the organizations the user may see."""
    qs = StatusReport.objects.filter(organization__active=True)
    if not permissions.is_member(user):
        qs = qs.filter(organization__is_public=True)
    if organization_code:
        qs = qs.filter(organization__code=organization_code.strip().upper())
    if function_code:
        qs = qs.filter(function__code=function_code.strip())
    return qs.select_related("organization", "function", "reported_by").order_by(
        "-reported_at", "-id"
    )


def timeline_of(*, organization: Organization, limit: int = 50) -> list[StatusReport]:
    return list(
        StatusReport.objects.filter(organization=organization)
        .select_related("organization", "function", "reported_by")
        .order_by("-reported_at", "-id")[:limit]
    )


@dataclass
class DayBar:
    day: date
    status: str


def daily_history(
    *, organization: Organization, days: int = HISTORY_DAYS, today: date | None = None
) -> dict[int, list[DayBar]]:
    """{function id: one bar per day, oldest first}: the worst status in force that day.

    Two queries whatever the number of functions: the reports of the window and, for each
    function, the last report before it (the status the window starts in).
    """
    today = today or timezone.localdate()
    first_day = today - timedelta(days=days - 1)
    tz = timezone.get_current_timezone()
    start = datetime.combine(first_day, datetime.min.time(), tzinfo=tz)
    in_window: dict[int, list[tuple[date, str]]] = {}
    for fid, at, status in (
        StatusReport.objects.filter(organization=organization, reported_at__gte=start)
        .order_by("reported_at", "id")
        .values_list("function_id", "reported_at", "status")
    ):
        in_window.setdefault(fid, []).append((timezone.localtime(at, tz).date(), status))
    last_before = StatusReport.objects.filter(
        organization=organization, function_id=OuterRef("function_id"), reported_at__lt=start
    ).order_by("-reported_at", "-id")
    before = {
        fid: status
        for fid, status in OrganizationFunction.objects.filter(organization=organization)
        .annotate(status=Subquery(last_before.values("status")[:1]))
        .values_list("function_id", "status")
        if status
    }
    result: dict[int, list[DayBar]] = {}
    for fid in set(in_window) | set(before):
        state = before.get(fid, NOT_REPORTED)
        reports = in_window.get(fid, [])
        i = 0
        bars = []
        for n in range(days):
            day = first_day + timedelta(days=n)
            worst = state
            while i < len(reports) and reports[i][0] == day:
                state = reports[i][1]
                first_news = state == Status.NORMAL and worst == NOT_REPORTED
                if first_news or SEVERITY[state] > SEVERITY[worst]:
                    worst = state
                i += 1
            bars.append(DayBar(day=day, status=worst))
        result[fid] = bars
    return result


def organization_page(user, organization) -> dict:
    """The organization's page as ``user`` sees it (also its published copy, anonymously)."""
    rows = board_rows(user=user, everything=True, organization=organization)
    row = rows[0] if rows else None
    history = daily_history(organization=organization)
    cells = row.cells if row else []
    return {
        "organization": organization,
        "bars": [(cell, history.get(cell.function.pk)) for cell in cells],
        "timeline": timeline_of(organization=organization),
        "show_reporters": permissions.is_member(user),
        "can_report": permissions.can(user, Action.REPORT_STATUS, organization),
    }
