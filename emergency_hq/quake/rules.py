"""Which rules a telegram meets, over plain data, so every edge is tested without a database.

A rule matches the areas of the telegram whose effective intensity is at least the rule's, that
are among the rule's areas (none listed: every area) and, when the rule says so, where an active
organization has a site. A rule with no such area does not match.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from . import intensity
from .telegram import AreaIntensity


@dataclass(frozen=True)
class Rule:
    """What matching needs of a QuakeRule (the model is adapted by ``from_model``)."""

    code: str
    min_intensity: str
    areas: frozenset[str] = frozenset()
    member_sites_only: bool = True
    opens_incident: bool = True
    requests_reports: bool = True
    criterion_id: int | None = None
    pk: int | None = None

    @classmethod
    def from_model(cls, rule) -> Rule:
        return cls(
            code=rule.code,
            min_intensity=rule.min_intensity,
            areas=frozenset(rule.areas or ()),
            member_sites_only=rule.member_sites_only,
            opens_incident=rule.opens_incident,
            requests_reports=rule.requests_reports,
            criterion_id=rule.criterion_id,
            pk=rule.pk,
        )


@dataclass(frozen=True)
class Match:
    rule: Rule
    areas: tuple[AreaIntensity, ...]

    @property
    def strongest(self) -> str:
        return intensity.strongest(*(a.max_int for a in self.areas))


@dataclass
class Decision:
    matches: list[Match] = field(default_factory=list)

    @property
    def opens_incident(self) -> bool:
        return any(m.rule.opens_incident for m in self.matches)

    def _areas(self, wanted) -> dict[str, AreaIntensity]:
        found: dict[str, AreaIntensity] = {}
        for m in self.matches:
            if wanted(m.rule):
                for a in m.areas:
                    found[a.code] = a
        return found

    @property
    def incident_areas(self) -> dict[str, AreaIntensity]:
        """The areas that make the incident: what opening rules matched."""
        return self._areas(lambda r: r.opens_incident)

    @property
    def report_areas(self) -> dict[str, AreaIntensity]:
        """The areas whose organizations are asked to report."""
        return self._areas(lambda r: r.requests_reports)

    @property
    def acted_intensity(self) -> str:
        return intensity.strongest(*(a.max_int for a in self.incident_areas.values()))

    @property
    def criteria(self) -> list[Match]:
        return [m for m in self.matches if m.rule.criterion_id]


def matched_areas(
    rule: Rule, areas: Iterable[AreaIntensity], site_areas: set[str]
) -> tuple[AreaIntensity, ...]:
    return tuple(
        a
        for a in areas
        if intensity.at_least(a.max_int, rule.min_intensity)
        and (not rule.areas or a.code in rule.areas)
        and (not rule.member_sites_only or a.code in site_areas)
    )


def decide(rules: Iterable[Rule], areas: Iterable[AreaIntensity], site_areas: set[str]) -> Decision:
    areas = tuple(areas)
    decision = Decision()
    for rule in rules:
        hit = matched_areas(rule, areas, site_areas)
        if hit:
            decision.matches.append(Match(rule, hit))
    return decision
