"""The drill pages: planning, HQ's live progress (non-answerers first), the drill board, the
after-action report with its SVG charts and exports, and who may open what."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from drills import services
from drills.models import Drill, DrillState

from .conftest import acknowledge, drill_report

pytestmark = pytest.mark.django_db


def _plan_form(**extra):
    data = {
        "title_ja": "共同演習（画面）",
        "scenario_ja": "震度6強",
        "audience": "organizations",
        "organizations": ["FIRM-A", "FIRM-B"],
        "announced": "0",
        "start": "later",
        "answer_minutes": "30",
        "incident_kind": "earthquake",
        "injects-TOTAL_FORMS": "3",
        "injects-INITIAL_FORMS": "0",
        "injects-MIN_NUM_FORMS": "0",
        "injects-MAX_NUM_FORMS": "20",
    }
    data.update(extra)
    return data


def test_hq_plans_and_starts_a_drill_from_the_page(client, login, hq_user, firms):
    login(hq_user)
    assert client.get("/drills/new/").status_code == 200
    response = client.post("/drills/new/", _plan_form(start="now"), follow=True)
    drill = Drill.objects.get()
    assert drill.state == DrillState.RUNNING and drill.announced is False
    assert response.redirect_chain[-1][0] == f"/drills/{drill.pk}/"
    page = response.content.decode()
    assert "演習を開始しました" in page and "【訓練】" in page


def test_the_plan_page_shows_errors_and_stores_nothing(client, login, hq_user, firms):
    login(hq_user)
    for change, message in (
        ({"title_ja": ""}, "この項目は必須です"),
        ({"answer_minutes": "0"}, "回答期限は1から10080"),
        ({"answer_minutes": "10081"}, "回答期限は1から10080"),
        ({"organizations": []}, "組織コードを指定してください"),
    ):
        response = client.post("/drills/new/", _plan_form(**change))
        assert response.status_code == 400
        assert message in response.content.decode(), change
    assert Drill.objects.count() == 0


def test_a_scheduled_start_needs_a_future_time(client, login, hq_user, firms):
    login(hq_user)
    response = client.post(
        "/drills/new/", _plan_form(start="scheduled", starts_at="2020-01-01T09:00")
    )
    assert response.status_code == 400
    assert "未来の日時" in response.content.decode()
    assert Drill.objects.count() == 0


def test_the_live_page_lists_who_has_not_answered_first(
    client, login, hq_user, running, reporter_a, org_a
):
    drill = running()
    acknowledge(drill, reporter_a, "FIRM-A")
    drill_report(drill, reporter_a, org_a)
    login(hq_user)
    page = client.get(f"/drills/{drill.pk}/").content.decode()
    banner = page.split('id="not-answered"')[1].split("</div>")[0]
    assert "FIRM-B" in banner and "FIRM-C" in banner and "FIRM-A" not in banner
    table = page.split('id="participants"')[1]
    assert table.index('data-code="FIRM-B"') < table.index('data-code="FIRM-A"')
    assert 'http-equiv="refresh"' in page


def test_a_participant_sees_its_scorecard_beside_the_market_only(
    client, login, running, reporter_a
):
    drill = running()
    login(reporter_a)
    page = client.get(f"/drills/{drill.pk}/").content.decode()
    assert 'data-code="FIRM-A"' in page
    assert "FIRM-B" not in page and "FIRM-C" not in page
    assert "自機関の結果と市場全体" in page


def test_the_drill_board_is_marked_and_shows_own_rows_to_participants(
    client, login, running, reporter_a, reporter_b, org_a, hq_user
):
    drill = running()
    drill_report(drill, reporter_a, org_a, function="trading", status="suspended")
    login(reporter_b)
    page = client.get(f"/drills/{drill.pk}/board/").content.decode()
    assert "訓練" in page and "FIRM-A" not in page
    login(hq_user)
    page = client.get(f"/drills/{drill.pk}/board/").content.decode()
    assert "実際の掲示板には表示されません" in page
    assert 'data-code="FIRM-A"' in page and "停止中" in page


def test_the_after_action_report_shows_figures_and_charts_without_script(
    client, login, running, hq_user, reporter_a, org_a
):
    drill = running()
    acknowledge(drill, reporter_a, "FIRM-A")
    drill_report(drill, reporter_a, org_a)
    services.drill_close(actor=hq_user, drill=drill)
    login(hq_user)
    page = client.get(f"/drills/{drill.pk}/report/").content.decode()
    assert "振り返り報告" in page and 'id="summary"' in page
    charts = page.split('id="charts"')[1].split("</section>")[0]
    # Each an <img> of an SVG (its pygal <style> is not inline in the page: CSP).
    assert charts.count('src="data:image/svg+xml;base64,') == 2
    assert "<script" not in charts and "<style" not in charts
    assert "回答の推移" in charts
    assert 'id="notes-form"' in page


def test_hq_notes_appear_in_the_report(client, login, running, hq_user, regulator_user):
    drill = running()
    services.drill_close(actor=hq_user, drill=drill)
    login(hq_user)
    client.post(f"/drills/{drill.pk}/notes/", {"notes": "バックアップ拠点の要員にもアカウントを"})
    login(regulator_user)
    page = client.get(f"/drills/{drill.pk}/report/").content.decode()
    assert "バックアップ拠点の要員にもアカウントを" in page
    assert 'id="notes-form"' not in page  # regulators read only
    assert client.post(f"/drills/{drill.pk}/notes/", {"notes": "x"}).status_code == 403


def test_earlier_drills_are_compared(client, login, running, hq_user):
    first = running()
    services.drill_close(actor=hq_user, drill=first)
    second = running()
    services.drill_close(actor=hq_user, drill=second)
    login(hq_user)
    page = client.get(f"/drills/{second.pk}/report/").content.decode()
    trend = page.split('id="trend"')[1]
    assert trend.count("<tr") >= 3 and "data:image/svg+xml" in trend


def test_exports_hold_every_row_for_hq_and_only_its_own_for_a_participant(
    client, login, running, hq_user, reporter_a
):
    drill = running()
    acknowledge(drill, reporter_a, "FIRM-A")
    services.drill_close(actor=hq_user, drill=drill)
    login(hq_user)
    csv_text = client.get(f"/drills/{drill.pk}/report.csv").content.decode("utf-8-sig")
    assert all(code in csv_text for code in ("FIRM-A", "FIRM-B", "FIRM-C"))
    xlsx = client.get(f"/drills/{drill.pk}/report.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == ["FIRM-A", "FIRM-B", "FIRM-C"]
    pdf = client.get(f"/drills/{drill.pk}/report.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    login(reporter_a)
    own = client.get(f"/drills/{drill.pk}/report.csv").content.decode("utf-8-sig")
    assert "FIRM-A" in own and "FIRM-B" not in own and "FIRM-C" not in own
    assert client.get(f"/drills/{drill.pk}/report.pdf").content.startswith(b"%PDF")


def test_the_test_day_contact_page(client, login, plan, reporter_a, reporter_b):
    drill = plan(announced=True)
    login(reporter_a)
    url = f"/drills/{drill.pk}/contact/FIRM-A/"
    assert client.get(url).status_code == 200
    bad = client.post(url, {"name": "花子", "email": "nope", "language": "ja"})
    assert bad.status_code == 400
    ok = client.post(url, {"name": "花子", "email": "hanako@example.test", "language": "ja"})
    assert ok.status_code == 302
    assert drill.participants.get(organization__code="FIRM-A").test_contact_email == (
        "hanako@example.test"
    )
    login(reporter_b)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize(
    "path", ["/", "/board/", "/report/", "/report.csv", "/report.pdf", "/contact/FIRM-A/"]
)
def test_outsiders_cannot_open_a_drills_pages(client, login, running, reporter_out, path):
    drill = running()
    assert client.get(f"/drills/{drill.pk}{path}").status_code == 302  # anonymous: log in
    login(reporter_out)
    assert client.get(f"/drills/{drill.pk}{path}").status_code == 403


@pytest.mark.parametrize("who", ["regulator_user", "reporter_a"])
def test_only_hq_staff_plan_start_and_close_from_the_pages(client, login, plan, who, request):
    drill = plan(announced=True)
    login(request.getfixturevalue(who))
    assert client.get("/drills/new/").status_code == 403
    assert client.post(f"/drills/{drill.pk}/start/").status_code == 403
    assert client.post(f"/drills/{drill.pk}/close/").status_code == 403
    drill.refresh_from_db()
    assert drill.state == DrillState.PLANNED


def test_a_start_from_the_wrong_state_is_a_message_not_an_error(client, login, running, hq_user):
    drill = running()
    login(hq_user)
    response = client.post(f"/drills/{drill.pk}/start/", follow=True)
    assert response.status_code == 200
    assert "開始できるのは計画中の演習だけです" in response.content.decode()


def test_the_list_shows_members_their_drills_only(client, login, running, reporter_out, hq_user):
    drill = running()
    login(reporter_out)
    assert drill.title_ja not in client.get("/drills/").content.decode()
    login(hq_user)
    assert drill.title_ja in client.get("/drills/").content.decode()


def test_the_pdf_sets_the_japanese_in_an_embedded_cjk_font(rf, running, hq_user, reporter_a):
    import re

    from drills import exports, report_views

    drill = running()
    acknowledge(drill, reporter_a, "FIRM-A")
    services.drill_close(actor=hq_user, drill=drill)
    request = rf.get("/")
    request.user = hq_user
    context = report_views._report_context(request, drill.pk)
    pdf = exports.results_pdf(context, uncompressed_pdf=True)
    fonts = set(re.findall(rb"/BaseFont\s*/([A-Za-z0-9+\-]+)", pdf))
    assert any(b"Noto-Sans-CJK-JP" in f for f in fonts), fonts
