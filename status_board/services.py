"""Every status write goes through here: one report row + the current row, one transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

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


def _validate(organization: Organization, entry: ReportInput, held: dict) -> None:
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


def _record(*, actor, organization, function, entry: ReportInput, source: str) -> StatusReport:
    current = CurrentStatus.objects.filter(organization=organization, function=function).first()
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
    current.save()
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
    checked = []
    for entry in entries:
        _validate(organization, entry, held)
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
) -> list[StatusReport]:
    """Post the status of one or more functions of one organization, all or nothing."""
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
    for entry in entries:
        _validate(organization, entry, held)
    reports = [
        _record(
            actor=actor,
            organization=organization,
            function=held[entry.function],
            entry=entry,
            source=source,
        )
        for entry in entries
    ]
    if reports:
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
    """ "All functions operating normally": one report per function, in one transaction."""
    codes = organization.organization_functions.values_list("function__code", flat=True)
    return status_reports_create(
        actor=actor,
        organization=organization,
        entries=[ReportInput(function=code, status=Status.NORMAL) for code in codes],
        source=source,
    )
