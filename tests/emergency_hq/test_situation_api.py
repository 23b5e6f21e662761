"""GET /api/v1/incidents/{id}/situation/: HQ staff and regulators; live criteria; fixed queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from emergency_hq.incidents import decisions, services
from tests import factories
from tests.emergency_hq.incident_fixtures import report

pytestmark = pytest.mark.django_db


def _url(incident):
    return f"/api/v1/incidents/{incident.pk}/situation/"


def _get(api_client, user, incident):
    api_client.force_authenticate(user)
    return api_client.get(_url(incident))


def test_only_hq_staff_and_regulators_read_the_situation(
    api_client, incident, hq_user, regulator_user, reporter_a, admin_user
):
    assert api_client.get(_url(incident)).status_code == 401
    for outsider in (reporter_a, admin_user):
        response = _get(api_client, outsider, incident)
        assert response.status_code == 403
        assert response.json()["message"]
    for reader in (hq_user, regulator_user):
        assert _get(api_client, reader, incident).status_code == 200


def test_situation_counts_reports_since_the_incident_began(
    api_client,
    hq_user,
    market,
    incident,
):
    body = _get(api_client, hq_user, incident).json()
    assert set(body) >= {"reported", "not_reported", "by_status", "criteria", "acks"}
    assert body["reported"] == 0
    assert body["not_reported"] == 7
    report(market["BIG"], "suspended")
    report(market["TSE"], "normal")
    body = _get(api_client, hq_user, incident).json()
    assert (body["reported"], body["not_reported"]) == (2, 5)
    big_functions = market["BIG"].organization_functions.count()
    assert body["by_status"]["suspended"] == big_functions
    assert body["by_status"]["normal"] == market["TSE"].organization_functions.count()
    assert "BIG" not in body["not_reported_organizations"]
    assert body["acks"] == {"acknowledged": 0, "pending": 0}


def test_a_report_from_before_the_incident_counts_as_not_reported(
    api_client,
    hq_user,
    market,
):
    report(market["BIG"], "normal")
    later = services.incident_open(
        actor=hq_user,
        title="余震",
        kind="earthquake",
        severity=3,
        started_at=timezone.now() + timedelta(seconds=1),
    )
    body = _get(api_client, hq_user, later).json()
    assert body["reported"] == 0
    assert "BIG" in body["not_reported_organizations"]


def test_criteria_are_evaluated_live_from_the_board(
    api_client,
    hq_user,
    market,
    incident,
):
    def criteria():
        body = _get(api_client, hq_user, incident).json()
        return {c["code"]: c for c in body["criteria"]}

    halt = criteria()["tse-halt-order-routing"]
    assert (halt["value"], halt["threshold"], halt["met"]) == (0.0, 50.0, False)
    assert halt["label"]
    report(market["BIG"], "suspended", ["order_acceptance"])  # 40%
    assert criteria()["tse-halt-order-routing"]["met"] is False
    report(market["TINY"], "closed", ["trading"])  # + 10% = exactly 50%
    halt = criteria()["tse-halt-order-routing"]
    assert (halt["value"], halt["met"]) == (50.0, True)
    # Resumption: able participants need 50% of value and 30% retail or 5 retail brokers.
    report(market["MID"], "normal")  # 30% value, 40% retail
    report(market["SMALL"], "normal")  # +20% value = 50%, +30% retail = 70%
    resume = criteria()["tse-resume-able-participants"]
    assert (resume["value"], resume["met"]) == (50.0, True)
    # Infrastructure and manual criteria.
    assert criteria()["settlement-infrastructure-suspended"]["met"] is False
    report(market["JASDEC"], "suspended", ["book_entry"])
    assert criteria()["settlement-infrastructure-suspended"]["met"] is True
    assert criteria()["seismic-tokyo-6-lower"]["met"] is False
    api_client.force_authenticate(hq_user)
    declared = api_client.post(
        f"/api/v1/incidents/{incident.pk}/declarations/",
        {"criterion": "seismic-tokyo-6-lower", "met": True, "note": "気象庁: 千代田区 震度6強"},
        format="json",
    )
    assert declared.status_code == 201
    assert criteria()["seismic-tokyo-6-lower"]["met"] is True


def test_only_manual_criteria_can_be_declared(api_client, hq_user, regulator_user, incident):
    url = f"/api/v1/incidents/{incident.pk}/declarations/"
    api_client.force_authenticate(regulator_user)
    assert (
        api_client.post(url, {"criterion": "seismic-tokyo-6-lower", "met": True}).status_code == 403
    )
    api_client.force_authenticate(hq_user)
    automatic = api_client.post(
        url, {"criterion": "tse-halt-order-routing", "met": True}, format="json"
    )
    assert automatic.status_code == 400
    assert api_client.post(url, {"criterion": "nope", "met": True}).status_code == 400


def test_acks_count_the_incident_alerts(api_client, hq_user, market, incident):
    from alerts.services import alert_acknowledge

    convening = services.hq_convene(
        actor=hq_user,
        incident=incident,
        location="本部",
        participants=[market["TSE"], market["JSCC"]],
    )
    body = _get(api_client, hq_user, incident).json()
    assert body["acks"] == {"acknowledged": 0, "pending": 2}
    tse_reporter = factories.user("tse_rep", role="reporter", organization=market["TSE"])
    alert_acknowledge(
        actor=tse_reporter,
        target=convening.alert.targets.get(organization=market["TSE"]),
        answer="confirmed",
    )
    body = _get(api_client, hq_user, incident).json()
    assert body["acks"] == {"acknowledged": 1, "pending": 1}


def _queries(api_client, user, incident) -> int:
    api_client.force_authenticate(user)
    api_client.get(_url(incident))  # warm the per-process caches (content types, ...)
    with CaptureQueriesContext(connection) as ctx:
        response = api_client.get(_url(incident))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_market(
    api_client,
    hq_user,
    market,
    incident,
):
    decisions.decision_record(
        actor=hq_user, incident=incident, segment="exchange", action="activate", rationale="x"
    )
    small = _queries(api_client, hq_user, incident)
    for n in range(15):
        firm = factories.organization(f"EXTRA{n}")
        from tests.emergency_hq.incident_fixtures import segments

        segments(firm, {"exchange": ("1", "1")})
        report(firm, "degraded")
    assert _queries(api_client, hq_user, incident) == small
