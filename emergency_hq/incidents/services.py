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
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from common.text import strip_control_characters
from organizations import permissions
from organizations.models import Organization
from organizations.permissions import Action
from organizations.services import attribute
from organizations.vocabulary import Segment

from ..models import (
    ActivationCriterion,
    ActivationDecision,
    CriterionKind,
    DecisionAction,
    HQConvening,
    HQMember,
    HQRole,
    Incident,
    IncidentKind,
    IncidentState,
    IncidentTransition,
    ManualDeclaration,
)
from ..models.incidents import DRILL_MARK, TRANSITIONS
from . import selectors

TITLE_MAX = 200
RATIONALE_MAX = 5000

# Decisions that investors must see; the others go to members only.
PUBLIC_ACTIONS = (
    DecisionAction.ACTIVATE,
    DecisionAction.DEACTIVATE,
    DecisionAction.HALT_TRADING,
    DecisionAction.RESUME_TRADING,
)


def _board_changed_on_commit(incident: Incident) -> None:
    if not incident.is_drill:
        from status_board import snapshots

        transaction.on_commit(snapshots.board_changed)


def _choices_error(value, choices) -> str:
    return _("Unknown value %(value)s; use one of: %(choices)s.") % {
        "value": value,
        "choices": ", ".join(str(c) for c in choices),
    }


def _text(value) -> str:
    # Control characters would break feeds, e-mails and readers: never stored.
    return strip_control_characters(value).strip() if isinstance(value, str) else ""


def _lock(incident: Incident) -> Incident:
    return Incident.objects.select_for_update().get(pk=incident.pk)


def _move(*, actor, incident: Incident, to_state: str, note: str = "", at=None) -> None:
    """Record one state change; the caller holds the incident's row lock."""
    IncidentTransition.objects.create(
        incident=incident,
        from_state=incident.state,
        to_state=to_state,
        note=_text(note)[:300],
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
) -> Incident:
    permissions.require(actor, Action.RUN_HQ)
    errors = {}
    title = _text(title)
    if not title:
        errors["title"] = _("Enter a title.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("Use at most %(n)s characters.") % {"n": TITLE_MAX}
    if kind not in IncidentKind.values:
        errors["kind"] = _choices_error(kind, IncidentKind.values)
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
        region=_text(region)[:200],
        description=_text(description),
        state=IncidentState.MONITORING,
        started_at=started_at or now,
        opened_by=actor,
    )
    attribute(incident, actor)
    incident.save()
    IncidentTransition.objects.create(
        incident=incident, from_state="", to_state=IncidentState.MONITORING, at=now, by=actor
    )
    _board_changed_on_commit(incident)
    return incident


@transaction.atomic
def incident_transition(*, actor, incident: Incident, to_state: str, note: str = "") -> Incident:
    """Move the incident along its states; anything the state machine does not allow is refused."""
    permissions.require(actor, Action.RUN_HQ)
    incident = _lock(incident)
    if to_state not in IncidentState.values:
        raise ValidationError({"state": _choices_error(to_state, IncidentState.values)})
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
    _move(actor=actor, incident=incident, to_state=to_state, note=note)
    _board_changed_on_commit(incident)
    return incident


def _drill_prefix(incident: Incident, language: str) -> str:
    return DRILL_MARK[language] if incident.is_drill else ""


