"""Reads of drills; none returns a drill or a row the user may not see.

HQ staff and regulators see every drill. A member sees the drills its organizations take
part in — an unannounced one only once it has started (participants learn of it then).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from alerts.selectors import alerts_of_source
from common.marks import drill_marked
from organizations import permissions
from organizations.permissions import Action
from status_board.drill_reports import RunningDrill

from .models import Drill, DrillInject, DrillParticipant, DrillState


def sees_every_drill(user) -> bool:
    return permissions.can(user, Action.VIEW_SITUATION)


def drills_visible(*, user) -> QuerySet[Drill]:
    qs = Drill.objects.select_related("planned_by").order_by("-planned_at", "-id")
    if sees_every_drill(user):
        return qs
    own = permissions.member_organization_ids(user)
    if not own:
        return qs.none()
    return qs.filter(
        pk__in=DrillParticipant.objects.filter(organization_id__in=own).values("drill_id")
    ).filter(Q(announced=True) | ~Q(state=DrillState.PLANNED))


def drill_get_visible(*, user, drill_id: int) -> Drill:
    """The drill, Http404 when there is none; PermissionDenied when the user may not see it."""
    drill = Drill.objects.filter(pk=drill_id).first() if drill_id < 2**31 else None
    if drill is None:
        raise Http404
    if not drills_visible(user=user).filter(pk=drill.pk).exists():
        raise PermissionDenied(_("Only the HQ, regulators and the drill's participants see it."))
    return drill


def own_participant_ids(*, user, drill: Drill) -> set[int] | None:
    """The organizations whose rows the user sees: None for every row (HQ, regulators)."""
    if sees_every_drill(user):
        return None
    own = permissions.member_organization_ids(user)
    return set(
        drill.participants.filter(organization_id__in=own).values_list("organization_id", flat=True)
    )


def participants_of(drill: Drill) -> QuerySet[DrillParticipant]:
    return drill.participants.select_related("organization").order_by("organization__code")


def running_for(organization) -> list[RunningDrill]:
    """The running drills an organization takes part in (for the reporter form)."""
    drills = Drill.objects.filter(
        state=DrillState.RUNNING, participants__organization=organization
    ).order_by("started_at", "id")
    return [
        RunningDrill(
            id=d.pk,
            label=drill_marked(d.title, language=_language(), is_drill=True),
            board_url=reverse("drill_board", args=[d.pk]),
        )
        for d in drills
    ]


def _language() -> str:
    from django.utils.translation import get_language

    return "en" if (get_language() or "ja").startswith("en") else "ja"


def incident_alert_ids(incident) -> list[int]:
    drill = Drill.objects.filter(incident=incident).first()
    if drill is None:
        return []
    ids = [drill.alert_id] if drill.alert_id else []
    ids += [i for i in drill.injects.exclude(alert=None).values_list("alert_id", flat=True) if i]
    circulars = list(drill.injects.exclude(circular=None).values_list("circular_id", flat=True))
    if circulars:
        ids += list(alerts_of_source(kind="circular", ids=circulars).values_list("pk", flat=True))
    return ids


def incident_organization_ids(incident) -> set[int] | None:
    drill = Drill.objects.filter(incident=incident).first()
    if drill is None:
        return None
    return set(drill.participants.values_list("organization_id", flat=True))


def running_drill_incident():
    """The incident of the drill running now (the newest, if several): a 訓練 telegram joins it."""
    drill = (
        Drill.objects.filter(state=DrillState.RUNNING, incident__isnull=False)
        .select_related("incident")
        .order_by("-started_at", "-id")
        .first()
    )
    return drill.incident if drill else None


def injects_of(drill: Drill) -> list[DrillInject]:
    return list(drill.injects.select_related("alert", "circular").order_by("offset_minutes", "id"))


def drills_due_to_start(now) -> QuerySet[Drill]:
    return Drill.objects.filter(state=DrillState.PLANNED, starts_at__lte=now)


def drills_running() -> QuerySet[Drill]:
    return Drill.objects.filter(state=DrillState.RUNNING)
