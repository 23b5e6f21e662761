"""A joint drill end to end: HQ plans and starts an unannounced drill for three firms, two
reporters answer on phones (one through the alert link, one with drill statuses), HQ's live
page shows the third as not answered, HQ closes and reads the after-action report."""

from __future__ import annotations

from django.core import mail

from drills.models import Drill, DrillStatusReport
from status_board.models import StatusReport
from tests import factories
from tests.alerts.conftest import ack_tokens
from tests.browser.conftest import PHONE, browser_login


def test_a_drill_from_plan_to_after_action_report(page, new_page, live_server):
    hq = factories.user("hq", role="hq_staff")
    firms = {}
    for code, name in (
        ("FIRM-A", "テスト証券A"),
        ("FIRM-B", "テスト証券B"),
        ("FIRM-C", "テスト証券C"),
    ):
        firms[code] = factories.organization(code, name_ja=name)
        factories.contact(firms[code], f"Head {code[-1]}")
    reporter_b = factories.user("reporter_b", role="reporter", organization=firms["FIRM-B"])

    # HQ plans an unannounced drill for the three firms and starts it at once.
    browser_login(page, live_server, hq)
    page.goto(f"{live_server.url}/drills/new/")
    page.fill("#id_title_ja", "首都直下地震 共同演習")
    page.fill("#id_scenario_ja", "午前10時、東京23区で震度6強。")
    page.check("input[name=audience][value=organizations]")
    for code in firms:
        page.check(f"input[name=organizations][value='{code}']")
    page.check("input[name=announced][value='0']")
    page.check("input[name=start][value=now]")
    page.fill("#id_answer_minutes", "30")
    page.click("#drill-form button[type=submit]")
    page.wait_for_url("**/drills/*/")
    drill = Drill.objects.get()
    assert drill.state == "running" and drill.announced is False
    assert "演習を開始しました" in page.inner_text("main")
    assert sorted(m.to[0] for m in mail.outbox) == [
        "head.a@example.test",
        "head.b@example.test",
        "head.c@example.test",
    ]
    assert all(m.subject.startswith("【訓練】") for m in mail.outbox)

    # FIRM-A's head answers through the link in the e-mail, on a phone, without logging in.
    phone_a = new_page(viewport=PHONE)
    phone_a.goto(f"{live_server.url}/ack/{ack_tokens()['head.a@example.test']}/")
    assert "【訓練】" in phone_a.inner_text("h1")
    phone_a.click("button[value=confirmed]")
    phone_a.wait_for_load_state()
    assert "回答を記録しました" in phone_a.inner_text("main")

    # FIRM-B's reporter posts drill statuses: the form asks drill or real, nothing chosen.
    phone_b = new_page(viewport=PHONE)
    browser_login(phone_b, live_server, reporter_b)
    phone_b.goto(f"{live_server.url}/report/")
    phone_b.wait_for_url("**/board/FIRM-B/report/")
    assert "【訓練】" in phone_b.inner_text("#drill-running")
    assert phone_b.locator("#report-kind input:checked").count() == 0
    assert phone_b.evaluate("document.documentElement.scrollWidth") <= 390
    phone_b.locator("#fn-trading label.choice.st-suspended").click()
    phone_b.click("#save-status")
    phone_b.wait_for_selector(".errorlist")  # "drill or real?" unanswered: nothing saved
    assert DrillStatusReport.objects.count() == 0 and StatusReport.objects.count() == 0
    phone_b.check(f"#report-kind input[value='drill:{drill.pk}']")
    phone_b.locator("#fn-trading label.choice.st-suspended").click()
    phone_b.click("#save-status")
    phone_b.wait_for_url(f"**/drills/{drill.pk}/board/")
    assert "訓練" in phone_b.inner_text("#drill-board")
    assert "停止中" in phone_b.inner_text("#drill-board")
    assert phone_b.evaluate("document.documentElement.scrollWidth") <= 390
    assert StatusReport.objects.count() == 0

    # HQ's live page: FIRM-C has not answered.
    page.goto(f"{live_server.url}/drills/{drill.pk}/")
    assert "FIRM-C" in page.inner_text("#not-answered")
    assert "FIRM-A" not in page.inner_text("#not-answered")
    assert "FIRM-B" not in page.inner_text("#not-answered")

    # HQ closes; the after-action report shows the figures and the chart.
    page.click("#close-drill")
    page.wait_for_selector(".msg-success")
    page.goto(f"{live_server.url}/drills/{drill.pk}/report/")
    summary = page.inner_text("#summary")
    assert "参加機関\n3" in summary and "到達\n3" in summary
    assert page.locator("#curve img[src^='data:image/svg+xml']").count() == 1
    assert page.locator("#histogram img[src^='data:image/svg+xml']").count() == 1
    assert "FIRM-C" in page.inner_text("#participants")
    # The real board never heard of it.
    page.goto(f"{live_server.url}/")
    assert "停止中" not in page.inner_text("main").split("凡例")[0]