@transaction.atomic
def hq_convene(
    *,
    actor,
    incident: Incident,
    location: str,
    alternate_location: str = "",
    conference_bridge: str = "",
    participants: Iterable[Organization] = (),
    members: Sequence[tuple[str, str, Organization | None]] = (),
    convened_at: datetime | None = None,
) -> HQConvening:
    """Set up the HQ and alert the participating institutions' contact trees."""
    from django.conf import settings
    from django.urls import reverse

    from ..alerts.services import alert_send

    permissions.require(actor, Action.RUN_HQ)
    incident = _lock(incident)
    errors = {}
    if not incident.is_open:
        errors["incident"] = _("This incident is closed.")
    location = _text(location)
    if not location:
        errors["location"] = _("Say where the HQ meets.")
    if convened_at is not None and timezone.is_naive(convened_at):
        errors["convened_at"] = _("Give the time with its time zone.")
    participants = sorted({o.pk: o for o in participants}.values(), key=lambda o: o.code)
    for role, name, _org in members:
        if role not in HQRole.values:
            errors["members"] = _choices_error(role, HQRole.values)
        elif not _text(name):
            errors["members"] = _("Give each HQ member a name.")
    if errors:
        raise ValidationError(errors)
    convening = HQConvening(
        incident=incident,
        convened_at=convened_at or timezone.now(),
        location=location[:200],
        alternate_location=_text(alternate_location)[:200],
        conference_bridge=_text(conference_bridge)[:300],
        convened_by=actor,
    )
    attribute(convening, actor)
    convening.save()
    convening.participants.set(participants)
    HQMember.objects.bulk_create(
        [
            HQMember(convening=convening, role=role, name=_text(name)[:120], organization=org)
            for role, name, org in members
        ]
    )
    if incident.state == IncidentState.MONITORING:
        _move(actor=actor, incident=incident, to_state=IncidentState.HQ_CONVENED)
    active = [o for o in participants if o.active]
    if active:
        link = settings.SITE_URL.rstrip("/") + reverse("alert_inbox")
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
            subject_ja=f"{_drill_prefix(incident, 'ja')}緊急対策本部設置: {incident.title}",
            subject_en=f"Emergency HQ convened: {incident.title}",
            body_ja=(
                f"「{incident.title}」について災害時緊急対策本部を設置しました。\n"
                f"場所: {convening.location}{alt_ja}{bridge_ja}\n"
                f"参加機関として受領を連絡してください。\n{link}"
            ),
            body_en=(
                f'The emergency HQ has been convened for "{incident.title}".\n'
                f"Location: {convening.location}{alt_en}{bridge_en}\n"
                f"Please confirm receipt as a participating institution.\n{link}"
            ),
            source=convening,
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
    incident = _lock(incident)
    if not incident.is_open:
        raise ValidationError(_("This incident is closed."))
    if criterion.kind != CriterionKind.MANUAL or not criterion.active:
        raise ValidationError(_("Only an active manual criterion can be declared."))
    return ManualDeclaration.objects.create(
        incident=incident,
        criterion=criterion,
        met=bool(met),
        note=_text(note)[:300],
        declared_at=timezone.now(),
        declared_by=actor,
    )


def _labels(segment: str, action: str, language: str) -> tuple[str, str]:
    with translation.override(language):
        return str(Segment(segment).label), str(DecisionAction(action).label)


def _circular_text(
    incident: Incident, decision: ActivationDecision, language: str
) -> tuple[str, str]:
    from django.utils.formats import date_format

    segment, action = _labels(decision.segment, decision.action, language)
    prefix = _drill_prefix(incident, language)
    at = date_format(timezone.localtime(decision.decided_at), "Y-m-d H:i")
    cited = {c["code"]: c for c in decision.criteria_snapshot}
    with translation.override(language):
        title = f"{prefix}{action}: {segment}"
        lines = [
            f"**{prefix}{incident.title}**",
            "",
            f"- {_('Segment')}: {segment}",
            f"- {_('Decision')}: {action}",
            f"- {_('Decided at')}: {at} JST",
            "",
            f"### {_('Rationale')}",
            "",
            decision.rationale,
        ]
        if decision.criteria:
            lines += ["", f"### {_('Criteria')}", ""]
            for code in decision.criteria:
                c = cited.get(code, {})
                value = "—" if c.get("value") is None else c["value"]
                met = _("met") if c.get("met") else _("not met")
                lines.append(
                    f"- {c.get('label_' + language) or c.get('label', code)}: {value} "
                    f"/ {c.get('threshold')} ({met})"
                )
        if decision.supersedes_id:
            lines += ["", _("This decision corrects and replaces an earlier one.")]
    return title, "\n".join(lines)


def _snapshot(incident: Incident, catalogue: dict[str, ActivationCriterion]) -> list[dict]:
    """Every active criterion as evaluated now, with its labels in both languages."""
    rows = []
    for e in selectors.criteria_evaluate(incident=incident):
        row = e.as_dict()
        criterion = catalogue.get(e.code)
        if criterion is not None:
            row["label_ja"] = criterion.label_ja
            row["label_en"] = criterion.label_en or criterion.label_ja
        rows.append(row)
    return rows


