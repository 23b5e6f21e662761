"""Who reads what of a drill: HQ and regulators every row, a participant's members the market
figures and their own row only, everyone else 403 (anonymous 401); a fixed number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from drills import services
from drills.results import results_compute
from tests import factories

from .conftest import acknowledge, drill_report

pytestmark = pytest.mark.django_db


def _results(api_client, user, drill):
    api_client.force_authenticate(user)
    return api_client.get(f"/api/v1/drills/{drill.pk}/results/")


@pytest.fixture
def answered(running, reporter_a, reporter_b, org_a):
    drill = running()
    acknowledge(drill, reporter_a, "FIRM-A")
    acknowledge(drill, reporter_b, "FIRM-B")
    drill_report(drill, reporter_a, org_a)
    return drill


@pytest.mark.parametrize("who", ["hq_user", "regulator_user"])
def test_hq_and_regulators_read_every_row(api_client, answered, who, request):
    response = _results(api_client, request.getfixturevalue(who), answered)
    assert response.status_code == 200
    data = response.json()
    assert [r["code"] for r in data["organizations"]] == ["FIRM-A", "FIRM-B", "FIRM-C"]
    assert (data["participants"], data["acknowledged"], data["reported"]) == (3, 2, 1)
    assert data["ack_rate"] == 0.6667 and data["report_rate"] == 0.3333
    assert set(data["time_to_ack_s"]) == {"p25", "p50", "p75", "p90", "max"}
    row = data["organizations"][0]
    for key in (
        "code",
        "acknowledged_at",
        "first_report_at",
        "time_to_ack_s",
        "time_to_report_s",
        "reachable",
    ):
        assert key in row


@pytest.mark.parametrize("who", ["reporter_a", "viewer_a"])
def test_a_participants_members_see_the_market_and_their_own_row_only(
    api_client, answered, who, request
):
    data = _results(api_client, request.getfixturevalue(who), answered).json()
    assert [r["code"] for r in data["organizations"]] == ["FIRM-A"]
    assert data["participants"] == 3 and data["acknowledged"] == 2
    assert "FIRM-B" not in str(data) and "FIRM-C" not in str(data)


def test_a_member_outside_the_drill_gets_a_403(api_client, answered, reporter_out):
    assert _results(api_client, reporter_out, answered).status_code == 403
    api_client.force_authenticate(reporter_out)
    assert api_client.get(f"/api/v1/drills/{answered.pk}/").status_code == 403
    assert api_client.get("/api/v1/drills/").json()["count"] == 0


def test_anonymous_gets_a_401_and_an_unknown_drill_a_404(api_client, answered, hq_user):
    assert api_client.get(f"/api/v1/drills/{answered.pk}/results/").status_code == 401
    api_client.force_authenticate(hq_user)
    assert api_client.get("/api/v1/drills/999999/results/").status_code == 404
    assert api_client.get("/api/v1/drills/99999999999999/").status_code == 404


def test_participants_see_an_unannounced_drill_only_once_it_starts(
    api_client, plan, hq_user, reporter_a
):
    drill = plan(announced=False)
    api_client.force_authenticate(reporter_a)
    assert api_client.get("/api/v1/drills/").json()["count"] == 0
    assert api_client.get(f"/api/v1/drills/{drill.pk}/").status_code == 403
    services.drill_start(actor=hq_user, drill=drill)
    listing = api_client.get("/api/v1/drills/").json()
    assert [d["id"] for d in listing["results"]] == [drill.pk]
    assert [p["code"] for p in listing["results"][0]["participants"]] == ["FIRM-A"]


def test_participants_see_an_announced_drill_while_it_is_planned(api_client, plan, reporter_a):
    drill = plan(announced=True)
    api_client.force_authenticate(reporter_a)
    assert api_client.get(f"/api/v1/drills/{drill.pk}/").status_code == 200


def test_a_planned_drills_results_say_nobody_answered(api_client, plan, hq_user):
    drill = plan()
    data = _results(api_client, hq_user, drill).json()
    assert data["acknowledged"] == 0 and data["time_to_ack_s"]["p50"] is None
    assert data["ack_rate"] == 0.0


def test_a_closed_drill_answers_with_the_frozen_figures(api_client, answered, hq_user, reporter_c):
    services.drill_close(actor=hq_user, drill=answered)
    before = _results(api_client, hq_user, answered).json()
    acknowledge(answered, reporter_c, "FIRM-C")
    after = _results(api_client, hq_user, answered).json()
    assert before == after and after["final"] is True and after["acknowledged"] == 2


def _queries(drill) -> int:
    with CaptureQueriesContext(connection) as captured:
        results_compute(drill=drill).as_dict()
    return len(captured)


def test_the_results_take_the_same_number_of_queries_whatever_the_size(plan, hq_user, firms):
    small = services.drill_start(actor=hq_user, drill=plan())
    orgs = []
    for n in range(12):
        org = factories.organization(f"BIG-{n:02d}")
        factories.contact(org, f"Head {n}")
        factories.contact(org, f"Deputy {n}", order=2)
        orgs.append(org.code)
    big = services.drill_start(actor=hq_user, drill=plan(organizations=orgs))
    for org in big.participants.all()[:6]:
        user = factories.user(
            f"u{org.organization.code}", role="reporter", organization=org.organization
        )
        acknowledge(big, user, org.organization.code)
        drill_report(big, user, org.organization)
    assert _queries(small) == _queries(big)
