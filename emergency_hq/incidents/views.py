"""HQ pages: incidents, convening, decisions, the situation dashboard and the report.

Reading is for HQ staff and regulators; every write is for HQ staff. There is no page that
edits or deletes a decision: a correction is recorded as a new decision.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.forms import run_action, save_form
from organizations import permissions
from organizations.permissions import Action

from ..models import ActivationDecision, Incident, IncidentState
from ..models.incidents import TRANSITIONS
from ..quake import selectors as quake_selectors
from . import dashboard, decisions, selectors, services
from .forms import ConveneForm, DecisionForm, DeclarationForm, IncidentForm, TransitionForm

POLL_SECONDS = 10
# The list refreshes itself: an incident the earthquake feed opens appears within seconds.
LIST_POLL_SECONDS = 5


def _incident(request, incident_id) -> Incident:
    return selectors.incident_for_hq(user=request.user, incident_id=incident_id)


@login_required
@require_GET
def hq_incident_list(request):
    permissions.require(request.user, Action.VIEW_SITUATION)
    incidents = list(Incident.objects.select_related("opened_by")[:200])
    return render(
        request,
        "emergency_hq/incident_list.html",
        {
            "real": [i for i in incidents if not i.is_drill],
            "drills": [i for i in incidents if i.is_drill],
            "may_run": permissions.can(request.user, Action.RUN_HQ),
            "poll_seconds": LIST_POLL_SECONDS,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def hq_incident_create(request):
    permissions.require(request.user, Action.RUN_HQ)
    form = IncidentForm(request.POST or None)
    incident = save_form(
        request,
        form,
        lambda f: services.incident_open(actor=request.user, **f.cleaned_data),
        success=_("Incident opened."),
    )
    if incident:
        return redirect("hq_incident_detail", incident_id=incident.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "emergency_hq/incident_form.html", {"form": form}, status=status)


def _dashboard_context(request, incident: Incident) -> dict:
    situation = dashboard.situation(user=request.user, incident=incident)
    alerts = dashboard.alerts_progress(user=request.user, incident=incident)
    return {
        "incident": incident,
        "situation": situation,
        "alerts": alerts,
        "timeline": dashboard.timeline(user=request.user, incident=incident, alerts=alerts),
        "poll_seconds": POLL_SECONDS,
        "quake": quake_selectors.quake_situation(user=request.user, incident=incident),
    }


@login_required
@require_GET
def hq_incident_detail(request, incident_id):
    incident = _incident(request, incident_id)
    context = _dashboard_context(request, incident)
    may_run = permissions.can(request.user, Action.RUN_HQ)
    context.update(
        {
            "may_run": may_run,
            "next_states": [IncidentState(s) for s in TRANSITIONS[incident.state]],
            "declaration_form": DeclarationForm() if may_run and incident.is_open else None,
            "convenings": incident.convenings.prefetch_related("participants", "members"),
            "decisions": selectors.decisions_of(user=request.user, incident=incident),
            "marks": quake_selectors.marks_of(incident),
        }
    )
    return render(request, "emergency_hq/incident_detail.html", context)


@never_cache
@login_required
@require_GET
def hq_incident_situation(request, incident_id):
    """The part of the dashboard that htmx polls."""
    incident = _incident(request, incident_id)
    return render(request, "emergency_hq/_situation.html", _dashboard_context(request, incident))


@login_required
@require_GET
def hq_incident_report(request, incident_id):
    """The printable situation report (状況報告) for the FSA and the Bank of Japan."""
    incident = _incident(request, incident_id)
    context = _dashboard_context(request, incident)
    context["decisions"] = selectors.decisions_of(user=request.user, incident=incident)
    context["convening"] = incident.convenings.prefetch_related("participants", "members").first()
    return render(request, "emergency_hq/incident_report.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def hq_incident_convene(request, incident_id):
    permissions.require(request.user, Action.RUN_HQ)
    incident = _incident(request, incident_id)
    form = ConveneForm(request.POST or None)

    def convene(form):
        data = form.cleaned_data
        return services.hq_convene(
            actor=request.user,
            incident=incident,
            location=data["location"],
            location_en=data["location_en"],
            alternate_location=data["alternate_location"],
            conference_bridge=data["conference_bridge"],
            participants=data["participants"],
            members=form.members(),
        )

    if save_form(
        request, form, convene, success=_("The HQ is convened; the participants are alerted.")
    ):
        return redirect("hq_incident_detail", incident_id=incident.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "emergency_hq/incident_convene.html",
        {"incident": incident, "form": form},
        status=status,
    )


@login_required
@require_POST
def hq_incident_transition(request, incident_id):
    permissions.require(request.user, Action.RUN_HQ)
    incident = _incident(request, incident_id)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the next state."))
    else:
        run_action(
            request,
            lambda: services.incident_transition(
                actor=request.user,
                incident=incident,
                to_state=form.cleaned_data["state"],
                note=form.cleaned_data["note"],
            ),
            success=_("State changed."),
        )
    return redirect("hq_incident_detail", incident_id=incident.pk)


@login_required
@require_POST
def hq_incident_declare(request, incident_id):
    permissions.require(request.user, Action.RUN_HQ)
    incident = _incident(request, incident_id)
    form = DeclarationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a manual criterion and whether it is met."))
    else:
        run_action(
            request,
            lambda: services.criterion_declare(
                actor=request.user,
                incident=incident,
                criterion=form.cleaned_data["criterion"],
                met=form.cleaned_data["met"],
                note=form.cleaned_data["note"],
            ),
            success=_("Declaration recorded."),
        )
    return redirect("hq_incident_detail", incident_id=incident.pk)


@login_required
@require_http_methods(["GET", "POST"])
def hq_decision_create(request, incident_id):
    permissions.require(request.user, Action.RUN_HQ)
    incident = _incident(request, incident_id)
    in_force = list(
        selectors.decisions_of(user=request.user, incident=incident).filter(
            superseded_by__isnull=True
        )
    )
    initial = {}
    if request.GET.get("action"):
        initial["action"] = request.GET["action"]
    if request.GET.get("segment"):
        initial["segment"] = request.GET["segment"]
    form = DecisionForm(request.POST or None, decisions=in_force, initial=initial)

    def decide(form):
        data = form.cleaned_data
        return decisions.decision_record(
            actor=request.user,
            incident=incident,
            segment=data["segment"],
            action=data["action"],
            rationale=data["rationale"],
            rationale_en=data["rationale_en"],
            criteria=data["criteria"],
            supersedes=next((d for d in in_force if d.pk == data["supersedes"]), None),
        )

    def recorded(decision) -> str:
        return _("Decision recorded; circular %(number)s issued.") % {
            "number": decision.circular.number
        }

    if save_form(request, form, decide, success=recorded):
        return redirect("hq_incident_detail", incident_id=incident.pk)
    criteria = dashboard.criteria_evaluate(incident=incident)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "emergency_hq/decision_form.html",
        {"incident": incident, "form": form, "criteria": criteria},
        status=status,
    )


@login_required
@require_GET
def hq_decision_detail(request, incident_id, decision_id):
    incident = _incident(request, incident_id)
    decision = selectors.decision_get_visible(
        user=request.user, incident=incident, decision_id=decision_id
    )
    return render(
        request,
        "emergency_hq/decision_detail.html",
        {
            "incident": incident,
            "decision": decision,
            "later": ActivationDecision.objects.filter(supersedes=decision).first(),
        },
    )