@transaction.atomic
def decision_record(
    *,
    actor,
    incident: Incident,
    segment: str,
    action: str,
    rationale: str,
    criteria: Sequence[str] = (),
    supersedes: ActivationDecision | None = None,
) -> ActivationDecision:
    """Record a decision with the live criteria; publish its circular and alert, atomically."""
    from bulletin.models import Audience, Category
    from bulletin.services import circular_publish

    from ..alerts.selectors import organizations_for_audience
    from ..alerts.services import alert_send

    permissions.require(actor, Action.RUN_HQ)
    incident = _lock(incident)
    errors = {}
    if not incident.is_open:
        errors["incident"] = _("This incident is closed: no more decisions can be recorded.")
    if segment not in Segment.values:
        errors["segment"] = _choices_error(segment, Segment.values)
    if action not in DecisionAction.values:
        errors["action"] = _choices_error(action, DecisionAction.values)
    rationale = _text(rationale)
    if not rationale:
        errors["rationale"] = _("Give the rationale of the decision.")
    elif len(rationale) > RATIONALE_MAX:
        errors["rationale"] = _("Use at most %(n)s characters.") % {"n": RATIONALE_MAX}
    codes = list(dict.fromkeys(str(c).strip() for c in criteria or [] if str(c).strip()))
    catalogue = {c.code: c for c in ActivationCriterion.objects.filter(active=True)}
    unknown = [c for c in codes if c not in catalogue]
    if unknown:
        errors["criteria"] = _("Unknown criterion: %(codes)s") % {"codes": ", ".join(unknown)}
    if supersedes is not None:
        if supersedes.incident_id != incident.pk:
            errors["supersedes"] = _("A decision can only supersede one of the same incident.")
        elif ActivationDecision.objects.filter(supersedes=supersedes).exists():
            errors["supersedes"] = _("That decision has already been superseded.")
    if errors:
        raise ValidationError(errors)

    decision = ActivationDecision(
        incident=incident,
        segment=segment,
        action=action,
        rationale=rationale,
        criteria=codes,
        criteria_snapshot=_snapshot(incident, catalogue),
        supersedes=supersedes,
        is_drill=incident.is_drill,
        decided_by=actor,
        decided_at=timezone.now(),
    )
    title_ja, body_ja = _circular_text(incident, decision, "ja")
    title_en, body_en = _circular_text(incident, decision, "en")
    if incident.is_drill:
        category, audience = Category.DRILL, Audience.MEMBERS
    else:
        category = (
            Category.EMERGENCY
            if action in (DecisionAction.ACTIVATE, DecisionAction.DEACTIVATE)
            else Category.MARKET_RULE
        )
        audience = Audience.PUBLIC if action in PUBLIC_ACTIONS else Audience.MEMBERS
    decision.circular = circular_publish(
        actor=actor,
        title_ja=title_ja,
        title_en=title_en,
        body_ja=body_ja,
        body_en=body_en,
        category=category,
        audience=audience,
    )
    decision.save()

    organizations = list(organizations_for_audience(audience="segment", segment=segment))
    if organizations:
        from django.conf import settings
        from django.urls import reverse

        link = settings.SITE_URL.rstrip("/") + reverse(
            "circular_detail", args=[decision.circular.number]
        )
        alert = alert_send(
            actor=actor,
            subject_ja=f"{title_ja}（通達 {decision.circular.number}）",
            subject_en=f"{title_en} (circular {decision.circular.number})",
            body_ja=f"{body_ja}\n\n{link}",
            body_en=f"{body_en}\n\n{link}",
            source=decision,
            organizations=organizations,
            is_drill=incident.is_drill,
            targeting={"incident": incident.pk, "decision": decision.pk, "segment": segment},
        )
        # The one write after creation: linking the outbox written in this transaction.
        ActivationDecision.objects.filter(pk=decision.pk).update(alert=alert)
        decision.alert = alert

    _follow_decisions(actor=actor, incident=incident)
    _board_changed_on_commit(incident)
    return decision


def _follow_decisions(*, actor, incident: Incident) -> None:
    """Keep the incident's state in step with the activations in force."""
    active = selectors.active_segments(incident)
    if active and incident.state != IncidentState.BCP_ACTIVE:
        if incident.state == IncidentState.MONITORING:
            _move(
                actor=actor,
                incident=incident,
                to_state=IncidentState.HQ_CONVENED,
                note=_("convened to decide"),
            )
        _move(actor=actor, incident=incident, to_state=IncidentState.BCP_ACTIVE)
    elif not active and incident.state == IncidentState.BCP_ACTIVE:
        _move(actor=actor, incident=incident, to_state=IncidentState.RECOVERING)
