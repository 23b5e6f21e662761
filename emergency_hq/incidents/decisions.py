"""Activation decisions: recorded with the live criteria, never edited; each publishes its
circular and alerts the segment's participants in the same transaction."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from alerts.models import AlertSource
from alerts.services import alert_send
from bulletin.models import Audience, Category
from bulletin.services import circular_publish
from common.links import absolute_reverse
from common.marks import drill_marked
from organizations import permissions
from organizations.models import Organization
from organizations.permissions import Action
from organizations.selectors import organizations_for_audience
from organizations.vocabulary import Segment

from ..models import (
    ActivationCriterion,
    ActivationDecision,
    DecisionAction,
    Incident,
    IncidentState,
)
from . import dashboard, selectors
from .services import (
    board_changed_on_commit,
    choices_error,
    clean_text,
    lock_incident,
    move_state,
)

RATIONALE_MAX = 5000

# Decisions that investors must see; the others go to members only.
PUBLIC_ACTIONS = (
    DecisionAction.ACTIVATE,
    DecisionAction.DEACTIVATE,
    DecisionAction.HALT_TRADING,
    DecisionAction.RESUME_TRADING,
)


def _labels(segment: str, action: str, language: str) -> tuple[str, str]:
    with translation.override(language):
        return str(Segment(segment).label), str(DecisionAction(action).label)


def _circular_text(
    incident: Incident, decision: ActivationDecision, language: str
) -> tuple[str, str]:
    """The decision's circular in one language: its title (without the drill mark, which the
    circular and the alert each add once) and its Markdown body."""
    segment, action = _labels(decision.segment, decision.action, language)
    at = date_format(timezone.localtime(decision.decided_at), "Y-m-d H:i")
    cited = {c["code"]: c for c in decision.criteria_snapshot}
    with translation.override(language):
        title = f"{action}: {segment}"
        lines = [
            f"**{incident.display_title_for(language)}**",
            "",
            f"- {_('Segment')}: {segment}",
            f"- {_('Decision')}: {action}",
            f"- {_('Decided at')}: {at} JST",
            "",
            f"### {_('Rationale')}",
            "",
            decision.rationale_for(language),
        ]
        if decision.criteria:
            heading = _("Criteria")
            lines += ["", f"### {heading}", ""]
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
    for e in dashboard.criteria_evaluate(incident=incident):
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
    rationale_en: str = "",
) -> ActivationDecision:
    """Record a decision with the live criteria; publish its circular and alert, atomically."""
    permissions.require(actor, Action.RUN_HQ)
    incident = lock_incident(incident)
    errors = {}
    if not incident.is_open:
        errors["incident"] = _("This incident is closed: no more decisions can be recorded.")
    if segment not in Segment.values:
        errors["segment"] = choices_error(segment, Segment.values)
    if action not in DecisionAction.values:
        errors["action"] = choices_error(action, DecisionAction.values)
    rationale = clean_text(rationale)
    if not rationale:
        errors["rationale"] = _("Give the rationale of the decision.")
    elif len(rationale) > RATIONALE_MAX:
        errors["rationale"] = _("Use at most %(n)s characters.") % {"n": RATIONALE_MAX}
    rationale_en = clean_text(rationale_en)
    if len(rationale_en) > RATIONALE_MAX:
        errors["rationale_en"] = _("Use at most %(n)s characters.") % {"n": RATIONALE_MAX}
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
        rationale_en=rationale_en,
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
        title_ja=drill_marked(title_ja, language="ja", is_drill=incident.is_drill),
        title_en=drill_marked(title_en, language="en", is_drill=incident.is_drill),
        body_ja=body_ja,
        body_en=body_en,
        category=category,
        audience=audience,
    )
    decision.save()

    organizations = _segment_participants(segment)
    if organizations:
        link = absolute_reverse("circular_detail", decision.circular.number)
        alert = alert_send(
            actor=actor,
            subject_ja=f"{title_ja}（通達 {decision.circular.number}）",
            subject_en=f"{title_en} (circular {decision.circular.number})",
            body_ja=f"{body_ja}\n\n{link}",
            body_en=f"{body_en}\n\n{link}",
            source=AlertSource(
                "decision", decision.pk, f"{title_ja} / {title_en} ({decision.circular.number})"
            ),
            organizations=organizations,
            is_drill=incident.is_drill,
            targeting={"incident": incident.pk, "decision": decision.pk, "segment": segment},
        )
        # The one write after creation: linking the outbox written in this transaction.
        ActivationDecision.objects.filter(pk=decision.pk).update(alert=alert)
        decision.alert = alert

    _follow_decisions(actor=actor, incident=incident)
    board_changed_on_commit(incident)
    return decision


def _segment_participants(segment: str) -> list[Organization]:
    try:
        return organizations_for_audience(audience="segments", segments=[segment]).organizations
    except ValidationError:
        return []  # nobody takes part in the segment: the decision alerts no one


def _follow_decisions(*, actor, incident: Incident) -> None:
    """Keep the incident's state in step with the activations in force."""
    active = selectors.active_segments(incident)
    if active and incident.state != IncidentState.BCP_ACTIVE:
        if incident.state == IncidentState.MONITORING:
            move_state(
                actor=actor,
                incident=incident,
                to_state=IncidentState.HQ_CONVENED,
                note=_("convened to decide"),
            )
        move_state(actor=actor, incident=incident, to_state=IncidentState.BCP_ACTIVE)
    elif not active and incident.state == IncidentState.BCP_ACTIVE:
        move_state(actor=actor, incident=incident, to_state=IncidentState.RECOVERING)
