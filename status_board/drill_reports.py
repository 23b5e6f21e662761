"""Where drill reports go: the drills app answers here, registered at start-up.

The status board stands below the drills app and never imports it (DESIGN §4). The reporter
form and ``POST /api/v1/status-reports/`` hand a report marked as drill over to whatever the
drills app registered; the board itself never stores, caches or publishes it. With nothing
registered no drill is ever running, and a report marked as drill is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class RunningDrill:
    id: int
    label: str
    board_url: str = ""


_running_for: Callable | None = None
_report: Callable | None = None


def register(*, running_for: Callable, report: Callable) -> None:
    """``running_for(organization)``: the RunningDrills that organization takes part in now;
    ``report(*, actor, organization, drill_id, entries, source)``: store the entries
    (``services.ReportInput``) on that drill's board, return the stored rows (with the
    report fields of ``StatusReport`` and ``drill_id``), or raise ValidationError."""
    global _running_for, _report
    _running_for = running_for
    _report = report


def drills_running_for(organization) -> list[RunningDrill]:
    return list(_running_for(organization)) if _running_for else []


def drill_reports_create(*, actor, organization, drill_id, entries: Iterable, source: str) -> list:
    if _report is None:
        raise ValidationError({"drill": _("No drill is running.")})
    return _report(
        actor=actor,
        organization=organization,
        drill_id=drill_id,
        entries=list(entries),
        source=source,
    )
