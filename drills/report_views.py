"""The after-action report (振り返り): summary figures, the curve and the histogram, the
per-participant table, unreachable contacts, the HQ's notes and the trend of earlier drills;
printable, and exported as CSV, XLSX and PDF.

HQ staff and regulators get every row; a participant's members get the market figures beside
their own row only — in the page and in every export.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from common.spreadsheets import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, download
from organizations import permissions
from organizations.permissions import Action

from . import charts, exports, reading, selectors
from .forms import NotesForm
from .models import Drill


def _report_context(request, drill_id) -> dict:
    drill = selectors.drill_get_visible(user=request.user, drill_id=drill_id)
    if drill.started_at is None:
        raise PermissionDenied(_("A drill that has not started has no results yet."))
    own = selectors.own_participant_ids(user=request.user, drill=drill)
    figures = reading.results_visible(user=request.user, drill=drill)
    rows = figures["organizations"]
    points = reading.trend(upto=drill) if drill.is_closed else []
    may_run = permissions.can(request.user, Action.RUN_HQ)
    return {
        "drill": drill,
        "figures": figures,
        "rows": sorted(
            rows, key=lambda r: (r["time_to_ack_s"] is None, r["time_to_ack_s"] or 0, r["code"])
        ),
        "unreachable": [r for r in rows if r["unreachable"] or r["stale_contacts"]],
        "sees_all": own is None,
        "curve_svg": charts.answers_curve(figures),
        "histogram_svg": charts.answers_histogram(figures),
        "trend": points,
        "trend_svg": charts.trend(points) if len(points) > 1 else "",
        "late_answers": reading.answers_after_close(drill=drill, organization_ids=own),
        "notes_form": NotesForm(initial={"notes": drill.notes}) if may_run else None,
    }


@login_required
@require_GET
def drill_report(request, drill_id):
    return render(request, "drills/report.html", _report_context(request, drill_id))


def _filename(drill: Drill, extension: str) -> str:
    return f"bcpweb-drill-{drill.pk}-results.{extension}"


def _export(request, drill_id, write, extension: str, content_type: str):
    context = _report_context(request, drill_id)
    return download(
        write(context["figures"]),
        filename=_filename(context["drill"], extension),
        content_type=content_type,
    )


@login_required
@require_GET
def drill_report_csv(request, drill_id):
    return _export(request, drill_id, exports.results_csv, "csv", CSV_CONTENT_TYPE)


@login_required
@require_GET
def drill_report_xlsx(request, drill_id):
    return _export(request, drill_id, exports.results_xlsx, "xlsx", XLSX_CONTENT_TYPE)


@login_required
@require_GET
def drill_report_pdf(request, drill_id):
    context = _report_context(request, drill_id)
    context["request"] = request
    return download(
        exports.results_pdf(context),
        filename=_filename(context["drill"], "pdf"),
        content_type="application/pdf",
    )
