"""HQ sends an alert from the phone; a contact answers through the link in the e-mail."""

from __future__ import annotations

from django.core import mail

from alerts.models import AlertTarget
from tests import factories
from tests.alerts.conftest import ack_tokens
from tests.browser.conftest import browser_login


def test_hq_sends_an_alert_and_follows_it_on_a_phone(phone_page, live_server):
    hq = factories.user("hq", role="hq_staff")
    firm = factories.organization("FIRM-A", name_ja="テスト証券A")
    factories.contact(firm, "Head A")
    factories.organization("FIRM-Z", name_ja="連絡先なし証券")
    page = phone_page
    browser_login(page, live_server, hq)
    page.goto(f"{live_server.url}/hq/alerts/new/")
    page.fill("#id_subject_ja", "震度6強の地震について")
    page.fill("#id_body_ja", "被害状況を報告してください。")
    page.check("input[name=audience][value=all]")
    page.click("#alert-form button[type=submit]")
    page.wait_for_url("**/hq/alerts/*/")
    assert "2機関に緊急連絡を送信しました" in page.inner_text("main")
    rows = page.locator("#progress tbody tr")
    assert "FIRM-Z" in rows.nth(0).inner_text() and "連絡不能" in rows.nth(0).inner_text()
    assert "FIRM-A" in rows.nth(1).inner_text() and "未回答" in rows.nth(1).inner_text()
    # fits the phone: no sideways scrolling of the page itself
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert [m.to for m in mail.outbox] == [["head.a@example.test"]]


def test_a_contact_answers_from_the_link_without_logging_in(page, live_server):
    hq = factories.user("hq", role="hq_staff")
    firm = factories.organization("FIRM-A", name_ja="テスト証券A")
    factories.contact(firm, "Head A")
    from alerts.services import alert_send

    alert_send(
        actor=hq, subject_ja="システム障害", body_ja="状況を教えてください。", organizations=[firm]
    )
    token = ack_tokens()["head.a@example.test"]
    page.goto(f"{live_server.url}/ack/{token}/")
    assert "システム障害" in page.inner_text("h1")
    assert AlertTarget.objects.get().acknowledged_at is None  # opening is not answering
    page.click("button[value=working]")
    page.wait_for_load_state()
    assert "回答を記録しました" in page.inner_text("main")
    assert "対応中" in page.inner_text("#ack-state")
    assert AlertTarget.objects.get().answer == "working"
