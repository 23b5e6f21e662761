"""Every status write goes through here: one report row + the current row, one transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.text import strip_control_characters
from organizations import permissions
from organizations.models import Organization, OrganizationFunction

from . import snapshots
from .models import MESSAGE_MAX_LENGTH, CurrentStatus, StatusReport
from .vocabulary import NOT_REPORTED, Source, Status


@dataclass(frozen=True)
class ReportInput:
    function: str
    status: str
    message: str = ""
    message_en: str = ""
    expected_recovery_at: datetime | None = None


def _message(entry: ReportInput, field: str) -> str:
    # Control characters would break the Atom feeds and readers: never stored.
    return strip_control_characters(getattr(entry, field) or "").strip()


def _unchanged(entry: ReportInput, current: CurrentStatus | None) -> bool:
    """The entry says again what the board already shows for this function."""
    return (
        current is not None
        and current.status == entry.status
        and current.message == _message(entry, "message")
        and current.message_en == _message(entry, "message_en")
        and current.expected_recovery_at == entry.expected_recovery_at
    )


def _check_recovery(entry: ReportInput, current: CurrentStatus | None) -> None:
    """A newly given expected recovery must not lie in the past (beyond a small tolerance for
    the clock of whoever typed it); the one the board already shows may have passed."""
    when = entry.expected_recovery_at
    if when is None or timezone.is_naive(when):
        return
    if current is not None and current.expected_recovery_at == when:
        return
    tolerance = timedelta(minutes=settings.STATUS_RECOVERY_PAST_TOLERANCE_MINUTES)
    if when < timezone.now() - tolerance:
        raise ValidationError(
            {
                "expected_recovery_at": _(
                    "The expected recovery time %(time)s is in the past; give a time to come "
                    "or leave it empty."
                )
                % {"time": timezone.localtime(when).strftime("%Y-%m-%d %H:%M")}
            }
        )


def _currents(organization: Organization) -> dict[str, CurrentStatus]:
    return {
        c.function.code: c
        for c in CurrentStatus.objects.filter(organization=organization).select_related("function")
    }


def _validate(organization: Organization, entry: ReportInput, held: dict, current=None) -> None:
    if entry.status == NOT_REPORTED:
        raise ValidationError(
            {"status": _("not_reported is derived by the portal and cannot be posted.")}
        )
    if entry.status not in Status.values:
        raise ValidationError(
            {
                "status": _("Unknown status %(status)s; use one of: %(codes)s")
                % {"status": entry.status, "codes": ", ".join(Status.values)}
            }
        )
    if entry.function not in held:
        raise ValidationError(
            {
                "function": _("%(org)s does not report the function %(function)s.")
                % {"org": organization.code, "function": entry.function}
            }
        )
    for field in ("message", "message_en"):
        if not isinstance(getattr(entry, field) or "", str):
            raise ValidationError({field: _("Enter text.")})
        if len(_message(entry, field)) > MESSAGE_MAX_LENGTH:
            raise ValidationError(
                {
                    field: _("The message is longer than %(max)d characters.")
                    % {"max": MESSAGE_MAX_LENGTH}
                }
            )
    if entry.expected_recovery_at is not None and timezone.is_naive(entry.expected_recovery_at):
        raise ValidationError({"expected_recovery_at": _("Give the time with its time zone.")})
    _check_recovery(entry, current)


def _record(*, actor, organization, function, entry: ReportInput, source: str) -> StatusReport:
    current = CurrentStatus.objects.filter(organization=organization, function=function).first()
    replaced = (current.report_id, current.impaired_since) if current is not None else None
    now = timezone.now()
    if current is not None and current.reported_at >= now:
        now = current.reported_at + timedelta(microseconds=1)
    report = StatusReport.objects.create(
        organization=organization,
        function=function,
        status=entry.status,
        message=_message(entry, "message"),
        message_en=_message(entry, "message_en"),
        expected_recovery_at=entry.expected_recovery_at,
        reported_at=now,
        reported_by=actor,
        source=source,
    )
    impaired = entry.status != Status.NORMAL
    if current is None:
        current = CurrentStatus(organization=organization, function=function)
        impaired_since = now if impaired else None
    else:
        impaired_since = (current.impaired_since or now) if impaired else None
    current.report = report
    current.status = report.status
    current.message = report.message
    current.message_en = report.message_en
    current.expected_recovery_at = report.expected_recovery_at
    current.reported_at = now
    current.impaired_since = impaired_since
    current.confirmed_at = None
    current.save()
    # What this report replaced on the board (report id, impaired since): what an undo restores.
    report.replaced = replaced
    return report


def status_entries_check(*, organization: Organization, entries: Iterable[ReportInput]) -> list:
    """The checks of a real report, for reports the board does not keep (a drill's board):
    [(function, entry with its text cleaned)], or ValidationError by field."""
    held = {
        of.function.code: of.function
        for of in OrganizationFunction.objects.filter(organization=organization).select_related(
            "function"
        )
    }
    currents = _currents(organization)
    checked = []
    for entry in entries:
        _validate(organization, entry, held, currents.get(entry.function))
        clean = ReportInput(
            function=entry.function,
            status=entry.status,
            message=_message(entry, "message"),
            message_en=_message(entry, "message_en"),
            expected_recovery_at=entry.expected_recovery_at,
        )
        checked.append((held[entry.function], clean))
    return checked


@transaction.atomic
def status_reports_create(
    *,
    actor,
    organization: Organization,
    entries: Iterable[ReportInput],
    source: str = Source.WEB,
    confirm_unchanged: bool = False,
) -> list[StatusReport]:
    """Post the status of one or more functions of one organization, all or nothing.

    With ``confirm_unchanged`` (the report form) an entry that repeats what the board shows
    adds no report: the function's status is only marked as confirmed now (``confirmed_at``),
    so that timelines and feeds carry changes only. Returns the reports written."""
    permissions.require(actor, permissions.Action.REPORT_STATUS, organization)
    if not organization.active:
        raise ValidationError(_("This organization is no longer active."))
    entries = list(entries)
    # Posts of one organization are serialised on its row, and the time is taken only once
    # the lock is held: whoever writes last writes the latest time, so concurrent posts
    # never lose a report and the current row always points at the latest one.
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    held = {
        of.function.code: of.function
        for of in OrganizationFunction.objects.filter(organization=organization).select_related(
            "function"
        )
    }
    currents = _currents(organization)
    for entry in entries:
        _validate(organization, entry, held, currents.get(entry.function))
    reports = []
    confirmed = []
    for entry in entries:
        current = currents.get(entry.function)
        if confirm_unchanged and _unchanged(entry, current):
            confirmed.append(current.pk)
            continue
        reports.append(
            _record(
                actor=actor,
                organization=organization,
                function=held[entry.function],
                entry=entry,
                source=source,
            )
        )
    if confirmed:
        CurrentStatus.objects.filter(pk__in=confirmed).update(confirmed_at=timezone.now())
    if reports or confirmed:
        transaction.on_commit(snapshots.board_changed)
    return reports


def status_report_create(
    *, actor, organization: Organization, entry: ReportInput, source: str = Source.WEB
) -> StatusReport:
    return status_reports_create(
        actor=actor, organization=organization, entries=[entry], source=source
    )[0]


def status_all_normal(
    *, actor, organization: Organization, source: str = Source.WEB
) -> list[StatusReport]:
    """ "All functions operating normally", in one transaction: a report for each function
    that was not plainly normal, a confirmation for the others. Each report knows what it
    replaced (``report.replaced``) for ``status_all_normal_undo``."""
    codes = organization.organization_functions.values_list("function__code", flat=True)
    return status_reports_create(
        actor=actor,
        organization=organization,
        entries=[ReportInput(function=code, status=Status.NORMAL) for code in codes],
        source=source,
        confirm_unchanged=True,
    )


def undo_window() -> timedelta:
    return timedelta(seconds=settings.STATUS_UNDO_SECONDS)


@transaction.atomic
def status_all_normal_undo(
    *, actor, organization: Organization, replaced: Iterable, source: str = Source.WEB
) -> list[StatusReport]:
    """Undo "all normal" within ``undo_window()``: each function whose board still shows the
    report given gets its previous status back, as a new report (the history keeps both).

    ``replaced`` is ``[(report id, previous report id, impaired since ISO or None)]``."""
    permissions.require(actor, permissions.Action.REPORT_STATUS, organization)
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    since = timezone.now() - undo_window()
    restored = []
    for report_id, previous_id, impaired_since in replaced:
        current = (
            CurrentStatus.objects.filter(
                organization=organization, report_id=report_id, report__reported_at__gte=since
            )
            .select_related("function")
            .first()
        )
        previous = (
            StatusReport.objects.filter(
                pk=previous_id, organization=organization, function_id=current.function_id
            ).first()
            if current is not None
            else None
        )
        if previous is None:
            continue
        entry = ReportInput(
            function=current.function.code,
            status=previous.status,
            message=previous.message,
            message_en=previous.message_en,
            expected_recovery_at=previous.expected_recovery_at,
        )
        report = _record(
            actor=actor,
            organization=organization,
            function=current.function,
            entry=entry,
            source=source,
        )
        if impaired_since and report.status != Status.NORMAL:
            # The function has been impaired all along: its RTO still counts from then.
            CurrentStatus.objects.filter(pk=current.pk).update(
                impaired_since=datetime.fromisoformat(impaired_since)
            )
        restored.append(report)
    if restored:
        transaction.on_commit(snapshots.board_changed)
    return restored
