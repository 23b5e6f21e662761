"""Reads of incidents and decisions, and the BCP activations in force; none returns what the
user may not see. The situation dashboard reads through ``dashboard``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language

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
    incident_title_ja: str
    incident_title_en: str
    is_drill: bool
    circular_number: str = ""
    circular_url: str = ""

    @property
    def incident_title(self) -> str:
        """The incident's title in the language of the page (built once for both pages)."""
        english = (get_language() or "ja").startswith("en")
        return self.incident_title_en if english else self.incident_title_ja

    @property
    def segment_label(self) -> str:
        return str(Segment(self.segment).label)

    def as_dict(self) -> dict:
        return {
            "segment": self.segment,
            "since": timezone.localtime(self.since).isoformat(),
            "incident_title_ja": self.incident_title_ja,
            "incident_title_en": self.incident_title_en,
            "is_drill": self.is_drill,
            "circular": self.circular_number or None,
            "circular_url": self.circular_url or None,
        }

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
        .select_related("incident", "circular")
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
                    incident_title_ja=d.incident.display_title_for("ja"),
                    incident_title_en=d.incident.display_title_for("en"),
                    is_drill=d.is_drill,
                    circular_number=d.circular.number if d.circular_id else "",
                    circular_url=(
                        reverse("circular_detail", args=[d.circular.number])
                        if d.circular_id
                        else ""
                    ),
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
