"""Every write of a drill: plan, start, close, the HQ's notes and the test-day contacts.

Each service is atomic, keyword-only with the acting user, checks its permission and
attributes its rows. A drill moves planned → running → closed; any other move raises
``DrillStateConflict`` (the API answers 409). Bad input raises ValidationError by field and
stores nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.models import AlertSource
from alerts.services import alert_close, alert_send
from alerts.snapshot import SnapshotContact
from bulletin.rendering import render_markdown
from common.links import absolute_reverse
from emergency_hq.incidents import services as incidents
from emergency_hq.models import IncidentKind, IncidentState
from organizations import permissions
from organizations.models import Organization
from organizations.permissions import Action
from organizations.services import attribute

from . import board, planning, results
from . import injects as inject_sending
from .models import Drill, DrillInject, DrillParticipant, DrillState
from .planning import DrillContactInput, InjectInput

__all__ = ["InjectInput", "DrillContactInput"]


class DrillStateConflict(Exception):
    """The drill is not in the state the action needs (the API's 409)."""


def _lock(drill: Drill) -> Drill:
    return Drill.objects.select_for_update().get(pk=drill.pk)


@transaction.atomic
def drill_plan(
    *,
    actor,
    title_ja: str,
    scenario_ja: str,
    audience: str,
    answer_minutes,
    title_en: str = "",
    scenario_en: str = "",
    organizations: Sequence = (),
    kinds: Sequence[str] = (),
    segments: Sequence[str] = (),
    committees: Sequence[str] = (),
    starts_at: datetime | None = None,
    announced: bool = True,
    injects: Sequence[InjectInput] = (),
    test_contacts: Sequence[DrillContactInput] = (),
    incident_kind: str = IncidentKind.EARTHQUAKE,
    severity: int = 3,
    now: datetime | None = None,
) -> Drill:
    permissions.require(actor, Action.RUN_HQ)
    now = now or timezone.now()
    plan = planning.check_plan(
        title_ja=title_ja,
        title_en=title_en,
        scenario_ja=scenario_ja,
        scenario_en=scenario_en,
        audience=audience,
        organizations=organizations,
        kinds=kinds,
        segments=segments,
        committees=committees,
        starts_at=starts_at,
        answer_minutes=answer_minutes,
        injects=injects,
        test_contacts=test_contacts,
        incident_kind=incident_kind,
        severity=severity,
        now=now,
    )
    drill = Drill(
        title_ja=plan.title_ja,
        title_en=plan.title_en,
        scenario_ja=plan.scenario_ja,
        scenario_en=plan.scenario_en,
        scenario_html_ja=render_markdown(plan.scenario_ja),
        scenario_html_en=render_markdown(plan.scenario_en),
        audience=audience,
        targeting=plan.targeting,
        announced=bool(announced),
        starts_at=starts_at,
        answer_minutes=plan.answer_minutes,
        incident_kind=incident_kind,
        severity=severity,
        planned_by=actor,
    )
    attribute(drill, actor)
    drill.save()
    contacts = {c.organization: c for c in plan.test_contacts}
    DrillParticipant.objects.bulk_create(
        [planning.participant(drill, org, contacts.get(org.code)) for org in plan.participants]
    )
    board.participants_tally(drill=drill)
    DrillInject.objects.bulk_create(
        [
            DrillInject(
                drill=drill,
                offset_minutes=i.offset_minutes,
                kind=i.kind,
                title_ja=i.title_ja,
                title_en=i.title_en,
                body_ja=i.body_ja,
                body_en=i.body_en,
                requires_ack=i.requires_ack,
            )
            for i in plan.injects
        ]
    )
    if drill.announced:
        _announce(actor=actor, drill=drill, organizations=plan.participants)
    return drill


def _when(moment: datetime | None, language: str) -> str:
    if moment is None:
        return "開始日時は追って連絡します" if language == "ja" else "the start will follow"
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M JST")


def _announce(*, actor, drill: Drill, organizations: list[Organization]) -> None:
    """An announced drill: participants hear of it when it is planned (no answer asked)."""
    link = absolute_reverse("drill_detail", drill.pk)
    title_en = drill.title_en or drill.title_ja
    alert_send(
        actor=actor,
        subject_ja=f"共同演習の予告: {drill.title_ja}",
        subject_en=f"Joint drill announced: {title_en}",
        body_ja=(
            f"共同演習「{drill.title_ja}」を実施します（{_when(drill.starts_at, 'ja')}）。\n"
            f"回答期限は開始から{drill.answer_minutes}分です。当日の連絡先を登録できます。\n{link}"
        ),
        body_en=(
            f'The joint drill "{title_en}" will take place ({_when(drill.starts_at, "en")}).\n'
            f"Answers are due {drill.answer_minutes} minutes after the start. You may name a "
            f"test-day contact.\n{link}"
        ),
        source=AlertSource("drill_notice", drill.pk, f"共同演習の予告 / Drill notice: {title_en}"),
        organizations=organizations,
        requires_ack=False,
        is_drill=True,
        targeting={"drill": drill.pk, "notice": True},
    )


def _test_day_contacts(participants: list[DrillParticipant]) -> dict[int, list[SnapshotContact]]:
    # Negative ids: never a contact's id, so an answer through its link names this person.
    return {
        p.organization_id: [
            SnapshotContact(
                id=-p.pk,
                name=p.test_contact_name or _("Test-day contact"),
                email=p.test_contact_email,
                sms=p.test_contact_sms,
                language=p.test_contact_language or "ja",
                order=1,
                parent=None,
            )
        ]
        for p in participants
        if p.has_test_contact
    }


@transaction.atomic
def drill_start(*, actor, drill: Drill, now: datetime | None = None) -> Drill:
    """Open the drill incident, send the 【訓練】 alert along every participant's contact tree
    (and its test-day contact), open the drill board, and send the injects due at once."""
    permissions.require(actor, Action.RUN_HQ)
    drill = _lock(drill)
    if drill.state != DrillState.PLANNED:
        raise DrillStateConflict(_("Only a planned drill can be started."))
    now = now or timezone.now()
    participants = list(drill.participants.select_related("organization"))
    organizations = [p.organization for p in participants if p.organization.active]
    if not organizations:
        raise ValidationError({"organizations": _("No participant of this drill is active.")})
    incident = incidents.incident_open(
        actor=actor,
        title=drill.title_ja,
        kind=drill.incident_kind,
        severity=drill.severity,
        is_drill=True,
        description=drill.scenario_ja[:5000],
        started_at=now,
    )
    title_en = drill.title_en or drill.title_ja
    inbox = absolute_reverse("alert_inbox")
    report = absolute_reverse("status_report_start")
    drill.alert = alert_send(
        actor=actor,
        subject_ja=f"共同演習開始: {drill.title_ja}",
        subject_en=f"Joint drill started: {title_en}",
        body_ja=(
            f"これは訓練です。共同演習「{drill.title_ja}」を開始しました。\n\n{drill.scenario_ja}\n\n"
            f"開始から{drill.answer_minutes}分以内に受領を回答し、訓練として状況を報告して"
            f"ください（報告画面で「訓練」を選びます）。\n回答: {inbox}\n報告: {report}"
        ),
        body_en=(
            f'This is a drill. The joint drill "{title_en}" has started.\n\n'
            f"{drill.scenario_en or drill.scenario_ja}\n\nPlease acknowledge within "
            f"{drill.answer_minutes} minutes and report your status as a drill report (choose "
            f'"drill" on the reporting page).\nAnswer: {inbox}\nReport: {report}'
        ),
        source=AlertSource("drill", drill.pk, f"共同演習 / Drill: {title_en}"),
        organizations=organizations,
        requires_ack=True,
        deadline=now + timedelta(minutes=drill.answer_minutes),
        is_drill=True,
        targeting={"drill": drill.pk},
        extra_contacts=_test_day_contacts(participants),
    )
    drill.incident = incident
    drill.state = DrillState.RUNNING
    drill.started_at = now
    drill.started_by = actor
    attribute(drill, actor)
    drill.save(update_fields=["alert", "incident", "state", "started_at", "started_by"])
    inject_sending.injects_send_due(actor=actor, drill=drill, now=now)
    return drill


@transaction.atomic
def drill_close(*, actor, drill: Drill, now: datetime | None = None) -> Drill:
    """End the drill: its figures are frozen as they stand now; later answers count as late."""
    permissions.require(actor, Action.RUN_HQ)
    drill = _lock(drill)
    if drill.state != DrillState.RUNNING:
        raise DrillStateConflict(_("Only a running drill can be closed."))
    now = now or timezone.now()
    drill.state = DrillState.CLOSED
    drill.closed_at = now
    drill.closed_by = actor
    drill.results = results.results_compute(drill=drill, cutoff=now).as_dict()
    attribute(drill, actor)
    drill.save(update_fields=["state", "closed_at", "closed_by", "results"])
    if drill.alert_id:
        alert_close(actor=actor, alert=drill.alert)
    _incident_close(actor=actor, drill=drill)
    return drill


def _incident_close(*, actor, drill: Drill) -> None:
    """Close the drill incident where its state allows; with BCP still active in the drill it
    stays open for the HQ to wind down on its own page."""
    incident = drill.incident
    if incident is None or not incident.is_open:
        return
    if incident.state not in (IncidentState.MONITORING, IncidentState.HQ_CONVENED):
        return
    incidents.incident_transition(
        actor=actor, incident=incident, to_state=IncidentState.CLOSED, note="共同演習終了"
    )


@transaction.atomic
def drill_notes_save(*, actor, drill: Drill, notes: str) -> Drill:
    """The HQ's notes for the after-action report (lessons, problems, next steps)."""
    permissions.require(actor, Action.RUN_HQ)
    drill = _lock(drill)
    drill.notes = planning.clean_text(notes)[: planning.NOTES_MAX]
    attribute(drill, actor)
    drill.save(update_fields=["notes"])
    return drill


@transaction.atomic
def drill_test_contact_set(
    *, actor, drill: Drill, organization: Organization, contact: DrillContactInput
) -> DrillParticipant:
    """A participant names (or clears) its test-day contact while the drill is planned."""
    if not (
        permissions.can(actor, Action.MANAGE_CONTACTS, organization)
        or permissions.can(actor, Action.RUN_HQ)
    ):
        raise PermissionDenied(_("You do not have permission to do this."))
    drill = _lock(drill)
    participant = DrillParticipant.objects.filter(drill=drill, organization=organization).first()
    if participant is None:
        raise ValidationError(
            {
                "organization": _("%(code)s does not take part in this drill.")
                % {"code": organization.code}
            }
        )
    if drill.state != DrillState.PLANNED:
        raise DrillStateConflict(_("The test-day contact is fixed once the drill has started."))
    checked = planning.check_test_contact(contact)
    planning.apply_test_contact(participant, checked)
    attribute(participant, actor)
    participant.save()
    return participant
