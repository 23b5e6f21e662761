"""Evaluating the activation criteria against one read of the board.

Pure functions over plain data, so that every edge (exactly at the threshold, zero weights,
no participants) is tested without a database. Shares are compared exactly, in integers of
Decimal arithmetic: ``part * 100 >= threshold * total``, never after rounding.

A participant's status per function is the *effective* one: a function with no report since
the incident began counts as ``not_reported``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import compress, repeat
from typing import NamedTuple

from status_board.vocabulary import NOT_REPORTED

ZERO = Decimal(0)
HUNDRED = Decimal(100)


class Participant(NamedTuple):
    # A tuple, not a dataclass: a board holds one per organization and segment, built anew
    # for every read of the situation.
    organization_id: int
    weight: Decimal | None = None
    retail_weight: Decimal | None = None


@dataclass
class BoardState:
    # {organization id: {function code: effective status}} for every active organization.
    statuses: dict[int, dict[str, str]] = field(default_factory=dict)
    # {segment: [participants]}; "all" is derived from the others.
    participants: dict[str, list[Participant]] = field(default_factory=dict)
    # {organization code: organization id}
    ids_by_code: dict[str, int] = field(default_factory=dict)
    # What several criteria of one evaluation ask again: "all" merged, weights per basis.
    # A board is read, never changed, once built.
    _derived: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def segment(self, segment: str) -> list[Participant]:
        if segment != "all":
            return self.participants.get(segment, [])
        merged = self._derived.get("all")
        if merged is None:
            merged = self._derived["all"] = self._merged()
        return merged

    def _merged(self) -> list[Participant]:
        merged: dict[int, Participant] = {}
        for members in self.participants.values():
            for p in members:
                seen = merged.get(p.organization_id)
                if seen is None:
                    merged[p.organization_id] = p
                else:
                    merged[p.organization_id] = Participant(
                        p.organization_id,
                        _add(seen.weight, p.weight),
                        _add(seen.retail_weight, p.retail_weight),
                    )
        return list(merged.values())

    def weights(self, segment: str, basis: str) -> list[Decimal]:
        """The weight of each participant of ``segment`` on ``basis``, in their order."""
        key = (segment, basis)
        weights = self._derived.get(key)
        if weights is None:
            weights = self._derived[key] = [_weight_of(p, basis) for p in self.segment(segment)]
        return weights


def _add(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    if a is None and b is None:
        return None
    return (a or ZERO) + (b or ZERO)


@dataclass(frozen=True)
class CriterionRule:
    """What evaluation needs of an ActivationCriterion (the model satisfies it too)."""

    code: str
    kind: str
    segment: str = "all"
    functions: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ("suspended", "closed")
    infrastructure: tuple[Mapping[str, str], ...] = ()
    weight_basis: str = "weight"
    threshold: Decimal = Decimal(50)
    retail_threshold: Decimal | None = None
    retail_min_count: int | None = None
    label: str = ""
    suggests: str = ""


@dataclass
class Evaluation:
    code: str
    label: str
    kind: str
    segment: str
    suggests: str
    value: float | None
    threshold: float
    met: bool
    detail: dict = field(default_factory=dict)

    @property
    def suggests_label(self) -> str:
        """What the criterion suggests, in words (the page's language), never the code."""
        from ..models import DecisionAction

        if self.suggests in DecisionAction.values:
            return str(DecisionAction(self.suggests).label)
        return self.suggests

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "label": self.label,
            "kind": self.kind,
            "segment": self.segment,
            "suggests": self.suggests,
            "value": self.value,
            "threshold": self.threshold,
            "met": self.met,
            "detail": self.detail,
        }


def _weight_of(p: Participant, basis: str) -> Decimal:
    if basis == "count":
        return Decimal(1)
    value = p.retail_weight if basis == "retail_weight" else p.weight
    return Decimal(value) if value is not None and value > 0 else ZERO


def _share(part: Decimal, total: Decimal) -> float | None:
    if total <= 0:
        return None
    return float(round(part * HUNDRED / total, 2))


def _at_least(part: Decimal, total: Decimal, threshold: Decimal) -> bool:
    """part / total >= threshold %, exactly; nothing to weigh is never met."""
    return total > 0 and part * HUNDRED >= Decimal(threshold) * total


