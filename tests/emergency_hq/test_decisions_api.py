"""POST /api/v1/incidents/{id}/decisions/: HQ staff decide; immutable; circular + alert at once."""

from __future__ import annotations

import pytest

from alerts.models import Alert
from bulletin.models import Circular
from emergency_hq.incidents import decisions, selectors, services
from emergency_hq.models import ActivationDecision, DecisionImmutable
from tests.emergency_hq.incident_fixtures import report

pytestmark = pytest.mark.django_db


ACTIVATE = {
    "segment": "exchange",
    "action": "activate",
    "rationale": "注文を発注できない取引参加者の売買代金シェアが70%に達したため。",
    "criteria": ["tse-halt-order-routing"],
}


def _url(incident):
    return f"/api/v1/incidents/{incident.pk}/decisions/"


def _as(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def test_hq_staff_record_an_activation_with_circular_and_alert(
    api_client,
    hq_user,
    incident,
    market,
):
    report(market["BIG"], "suspended")
    report(market["MID"], "closed")
    response = _as(api_client, hq_user).post(_url(incident), ACTIVATE, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["segment"] == "exchange"
    assert body["action"] == "activate"
    assert body["decided_by"] == "hq"
    decision = ActivationDecision.objects.get(pk=body["id"])
    # Every criterion's live value is kept, not only the cited ones.
    snapshot = {c["code"]: c for c in decision.criteria_snapshot}
    assert len(snapshot) == 6
    assert snapshot["tse-halt-order-routing"]["value"] == 70.0
    assert snapshot["tse-halt-order-routing"]["met"] is True
    # The circular is public and names the decision; the alert goes to the segment.
    circular = Circular.objects.get(number=body["circular"])
    assert circular.audience == "public"
    assert circular.category == "emergency"
    assert "取引所取引" in circular.title_ja
    assert "70" in circular.body_ja
    alert = Alert.objects.get(pk=body["alert"])
    assert (alert.source.kind, alert.source.id) == ("decision", str(decision.pk))
    assert alert.is_drill is False
    assert sorted(alert.targets.values_list("organization__code", flat=True)) == [
        "BIG",
        "JASDEC",
        "JSCC",
        "MID",
        "SMALL",
        "TINY",
        "TSE",
    ]
    incident.refresh_from_db()
    assert incident.state == "bcp_active"
    assert list(incident.transitions.values_list("to_state", flat=True)) == [
        "monitoring",
        "hq_convened",
        "bcp_active",
    ]


def test_only_hq_staff_decide(api_client, incident, reporter_a, regulator_user, admin_user):
    assert api_client.post(_url(incident), ACTIVATE, format="json").status_code == 401
    for user in (reporter_a, regulator_user, admin_user):
        response = _as(api_client, user).post(_url(incident), ACTIVATE, format="json")
        assert response.status_code == 403, user
    assert ActivationDecision.objects.count() == 0
    assert Circular.objects.count() == 0


def test_members_and_regulators_read_decisions(api_client, hq_user, incident, reporter_a):
    decisions.decision_record(actor=hq_user, incident=incident, **ACTIVATE)
    listing = _as(api_client, reporter_a).get(_url(incident))
    assert listing.status_code == 200
    assert listing.json()["results"][0]["action"] == "activate"


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_decisions_cannot_be_changed_through_the_api(api_client, hq_user, incident, method):
    decision = decisions.decision_record(actor=hq_user, incident=incident, **ACTIVATE)
    client = _as(api_client, hq_user)
    for url in (_url(incident), f"{_url(incident)}{decision.pk}/"):
        response = getattr(client, method)(url, {**ACTIVATE, "rationale": "x"}, format="json")
        assert response.status_code == 405, url
    assert ActivationDecision.objects.get().rationale == ACTIVATE["rationale"]


def test_the_model_refuses_edits_and_deletion(hq_user, incident):
    decision = decisions.decision_record(actor=hq_user, incident=incident, **ACTIVATE)
    decision.rationale = "changed"
    with pytest.raises(DecisionImmutable):
        decision.save()
    with pytest.raises(DecisionImmutable):
        decision.delete()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"segment": "crypto"}, "segment"),
        ({"action": "panic"}, "action"),
        ({"criteria": ["no-such-rule"]}, "criteria"),
        ({"rationale": "   "}, "rationale"),
        ({"criteria": "tse-halt-order-routing"}, "criteria"),
    ],
)
def test_bad_input_gets_a_400_and_nothing_is_issued(api_client, hq_user, incident, change, field):
    response = _as(api_client, hq_user).post(_url(incident), {**ACTIVATE, **change}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert field in body["errors"]
    assert body["message"]
    assert ActivationDecision.objects.count() == 0
    assert Circular.objects.count() == 0
    assert Alert.objects.count() == 0


def test_no_decision_on_a_closed_incident(api_client, hq_user, incident):
    services.incident_transition(actor=hq_user, incident=incident, to_state="closed")
    response = _as(api_client, hq_user).post(_url(incident), ACTIVATE, format="json")
    assert response.status_code == 400
    assert "incident" in response.json()["errors"]
    assert "終了" in response.json()["message"]  # in the user's language (Japanese by default)
    assert Circular.objects.count() == 0


def test_unknown_incident_is_404(api_client, hq_user):
    response = _as(api_client, hq_user).post(
        "/api/v1/incidents/999999/decisions/", ACTIVATE, format="json"
    )
    assert response.status_code == 404


def test_a_correction_supersedes_the_earlier_decision(api_client, hq_user, incident):
    client = _as(api_client, hq_user)
    wrong = client.post(_url(incident), {**ACTIVATE, "segment": "bond"}, format="json").json()
    assert sorted(selectors.active_segments(incident)) == ["bond"]
    fixed = client.post(
        _url(incident),
        {**ACTIVATE, "supersedes": wrong["id"], "rationale": "対象市場の訂正"},
        format="json",
    )
    assert fixed.status_code == 201
    assert fixed.json()["supersedes"] == wrong["id"]
    assert sorted(selectors.active_segments(incident)) == ["exchange"]
    # The earlier record stays, unchanged, and points to its correction.
    earlier = client.get(f"{_url(incident)}{wrong['id']}/").json()
    assert earlier["segment"] == "bond"
    assert earlier["superseded_by"] == fixed.json()["id"]
    again = client.post(_url(incident), {**ACTIVATE, "supersedes": wrong["id"]}, format="json")
    assert again.status_code == 400


def test_deactivating_every_segment_moves_to_recovering(hq_user, incident):
    decisions.decision_record(actor=hq_user, incident=incident, **{**ACTIVATE, "segment": "all"})
    assert sorted(selectors.active_segments(incident)) == ["bond", "exchange", "otc"]
    decisions.decision_record(
        actor=hq_user, incident=incident, segment="bond", action="deactivate", rationale="復旧"
    )
    incident.refresh_from_db()
    assert incident.state == "bcp_active"
    decisions.decision_record(
        actor=hq_user, incident=incident, segment="all", action="deactivate", rationale="全面復旧"
    )
    incident.refresh_from_db()
    assert incident.state == "recovering"
    services.incident_transition(actor=hq_user, incident=incident, to_state="closed")


def test_an_incident_with_bcp_active_cannot_close(hq_user, incident):
    from django.core.exceptions import ValidationError

    decisions.decision_record(actor=hq_user, incident=incident, **ACTIVATE)
    services.incident_transition(actor=hq_user, incident=incident, to_state="recovering")
    with pytest.raises(ValidationError):
        services.incident_transition(actor=hq_user, incident=incident, to_state="closed")


def test_settlement_postponement_goes_to_members_only(hq_user, incident):
    decision = decisions.decision_record(
        actor=hq_user,
        incident=incident,
        segment="all",
        action="postpone_settlement",
        rationale="JSCCの清算停止",
        criteria=["settlement-infrastructure-suspended"],
    )
    assert decision.circular.audience == "members"
    assert decision.circular.category == "market_rule"


def test_a_segment_without_participants_still_gets_its_circular(hq_user, incident):
    decision = decisions.decision_record(
        actor=hq_user, incident=incident, segment="otc", action="halt_trading", rationale="PTS停止"
    )
    assert decision.circular.audience == "public"
    assert decision.alert is None
