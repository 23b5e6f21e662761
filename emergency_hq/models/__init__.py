"""Models of the emergency HQ: incidents, convening, criteria and decisions."""

from .incidents import (
    ActivationCriterion,
    ActivationDecision,
    CriterionKind,
    DecisionAction,
    DecisionImmutable,
    HQConvening,
    HQMember,
    HQRole,
    Incident,
    IncidentKind,
    IncidentState,
    IncidentTransition,
    ManualDeclaration,
    WeightBasis,
)

__all__ = [
    "ActivationCriterion",
    "ActivationDecision",
    "CriterionKind",
    "DecisionAction",
    "DecisionImmutable",
    "HQConvening",
    "HQMember",
    "HQRole",
    "Incident",
    "IncidentKind",
    "IncidentState",
    "IncidentTransition",
    "ManualDeclaration",
    "WeightBasis",
]
