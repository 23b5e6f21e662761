"""The rules at their edges, over plain data; and what jsda_admin may save as a rule."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from emergency_hq.quake import intensity
from emergency_hq.quake.rules import Rule, decide
from emergency_hq.quake.telegram import AreaIntensity

DEFAULT = Rule("member-sites-5-lower", "5-", member_sites_only=True, pk=1)
TOKYO = Rule(
    "tokyo-23-wards-6-lower",
    "6-",
    areas=frozenset({"350"}),
    member_sites_only=False,
    criterion_id=60,
    pk=2,
)
SITES = {"350", "520"}


def area(code: str, max_int: str, *, not_received: bool = False) -> AreaIntensity:
    return AreaIntensity(code, f"area {code}", code[:2], "", max_int, not_received)


@pytest.mark.parametrize(
    ("max_int", "opens"),
    [("4", False), ("5-", True), ("5+", True), ("6-", True), ("7", True)],
)
def test_the_default_rule_starts_at_5_lower(max_int, opens):
    decision = decide([DEFAULT], [area("350", max_int)], SITES)
    assert decision.opens_incident is opens


def test_the_default_rule_needs_a_member_site_in_the_area():
    assert not decide([DEFAULT], [area("220", "6+")], SITES).opens_incident
    assert decide([DEFAULT], [area("220", "6+"), area("520", "5-")], SITES).opens_incident


def test_only_the_areas_at_the_threshold_are_the_incidents_and_the_reports():
    decision = decide([DEFAULT], [area("350", "5+"), area("520", "4")], SITES)
    assert set(decision.incident_areas) == {"350"}
    assert set(decision.report_areas) == {"350"}
    assert decision.acted_intensity == "5+"


@pytest.mark.parametrize(
    ("code", "max_int", "marks"),
    [
        ("350", "5+", False),  # one step short
        ("350", "6-", True),  # exactly at the threshold
        ("350", "6+", True),
        ("351", "7", False),  # 多摩東部 is not the 23 wards
    ],
)
def test_the_tokyo_rule_marks_the_criterion_at_6_lower_in_the_23_wards(code, max_int, marks):
    decision = decide([DEFAULT, TOKYO], [area(code, max_int)], SITES | {"351"})
    assert bool(decision.criteria) is marks
    if marks:
        assert decision.criteria[0].rule.criterion_id == 60


def test_the_tokyo_rule_holds_where_no_member_has_a_site():
    decision = decide([DEFAULT, TOKYO], [area("350", "6-")], set())
    assert decision.opens_incident
    assert [m.rule.code for m in decision.matches] == ["tokyo-23-wards-6-lower"]


def test_not_received_areas_meet_5_lower_but_not_5_upper():
    not_received = area("361", "5-", not_received=True)
    assert decide([DEFAULT], [not_received], {"361"}).opens_incident
    strict = Rule("strict", "5+", member_sites_only=False)
    assert not decide([strict], [not_received], {"361"}).opens_incident


def test_a_rule_that_only_asks_for_reports_opens_nothing():
    asking = Rule("ask", "4", opens_incident=False, requests_reports=True)
    decision = decide([asking], [area("350", "4")], SITES)
    assert not decision.opens_incident
    assert set(decision.report_areas) == {"350"}
    assert decision.incident_areas == {}


def test_intensity_order_and_labels():
    assert intensity.strongest("4", "5+", "5-", "") == "5+"
    assert intensity.rank("7") > intensity.rank("6+") > intensity.rank("6-")
    assert intensity.label("6-") == "震度６弱"
    assert intensity.label("5+", "en") == "intensity 5 upper"
    assert [intensity.severity_of(c) for c in ("4", "5-", "6-", "7")] == [1, 2, 3, 4]


@pytest.mark.django_db
def test_jsda_admin_cannot_save_a_rule_that_does_nothing_or_names_unknown_areas():
    from emergency_hq.models import ActivationCriterion, QuakeRule
    from tests.emergency_hq.quake.helpers import ensure_reference_data

    ensure_reference_data()
    rule = QuakeRule(code="x", label_ja="x", min_intensity="5-", areas=["999", "350"])
    rule.opens_incident = rule.requests_reports = False
    with pytest.raises(ValidationError) as caught:
        rule.full_clean()
    assert "999" in str(caught.value.message_dict["areas"])
    assert "opens_incident" in caught.value.message_dict
    rule.areas, rule.opens_incident = ["350"], True
    rule.criterion = ActivationCriterion.objects.get(code="tse-halt-order-routing")
    with pytest.raises(ValidationError) as caught:
        rule.full_clean()
    assert "criterion" in caught.value.message_dict
    rule.criterion = ActivationCriterion.objects.get(code="seismic-tokyo-6-lower")
    rule.full_clean()
