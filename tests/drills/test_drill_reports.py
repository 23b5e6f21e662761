"""Drill reports: through POST /api/v1/status-reports/ with "drill", and through the reporter
form, which asks "drill or real?" while a drill runs and never assumes either."""

from __future__ import annotations

import pytest

from drills import services
from drills.models import DrillStatusReport
from status_board.models import StatusReport

pytestmark = pytest.mark.django_db

URL = "/api/v1/status-reports/"


def _post(api_client, user, drill_id, **extra):
    api_client.force_authenticate(user)
    body = {"organization": "FIRM-A", "function": "trading", "status": "degraded"}
    body.update(extra)
    if drill_id is not None:
        body["drill"] = drill_id
    return api_client.post(URL, body, format="json")


def test_a_drill_report_goes_to_the_drill_board_only(api_client, running, reporter_a):
    drill = running()
    response = _post(api_client, reporter_a, drill.pk, message="訓練: 売買縮退")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["drill"] == drill.pk and data["is_drill"] is True
    assert (data["organization"], data["function"], data["status"]) == (
        "FIRM-A",
        "trading",
        "degraded",
    )
    assert data["reported_by"] == "reporter_a"
    assert StatusReport.objects.count() == 0
    report = DrillStatusReport.objects.get()
    assert (report.drill_id, report.late) == (drill.pk, False)


def test_a_report_without_drill_is_a_real_one_even_during_a_drill(api_client, running, reporter_a):
    running()
    response = _post(api_client, reporter_a, None)
    assert response.status_code == 201
    assert "drill" not in response.json()
    assert StatusReport.objects.count() == 1 and DrillStatusReport.objects.count() == 0


def test_a_drill_report_outside_the_running_window_is_a_400(api_client, plan, hq_user, reporter_a):
    drill = plan()
    planned = _post(api_client, reporter_a, drill.pk)
    assert planned.status_code == 400 and "drill" in planned.json()["errors"]
    services.drill_start(actor=hq_user, drill=drill)
    services.drill_close(actor=hq_user, drill=drill)
    closed = _post(api_client, reporter_a, drill.pk)
    assert closed.status_code == 400 and "drill" in closed.json()["errors"]
    assert DrillStatusReport.objects.count() == 0 and StatusReport.objects.count() == 0


def test_a_drill_report_from_a_non_participant_is_a_400(
    api_client, running, reporter_out, outsider_org
):
    drill = running()
    response = _post(api_client, reporter_out, drill.pk, organization="OUTSIDE")
    assert response.status_code == 400
    assert "OUTSIDE" in response.json()["errors"]["drill"][0]
    assert DrillStatusReport.objects.count() == 0 and StatusReport.objects.count() == 0


def test_unknown_drills_functions_and_statuses_are_400s(api_client, running, reporter_a):
    drill = running()
    assert _post(api_client, reporter_a, 999999).status_code == 400
    assert _post(api_client, reporter_a, "abc").status_code == 400
    assert _post(api_client, reporter_a, drill.pk, function="clearing").status_code == 400
    assert _post(api_client, reporter_a, drill.pk, status="not_reported").status_code == 400
    assert DrillStatusReport.objects.count() == 0


def test_another_organizations_reporter_gets_a_403_and_anonymous_a_401(
    api_client, running, reporter_b
):
    drill = running()
    assert _post(api_client, reporter_b, drill.pk).status_code == 403
    api_client.force_authenticate(None)
    body = {"organization": "FIRM-A", "function": "trading", "status": "normal", "drill": drill.pk}
    assert api_client.post(URL, body, format="json").status_code == 401
    assert DrillStatusReport.objects.count() == 0


def test_a_report_after_the_window_is_kept_as_late(running, reporter_a, org_a):
    from datetime import timedelta

    from .conftest import drill_report

    drill = running()
    report = drill_report(drill, reporter_a, org_a, now=drill.started_at + timedelta(minutes=31))[0]
    assert report.late is True


# --- the reporter form ------------------------------------------------------------------


def _form(**statuses):
    data = {}
    for function, status in statuses.items():
        data[f"{function}-status"] = status
    return data


def test_without_a_drill_the_form_asks_nothing(client, login, reporter_a, firms):
    login(reporter_a)
    page = client.get("/board/FIRM-A/report/").content.decode()
    assert "report_as" not in page
    response = client.post("/board/FIRM-A/report/", _form(trading="degraded"))
    assert response.status_code == 302
    assert StatusReport.objects.count() == 1


def test_during_a_drill_the_form_asks_drill_or_real_with_nothing_chosen(
    client, login, running, reporter_a
):
    drill = running()
    login(reporter_a)
    page = client.get("/board/FIRM-A/report/").content.decode()
    assert 'name="report_as"' in page
    assert f'value="drill:{drill.pk}"' in page and 'value="real"' in page
    assert "checked" not in page.split('id="report-kind"')[1].split("</fieldset>")[0]
    assert "【訓練】" in page
    # Saying neither stores nothing, anywhere.
    response = client.post("/board/FIRM-A/report/", _form(trading="degraded"))
    assert response.status_code == 400
    assert "訓練の報告か実際の状況か" in response.content.decode()
    assert StatusReport.objects.count() == 0 and DrillStatusReport.objects.count() == 0


def test_a_drill_report_from_the_form_goes_to_the_drill_board(client, login, running, reporter_a):
    drill = running()
    login(reporter_a)
    data = _form(trading="suspended", settlement="normal")
    data["report_as"] = f"drill:{drill.pk}"
    response = client.post("/board/FIRM-A/report/", data, follow=True)
    assert response.redirect_chain[-1][0] == f"/drills/{drill.pk}/board/"
    page = response.content.decode()
    assert "訓練" in page
    assert StatusReport.objects.count() == 0
    assert DrillStatusReport.objects.filter(drill=drill).count() == 2


def test_the_real_choice_posts_to_the_real_board(client, login, running, reporter_a):
    running()
    login(reporter_a)
    data = _form(trading="degraded")
    data["report_as"] = "real"
    assert client.post("/board/FIRM-A/report/", data).status_code == 302
    assert StatusReport.objects.count() == 1 and DrillStatusReport.objects.count() == 0


def test_all_normal_asks_too(client, login, running, reporter_a):
    drill = running()
    login(reporter_a)
    client.post("/board/FIRM-A/report/all-normal/")
    assert StatusReport.objects.count() == 0 and DrillStatusReport.objects.count() == 0
    client.post("/board/FIRM-A/report/all-normal/", {"all-normal-report_as": f"drill:{drill.pk}"})
    assert StatusReport.objects.count() == 0
    assert DrillStatusReport.objects.filter(drill=drill, status="normal").count() == 6
    client.post("/board/FIRM-A/report/all-normal/", {"all-normal-report_as": "real"})
    assert StatusReport.objects.count() == 6


def test_an_organization_outside_the_drill_is_not_asked(client, login, running, reporter_out):
    running()
    login(reporter_out)
    assert "report_as" not in client.get("/board/OUTSIDE/report/").content.decode()
