"""Manual criteria marked met from a JMA telegram, and the HQ confirming or rejecting them.

A mark is not the HQ's declaration: it counts as met (shown "from JMA, awaiting HQ
confirmation") until the HQ confirms it (its own declaration, met) or rejects it (declared not
met); a 取消 or a 訂正 that no longer meets the rule withdraws it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations import permissions
from organizations.permissions import Action

from . import intensity, rules
from .models import CriterionMark, MarkState, QuakeEvent, QuakeTelegram


def _evidence(match: rules.Match, record: QuakeTelegram) -> str:
    names = "、".join(a.name for a in match.areas)
    return f"{intensity.label(match.strongest)} {names}（{record.kind} #{record.serial}）"[:300]


def criterion_marks_update(
    record: QuakeTelegram, quake: QuakeEvent, decision
) -> list[CriterionMark]:
    """Mark the rules' manual criteria met, awaiting the HQ; withdraw those no longer met."""
    now = timezone.now()
    wanted: dict[int, rules.Match] = {}
    for match in decision.criteria:
        wanted.setdefault(match.rule.criterion_id, match)
    CriterionMark.objects.filter(quake=quake, state=MarkState.PENDING).exclude(
        criterion_id__in=list(wanted)
    ).update(state=MarkState.WITHDRAWN, decided_at=now)
    from ..models import ActivationCriterion

    active = set(
        ActivationCriterion.objects.filter(
            pk__in=list(wanted), active=True, kind="manual"
        ).values_list("pk", flat=True)
    )
    marks = []
    for criterion_id, match in wanted.items():
        if criterion_id not in active:
            continue
        marks_of_incident = CriterionMark.objects.filter(
            incident=quake.incident, criterion_id=criterion_id
        )
        if marks_of_incident.filter(state=MarkState.PENDING).exists():
            continue
        if marks_of_incident.filter(quake=quake).exclude(state=MarkState.WITHDRAWN).exists():
            continue  # the HQ has already decided on this quake
        marks.append(
            CriterionMark.objects.create(
                incident=quake.incident,
                criterion_id=criterion_id,
                quake=quake,
                telegram=record,
                rule_id=match.rule.pk,
                evidence=_evidence(match, record),
                marked_at=now,
            )
        )
    return marks


def criterion_marks_withdraw(quake: QuakeEvent) -> None:
    CriterionMark.objects.filter(quake=quake, state=MarkState.PENDING).update(
        state=MarkState.WITHDRAWN, decided_at=timezone.now()
    )


def _decide(*, actor, mark: CriterionMark, met: bool, note: str) -> CriterionMark:
    from ..incidents.services import criterion_declare

    permissions.require(actor, Action.RUN_HQ)
    mark = CriterionMark.objects.select_for_update().select_related("criterion").get(pk=mark.pk)
    if mark.state != MarkState.PENDING:
        raise ValidationError(_("This mark has already been confirmed, rejected or withdrawn."))
    default = (
        _("Confirmed from JMA: %(evidence)s") if met else _("Rejected JMA's mark: %(evidence)s")
    ) % {"evidence": mark.evidence}
    mark.declaration = criterion_declare(
        actor=actor,
        incident=mark.incident,
        criterion=mark.criterion,
        met=met,
        note=(note or "").strip() or default,
    )
    mark.state = MarkState.CONFIRMED if met else MarkState.REJECTED
    mark.decided_at, mark.decided_by = timezone.now(), actor
    mark.save(update_fields=["declaration", "state", "decided_at", "decided_by"])
    return mark


@transaction.atomic
def criterion_mark_confirm(*, actor, mark: CriterionMark, note: str = "") -> CriterionMark:
    return _decide(actor=actor, mark=mark, met=True, note=note)


@transaction.atomic
def criterion_mark_reject(*, actor, mark: CriterionMark, note: str = "") -> CriterionMark:
    return _decide(actor=actor, mark=mark, met=False, note=note)
