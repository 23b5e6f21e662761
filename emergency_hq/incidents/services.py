"""Every write of incidents: open, change state, convene the HQ, declare, decide.

Each service is atomic, keyword-only with the acting user, checks ``RUN_HQ`` and attributes
its rows. A decision writes its circular and its alert's outbox in the same transaction; the
public board is rebuilt on commit when what it shows (the activation banner) may change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.models import AlertSource
from alerts.services import alert_send
from common.links import absolute_reverse
from common.text import strip_control_characters
from organizations import permissions
from organizations.models import Organization
from organizations.permissions import Action
from organizations.services import attribute
from status_board import snapshots

from ..models import (
    ActivationCriterion,
    CriterionKind,
    HQConvening,
    HQMember,
    HQRole,
    Incident,
    IncidentKind,
    IncidentState,
    IncidentTransition,
    ManualDeclaration,
)
from ..models.incidents import TRANSITIONS
from . import selectors

TITLE_MAX = 200


def board_changed_on_commit(incident: Incident) -> None:
    if not incident.is_drill:
        transaction.on_commit(snapshots.board_changed)


def choices_error(value, choices) -> str:
    return _("Unknown value %(value)s; use one of: %(choices)s.") % {
        "value": value,
        "choices": ", ".join(str(c) for c in choices),
    }


def clean_text(value) -> str:
    """Text as stored: control characters would break feeds, e-mails and readers."""
    return strip_control_characters(value).strip() if isinstance(value, str) else ""


def lock_incident(incident: Incident) -> Incident:
    return Incident.objects.select_for_update().get(pk=incident.pk)


def move_state(*, actor, incident: Incident, to_state: str, note: str = "", at=None) -> None:
    """Record one state change; the caller holds the incident's row lock."""
    IncidentTransition.objects.create(
        incident=incident,
        from_state=incident.state,
        to_state=to_state,
        note=clean_text(note)[:300],
        at=at or timezone.now(),
        by=actor,
    )
    incident.state = to_state
    fields = ["state"]
    if to_state == IncidentState.CLOSED:
        incident.closed_at = timezone.now()
        fields.append("closed_at")
    attribute(incident, actor)
    incident.save(update_fields=fields)


