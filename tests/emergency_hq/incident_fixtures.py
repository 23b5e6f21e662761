"""A small market for the incident tests: TSE, JSCC, JASDEC and four brokers with weights.

Exchange segment weights (share of trading value %, share of retail %):
BIG 40/10, MID 30/40, SMALL 20/30, TINY 10/20. TSE, JSCC and JASDEC take part without weight.
"""

from __future__ import annotations

from decimal import Decimal

from organizations import services as org_services
from status_board.services import ReportInput, status_reports_create
from tests import factories

BROKERS = {"BIG": ("40", "10"), "MID": ("30", "40"), "SMALL": ("20", "30"), "TINY": ("10", "20")}


def ensure_criteria() -> None:
    """The seeded catalogue; a transactional test's flush removes what the migration loaded."""
    from emergency_hq.incidents.catalogue import load_criteria
    from emergency_hq.models import ActivationCriterion

    load_criteria(ActivationCriterion)


def segments(org, mapping) -> None:
    org_services.organization_segments_set(
        actor=org_services.system_actor(),
        organization=org,
        segments={
            s: tuple(Decimal(v) if v is not None else None for v in w) for s, w in mapping.items()
        },
    )


def build_market() -> dict:
    ensure_criteria()
    market = {}
    market["TSE"] = factories.organization("TSE", kind="exchange", is_public=True)
    market["JSCC"] = factories.organization("JSCC", kind="clearing", is_public=True)
    market["JASDEC"] = factories.organization("JASDEC", kind="depository", is_public=True)
    segments(market["TSE"], {"exchange": (None, None)})
    for code in ("JSCC", "JASDEC"):
        segments(market[code], {"exchange": (None, None), "bond": (None, None)})
    for code, weights in BROKERS.items():
        market[code] = factories.organization(code)
        segments(market[code], {"exchange": weights, "bond": weights})
    for org in market.values():
        factories.contact(org, f"Head {org.code}")
    return market


def report(org, status: str, functions=None) -> None:
    """Post ``status`` for the given functions (all the organization's by default)."""
    codes = functions or list(org.organization_functions.values_list("function__code", flat=True))
    status_reports_create(
        actor=org_services.system_actor(),
        organization=org,
        entries=[ReportInput(function=c, status=status) for c in codes],
    )


def bilingual_incident(actor):
    """An incident the HQ wrote in both languages."""
    from emergency_hq.incidents import services

    return services.incident_open(
        actor=actor,
        title="首都直下地震",
        title_en="Tokyo Inland Earthquake",
        description="都心南部で震度6強",
        description_en="Intensity 6 upper in southern central Tokyo",
        kind="earthquake",
        severity=4,
    )
