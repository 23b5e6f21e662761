"""Reads of incidents and decisions, and the BCP activations in force; none returns what the
user may not see. The situation dashboard reads through ``dashboard``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format

from organizations import permissions
from organizations.permissions import Action
from organizations.vocabulary import Segment

from ..models import (
    ActivationDecision,
    Incident,
    IncidentState,
)

SEGMENTS = [s for s in Segment if s != Segment.ALL]


def incidents_visible(*, user) -> QuerySet[Incident]:
    """Every incident, real and drill, for members; nothing for anyone else."""
    permissions.require(user, Action.VIEW_MEMBERS_AREA)
    if not permissions.is_member(user):
        return Incident.objects.none()
    return Incident.objects.select_related("opened_by")


def incident_get_visible(*, user, incident_id: int) -> Incident:
    incident = incidents_visible(user=user).filter(pk=incident_id).first()
    if incident is None:
        raise Http404
    return incident


def incident_for_hq(*, user, incident_id: int) -> Incident:
    """The incident for the situation dashboard: HQ staff and regulators."""
    permissions.require(user, Action.VIEW_SITUATION)
    incident = Incident.objects.filter(pk=incident_id).first()
    if incident is None:
        raise Http404
    return incident


def decisions_of(*, user, incident: Incident) -> QuerySet[ActivationDecision]:
    permissions.require(user, Action.VIEW_MEMBERS_AREA)
    if not permissions.is_member(user):
        return ActivationDecision.objects.none()
    return (
        ActivationDecision.objects.filter(incident=incident)
        .select_related("decided_by", "circular", "supersedes")
        .order_by("-decided_at", "-id")
    )


def decision_get_visible(*, user, incident: Incident, decision_id: int) -> ActivationDecision:
    decision = decisions_of(user=user, incident=incident).filter(pk=decision_id).first()
    if decision is None:
        raise Http404
    return decision


# --- segments in force --------------------------------------------------------------------


def _expand(segment: str) -> list[str]:
    return [s.value for s in SEGMENTS] if segment == Segment.ALL else [segment]


def active_segments_from(decisions) -> dict[str, ActivationDecision]:
    """{segment: the activation in force} after the decisions, superseded ones left out."""
    superseded = {d.supersedes_id for d in decisions if d.supersedes_id}
    active: dict[str, ActivationDecision] = {}
    for d in sorted(decisions, key=lambda d: (d.decided_at, d.pk)):
        if d.pk in superseded:
            continue
        if d.action == "activate":
            for s in _expand(d.segment):
                active[s] = d
        elif d.action == "deactivate":
            for s in _expand(d.segment):
                active.pop(s, None)
    return active


def active_segments(incident: Incident) -> dict[str, ActivationDecision]:
    return active_segments_from(list(incident.decisions.all()))


@dataclass
class ActiveActivation:
    segment: str
    since: datetime
    incident_title: str
    is_drill: bool

    @property
    def segment_label(self) -> str:
        return str(Segment(self.segment).label)

    def __str__(self) -> str:
        at = date_format(timezone.localtime(self.since), "Y-m-d H:i")
        return f"{self.segment_label} ({at} JST) — {self.incident_title}"


def activations_active(*, public_only: bool = True) -> list[ActiveActivation]:
    """BCP activations in force in open incidents, for the market-wide banner.

    ``public_only`` leaves drills out: a drill never reaches the public board.
    """
    incidents = Incident.objects.exclude(state=IncidentState.CLOSED)
    if public_only:
        incidents = incidents.filter(is_drill=False)
    decisions = list(
        ActivationDecision.objects.filter(incident__in=incidents)
        .select_related("incident")
        .order_by("decided_at", "id")
    )
    by_incident: dict[int, list[ActivationDecision]] = {}
    for d in decisions:
        by_incident.setdefault(d.incident_id, []).append(d)
    out = []
    for items in by_incident.values():
        for segment, d in active_segments_from(items).items():
            out.append(
                ActiveActivation(
                    segment=segment,
                    since=d.decided_at,
                    incident_title=d.incident.display_title,
                    is_drill=d.is_drill,
                )
            )
    order = {s.value: i for i, s in enumerate(SEGMENTS)}
    return sorted(out, key=lambda a: (order.get(a.segment, 9), a.since))


def incident_started_at() -> datetime | None:
    """Start of the newest open real incident: "not reported" on the boards counts from here."""
    return (
        Incident.objects.exclude(state=IncidentState.CLOSED)
        .filter(is_drill=False)
        .order_by("-started_at")
        .values_list("started_at", flat=True)
        .first()
    )
