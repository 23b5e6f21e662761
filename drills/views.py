"""Drill pages: the list, planning, the HQ's live progress, the drill board, a participant's
scorecard and test-day contact. The after-action report and its exports are in report_views.

HQ staff plan, start, close and write notes; regulators read everything; a participant's
members read its own rows beside the market figures.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.forms import apply_validation_error, save_form
from organizations import permissions
from organizations.models import Organization
from organizations.permissions import Action

from . import board, reading, selectors, services
from .forms import START_NOW, DrillForm, InjectFormSet, NotesForm, TestContactForm
from .models import Drill
from .services import DrillContactInput, DrillStateConflict, InjectInput

POLL_SECONDS = 15


def _drill(request, drill_id) -> Drill:
    return selectors.drill_get_visible(user=request.user, drill_id=drill_id)


@login_required
@require_GET
def drill_list(request):
    permissions.require(request.user, Action.VIEW_MEMBERS_AREA)
    drills = list(selectors.drills_visible(user=request.user)[:200])
    return render(
        request,
        "drills/drill_list.html",
        {"drills": drills, "may_run": permissions.can(request.user, Action.RUN_HQ)},
    )


def _plan(request, form, injects):
    data = form.cleaned_data
    drill = services.drill_plan(
        actor=request.user,
        title_ja=data["title_ja"],
        title_en=data["title_en"],
        scenario_ja=data["scenario_ja"],
        scenario_en=data["scenario_en"],
        audience=data["audience"],
        organizations=[o.code for o in data["organizations"]],
        kinds=data["kinds"],
        segments=data["segments"],
        committees=[c.code for c in data["committees"]],
        starts_at=data["starts_at"],
        answer_minutes=data["answer_minutes"],
        announced=data["announced"],
        incident_kind=data["incident_kind"],
        injects=[
            InjectInput(
                offset_minutes=f.cleaned_data["offset_minutes"],
                kind=f.cleaned_data["kind"],
                title_ja=f.cleaned_data["title_ja"],
                body_ja=f.cleaned_data["body_ja"],
            )
            for f in injects
            if f.cleaned_data
        ],
    )
    if data["start"] == START_NOW:
        drill = services.drill_start(actor=request.user, drill=drill)
    return drill


@login_required
@require_http_methods(["GET", "POST"])
def drill_create(request):
    permissions.require(request.user, Action.RUN_HQ)
    form = DrillForm(request.POST or None)
    injects = InjectFormSet(request.POST or None, prefix="injects")
    drill = None
    if request.method == "POST" and injects.is_valid():
        drill = save_form(
            request,
            form,
            lambda f: _plan(request, f, injects),
            success=lambda d: (
                _("Drill started: the alert is on its way.")
                if d.is_running
                else _("Drill planned.")
            ),
        )
    if drill:
        return redirect("drill_detail", drill_id=drill.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "drills/drill_form.html", {"form": form, "injects": injects}, status=status
    )


def _progress_rows(figures: dict) -> list[dict]:
    """Who has not answered yet first, then the slowest, then the rest by code."""
    return sorted(
        figures["organizations"],
        key=lambda r: (
            r["acknowledged_at"] is not None and r["first_report_at"] is not None,
            r["acknowledged_at"] is not None or r["first_report_at"] is not None,
            not r["unreachable"],
            r["code"],
        ),
    )


@login_required
@require_GET
def drill_detail(request, drill_id):
    drill = _drill(request, drill_id)
    own = selectors.own_participant_ids(user=request.user, drill=drill)
    figures = reading.results_visible(user=request.user, drill=drill) if own != set() else None
    rows = _progress_rows(figures) if figures else []
    return render(
        request,
        "drills/drill_detail.html",
        {
            "drill": drill,
            "figures": figures,
            "rows": rows,
            "silent": [r for r in rows if not r["acknowledged_at"] and not r["first_report_at"]],
            "sees_all": own is None,
            "may_run": permissions.can(request.user, Action.RUN_HQ),
            "injects": selectors.injects_of(drill),
            "participants": selectors.participants_of(drill).filter(
                **({} if own is None else {"organization_id__in": own})
            ),
            "own_reporter": [
                o
                for o in Organization.objects.filter(pk__in=own or ())
                if permissions.can(request.user, Action.MANAGE_CONTACTS, o)
            ],
            "poll_seconds": POLL_SECONDS if drill.is_running else None,
        },
    )


def _move(request, drill_id, service, done: str):
    permissions.require(request.user, Action.RUN_HQ)
    drill = _drill(request, drill_id)
    try:
        service(actor=request.user, drill=drill)
    except (DrillStateConflict, ValidationError) as problem:
        text = " ".join(problem.messages) if isinstance(problem, ValidationError) else str(problem)
        messages.error(request, text)
    else:
        messages.success(request, done)
    return redirect("drill_detail", drill_id=drill.pk)


@login_required
@require_POST
def drill_start(request, drill_id):
    return _move(
        request, drill_id, services.drill_start, _("Drill started: the alert is on its way.")
    )


@login_required
@require_POST
def drill_close(request, drill_id):
    return _move(request, drill_id, services.drill_close, _("Drill closed: the figures are final."))


@login_required
@require_GET
def drill_board(request, drill_id):
    """The drill board: drill reports only, marked 訓練; participants see their own rows."""
    drill = _drill(request, drill_id)
    own = selectors.own_participant_ids(user=request.user, drill=drill)
    return render(
        request,
        "drills/drill_board.html",
        {
            "drill": drill,
            "rows": board.board_rows(drill=drill, organization_ids=own),
            "timeline": board.reports_of(drill=drill, organization_ids=own),
            "sees_all": own is None,
            "may_report": drill.is_running
            and any(permissions.can(request.user, Action.REPORT_STATUS, pk) for pk in (own or ())),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def drill_test_contact(request, drill_id, code):
    drill = _drill(request, drill_id)
    organization = Organization.objects.filter(code=code.upper()).first()
    if organization is None:
        raise Http404
    if not (
        permissions.can(request.user, Action.MANAGE_CONTACTS, organization)
        or permissions.can(request.user, Action.RUN_HQ)
    ):
        raise PermissionDenied
    participant = drill.participants.filter(organization=organization).first()
    initial = {}
    if participant is not None:
        initial = {
            "name": participant.test_contact_name,
            "email": participant.test_contact_email,
            "sms": participant.test_contact_sms,
            "language": participant.test_contact_language,
        }
    form = TestContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.drill_test_contact_set(
                actor=request.user,
                drill=drill,
                organization=organization,
                contact=DrillContactInput(organization=organization.code, **form.cleaned_data),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        except DrillStateConflict as conflict:
            form.add_error(None, str(conflict))
        else:
            messages.success(request, _("Test-day contact saved."))
            return redirect("drill_detail", drill_id=drill.pk)
    return render(
        request,
        "drills/test_contact_form.html",
        {"drill": drill, "organization": organization, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def drill_notes(request, drill_id):
    permissions.require(request.user, Action.RUN_HQ)
    drill = _drill(request, drill_id)
    form = NotesForm(request.POST)
    if form.is_valid():
        services.drill_notes_save(actor=request.user, drill=drill, notes=form.cleaned_data["notes"])
        messages.success(request, _("Notes saved."))
    return redirect("drill_report", drill_id=drill.pk)
