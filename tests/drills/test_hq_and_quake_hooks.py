"""What the HQ asks of drills through its providers: the drill incident's criteria on the drill
board, and the incident a 訓練 earthquake telegram joins."""

from __future__ import annotations

import pytest

from drills import services
from emergency_hq import providers
from emergency_hq.incidents import dashboard
from emergency_hq.incidents import services as incidents
from tests import factories
from tests.emergency_hq.incident_fixtures import build_market, report

from .conftest import drill_report

pytestmark = pytest.mark.django_db


def _criterion(evaluations, code):
    return next(e for e in evaluations if e.code == code)


def test_the_drill_incidents_criteria_read_the_drill_board_only(hq_user):
    market = build_market()
    brokers = ["BIG", "MID", "SMALL", "TINY"]
    drill = services.drill_plan(
        actor=hq_user,
        title_ja="売買停止の演習",
        scenario_ja="発注不能",
        audience="organizations",
        organizations=brokers,
        answer_minutes=60,
        announced=False,
    )
    drill = services.drill_start(actor=hq_user, drill=drill)
    real = incidents.incident_open(actor=hq_user, title="障害", kind="system_failure", severity=3)
    # On the real board every broker is suspended; on the drill board only BIG and MID (70%).
    for code in brokers:
        report(market[code], "suspended", ["order_acceptance"])
    for code in ("BIG", "MID"):
        user = factories.user(f"rep-{code}", role="reporter", organization=market[code])
        drill_report(drill, user, market[code], function="order_acceptance", status="suspended")
    halt = _criterion(
        dashboard.criteria_evaluate(incident=drill.incident), "tse-halt-order-routing"
    )
    assert halt.value == 70.0 and halt.met is True
    assert halt.detail["participants"] == 4
    # A real incident sees the real board (100%), untouched by the drill.
    assert _criterion(
        dashboard.criteria_evaluate(incident=real), "tse-halt-order-routing"
    ).value == (100.0)


def test_a_drill_telegram_joins_the_running_drills_incident(running, hq_user):
    assert providers.running_drill_incident() is None
    drill = running()
    assert providers.running_drill_incident() == drill.incident
    assert providers.drill_organization_ids(drill.incident) == set(
        drill.participants.values_list("organization_id", flat=True)
    )
    services.drill_close(actor=hq_user, drill=drill)
    assert providers.running_drill_incident() is None


def test_an_open_drill_incident_without_a_drill_is_not_a_running_drill(hq_user, firms):
    incidents.incident_open(
        actor=hq_user, title="手動の訓練", kind="earthquake", severity=3, is_drill=True
    )
    assert providers.running_drill_incident() is None


def test_the_page_plans_timed_injects(client, login, hq_user, firms):
    from drills.models import Drill

    login(hq_user)
    data = {
        "title_ja": "演習",
        "scenario_ja": "震度6強",
        "audience": "organizations",
        "organizations": ["FIRM-A"],
        "announced": "1",
        "start": "later",
        "answer_minutes": "30",
        "incident_kind": "earthquake",
        "injects-TOTAL_FORMS": "2",
        "injects-INITIAL_FORMS": "0",
        "injects-MIN_NUM_FORMS": "0",
        "injects-MAX_NUM_FORMS": "20",
        "injects-0-offset_minutes": "15",
        "injects-0-kind": "circular",
        "injects-0-title_ja": "決済繰延べ",
        "injects-0-body_ja": "本日の決済を翌営業日に",
        "injects-1-kind": "alert",
    }
    assert client.post("/drills/new/", data).status_code == 302
    inject = Drill.objects.get().injects.get()
    assert (inject.offset_minutes, inject.kind, inject.title_ja) == (15, "circular", "決済繰延べ")


def test_the_test_day_contact_api(api_client, plan, hq_user, reporter_a, reporter_b):
    drill = plan(announced=True)
    url = f"/api/v1/drills/{drill.pk}/test-contact/"
    api_client.force_authenticate(reporter_a)
    body = {"name": "当日 花子", "email": "hanako@example.test"}
    response = api_client.post(url, body, format="json")
    assert response.status_code == 200 and response.json()["has_test_contact"] is True
    assert api_client.post(url, {"name": "x", "email": "bad"}, format="json").status_code == 400
    api_client.force_authenticate(reporter_b)
    other = api_client.post(url, {**body, "organization": "FIRM-A"}, format="json")
    assert other.status_code == 403
    services.drill_start(actor=hq_user, drill=drill)
    api_client.force_authenticate(reporter_a)
    assert api_client.post(url, body, format="json").status_code == 409