# A function the organization does not hold: in no set of statuses.
_NOT_HELD = object()
_ONLY_NOT_REPORTED = frozenset({NOT_REPORTED})


def _statuses_of(statuses: Mapping[str, str], functions: tuple[str, ...]):
    return map(statuses.get, functions, repeat(_NOT_HELD))


def is_impaired(statuses: Mapping[str, str], functions: tuple[str, ...], bad: set[str]) -> bool:
    """Any of ``functions`` it holds is in a ``bad`` status."""
    return not bad.isdisjoint(_statuses_of(statuses, functions))


def is_able(statuses: Mapping[str, str], functions: tuple[str, ...], bad: set[str]) -> bool:
    """Holds at least one of the functions and has reported each held one as working
    (``bad`` holds not_reported too)."""
    held = set(_statuses_of(statuses, functions))
    held.discard(_NOT_HELD)
    return bool(held) and bad.isdisjoint(held)


def has_reported(statuses: Mapping[str, str]) -> bool:
    """Any status but not_reported (set operations: this runs once per organization)."""
    return not _ONLY_NOT_REPORTED.issuperset(statuses.values())


def evaluate(rule, board: BoardState, declared: Mapping[str, bool] | None = None) -> Evaluation:
    kind = rule.kind
    threshold = Decimal(rule.threshold)
    result = Evaluation(
        code=rule.code,
        label=str(getattr(rule, "label", "") or rule.code),
        kind=kind,
        segment=rule.segment,
        suggests=rule.suggests or "",
        value=None,
        threshold=float(threshold),
        met=False,
    )
    if kind == "manual":
        met = bool((declared or {}).get(rule.code, False))
        result.value, result.threshold, result.met = (1.0 if met else 0.0), 1.0, met
        return result
    if kind == "infrastructure":
        hits = []
        for pair in rule.infrastructure or ():
            org_id = board.ids_by_code.get(str(pair.get("organization", "")).upper())
            status = board.statuses.get(org_id, {}).get(pair.get("function", ""))
            if status is not None and status in rule.statuses:
                hits.append(f"{pair['organization']}:{pair['function']}={status}")
        result.value = float(len(hits))
        result.met = bool(hits) and Decimal(len(hits)) >= threshold
        result.detail = {"in_status": hits}
        return result

    participants = board.segment(rule.segment)
    basis = rule.weight_basis
    weights = board.weights(rule.segment, basis)
    total = sum(weights, ZERO)
    statuses_of = board.statuses
    none: dict[str, str] = {}
    functions = tuple(rule.functions)
    if kind == "participants_impaired":
        bad = set(rule.statuses)
        flags = [
            is_impaired(statuses_of.get(p.organization_id, none), functions, bad)
            for p in participants
        ]
    elif kind == "participants_able":
        bad = set(rule.statuses) | {NOT_REPORTED}
        flags = [
            is_able(statuses_of.get(p.organization_id, none), functions, bad) for p in participants
        ]
    elif kind == "not_reported":
        flags = [not has_reported(statuses_of.get(p.organization_id, none)) for p in participants]
    else:
        return result
    part = sum(compress(weights, flags), ZERO)
    result.value = _share(part, total)
    result.met = _at_least(part, total, threshold)
    result.detail = {"participants": len(participants), "counted": sum(flags)}
    if kind == "participants_able" and (
        rule.retail_threshold is not None or rule.retail_min_count is not None
    ):
        retail = board.weights(rule.segment, "retail_weight")
        retail_total = sum(retail, ZERO)
        retail_counted = list(compress(retail, flags))
        retail_part = sum(retail_counted, ZERO)
        retail_brokers = sum(1 for w in retail_counted if w > 0)
        by_share = rule.retail_threshold is not None and _at_least(
            retail_part, retail_total, Decimal(rule.retail_threshold)
        )
        by_count = rule.retail_min_count is not None and retail_brokers >= rule.retail_min_count
        result.met = result.met and (by_share or by_count)
        result.detail.update(
            {"retail_share": _share(retail_part, retail_total), "retail_brokers": retail_brokers}
        )
    return result


def evaluate_all(
    rules: Iterable, board: BoardState, declared: Mapping[str, bool] | None = None
) -> list[Evaluation]:
    return [evaluate(rule, board, declared) for rule in rules]