@transaction.atomic
def incident_open(
    *,
    actor,
    title: str,
    kind: str,
    severity: int,
    is_drill: bool = False,
    region: str = "",
    description: str = "",
    started_at: datetime | None = None,
    title_en: str = "",
    description_en: str = "",
) -> Incident:
    permissions.require(actor, Action.RUN_HQ)
    errors = {}
    title = clean_text(title)
    if not title:
        errors["title"] = _("Enter a title.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("Use at most %(n)s characters.") % {"n": TITLE_MAX}
    title_en = clean_text(title_en)
    if len(title_en) > TITLE_MAX:
        errors["title_en"] = _("Use at most %(n)s characters.") % {"n": TITLE_MAX}
    if kind not in IncidentKind.values:
        errors["kind"] = choices_error(kind, IncidentKind.values)
    if not isinstance(severity, int) or isinstance(severity, bool) or not 1 <= severity <= 4:
        errors["severity"] = _("Severity is a whole number from 1 to 4.")
    if started_at is not None and timezone.is_naive(started_at):
        errors["started_at"] = _("Give the time with its time zone.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    incident = Incident(
        title=title,
        kind=kind,
        severity=severity,
        is_drill=bool(is_drill),
        region=clean_text(region)[:200],
        description=clean_text(description),
        title_en=title_en,
        description_en=clean_text(description_en),
        state=IncidentState.MONITORING,
        started_at=started_at or now,
        opened_by=actor,
    )
    attribute(incident, actor)
    incident.save()
    IncidentTransition.objects.create(
        incident=incident, from_state="", to_state=IncidentState.MONITORING, at=now, by=actor
    )
    board_changed_on_commit(incident)
    return incident


@transaction.atomic
def incident_transition(*, actor, incident: Incident, to_state: str, note: str = "") -> Incident:
    """Move the incident along its states; anything the state machine does not allow is refused."""
    permissions.require(actor, Action.RUN_HQ)
    incident = lock_incident(incident)
    if to_state not in IncidentState.values:
        raise ValidationError({"state": choices_error(to_state, IncidentState.values)})
    if to_state not in TRANSITIONS[incident.state]:
        raise ValidationError(
            {
                "state": _("An incident cannot go from %(from)s to %(to)s.")
                % {
                    "from": IncidentState(incident.state).label,
                    "to": IncidentState(to_state).label,
                }
            }
        )
    if to_state == IncidentState.CLOSED and selectors.active_segments(incident):
        raise ValidationError(
            {"state": _("Deactivate BCP in every segment before closing the incident.")}
        )
    move_state(actor=actor, incident=incident, to_state=to_state, note=note)
    board_changed_on_commit(incident)
    return incident


@transaction.atomic
def hq_convene(
    *,
    actor,
    incident: Incident,
    location: str,
    location_en: str = "",
    alternate_location: str = "",
    conference_bridge: str = "",
    participants: Iterable[Organization] = (),
    members: Sequence[tuple[str, str, Organization | None]] = (),
    convened_at: datetime | None = None,
) -> HQConvening:
    """Set up the HQ and alert the participating institutions' contact trees."""
    permissions.require(actor, Action.RUN_HQ)
    incident = lock_incident(incident)
    errors = {}
    if not incident.is_open:
        errors["incident"] = _("This incident is closed.")
    location = clean_text(location)
    if not location:
        errors["location"] = _("Say where the HQ meets.")
    if convened_at is not None and timezone.is_naive(convened_at):
        errors["convened_at"] = _("Give the time with its time zone.")
    participants = sorted({o.pk: o for o in participants}.values(), key=lambda o: o.code)
    for role, name, _org in members:
        if role not in HQRole.values:
            errors["members"] = choices_error(role, HQRole.values)
        elif not clean_text(name):
            errors["members"] = _("Give each HQ member a name.")
    if errors:
        raise ValidationError(errors)
    convening = HQConvening(
        incident=incident,
        convened_at=convened_at or timezone.now(),
        location=location[:200],
        location_en=clean_text(location_en)[:200],
        alternate_location=clean_text(alternate_location)[:200],
        conference_bridge=clean_text(conference_bridge)[:300],
        convened_by=actor,
    )
    attribute(convening, actor)
    convening.save()
    convening.participants.set(participants)
    HQMember.objects.bulk_create(
        [
            HQMember(convening=convening, role=role, name=clean_text(name)[:120], organization=org)
            for role, name, org in members
        ]
    )
    if incident.state == IncidentState.MONITORING:
        move_state(actor=actor, incident=incident, to_state=IncidentState.HQ_CONVENED)
    active = [o for o in participants if o.active]
    if active:
        link = absolute_reverse("alert_inbox")
        bridge_ja = (
            f"\n電話会議: {convening.conference_bridge}" if convening.conference_bridge else ""
        )
        bridge_en = (
            f"\nConference bridge: {convening.conference_bridge}"
            if convening.conference_bridge
            else ""
        )
        alt_ja = f"（代替: {convening.alternate_location}）" if convening.alternate_location else ""
        alt_en = (
            f" (alternate: {convening.alternate_location})" if convening.alternate_location else ""
        )
        alert = alert_send(
            actor=actor,
            subject_ja=f"緊急対策本部設置: {incident.title}",
            subject_en=f"Emergency HQ convened: {incident.title_for('en')}",
            body_ja=(
                f"「{incident.title}」について災害時緊急対策本部を設置しました。\n"
                f"場所: {convening.location}{alt_ja}{bridge_ja}\n"
                f"参加機関として受領を連絡してください。\n{link}"
            ),
            body_en=(
                f'The emergency HQ has been convened for "{incident.title_for("en")}".\n'
                f"Location: {convening.location_for('en')}{alt_en}{bridge_en}\n"
                f"Please confirm receipt as a participating institution.\n{link}"
            ),
            source=AlertSource(
                "convening",
                convening.pk,
                f"本部設置 / HQ convened: {incident.title} / {incident.title_for('en')}",
            ),
            organizations=active,
            is_drill=incident.is_drill,
            targeting={"incident": incident.pk, "convening": convening.pk},
        )
        convening.alert = alert
        convening.save(update_fields=["alert"])
    return convening


@transaction.atomic
def criterion_declare(
    *, actor, incident: Incident, criterion: ActivationCriterion, met: bool, note: str = ""
) -> ManualDeclaration:
    permissions.require(actor, Action.RUN_HQ)
    incident = lock_incident(incident)
    if not incident.is_open:
        raise ValidationError(_("This incident is closed."))
    if criterion.kind != CriterionKind.MANUAL or not criterion.active:
        raise ValidationError(_("Only an active manual criterion can be declared."))
    return ManualDeclaration.objects.create(
        incident=incident,
        criterion=criterion,
        met=bool(met),
        note=clean_text(note)[:300],
        declared_at=timezone.now(),
        declared_by=actor,
    )
