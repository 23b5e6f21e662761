"""Issue 11 in a browser, in Japanese and English: one acknowledgement closes both the circular
and its alert (a contact's link, or a reporter in the portal), and a reporter goes from login
to "all functions operating normally" in three taps at most."""

from __future__ import annotations

import pytest
from django.core import mail

from alerts.models import AlertTarget
from alerts.selectors import alerts_of_source
from bulletin.models import CircularRecipient
from bulletin.services import circular_publish
from status_board.models import CurrentStatus
from status_board.services import ReportInput, status_report_create
from tests import factories
from tests.alerts.conftest import ack_tokens
from tests.browser.conftest import browser_login

LOCALES = {"ja": "ja-JP", "en": "en-US"}
TEXT = {
    "ja": {"answered": "回答済み", "acknowledged": "確認済み", "done": "通常稼働"},
    "en": {"answered": "has answered", "acknowledged": "Acknowledged", "done": "normally"},
}


@pytest.mark.parametrize("language", ["ja", "en"])
def test_contact_acknowledges_and_hq_sees_the_circular_and_alert_answered(
    new_page, live_server, language
):
    hq = factories.user("hq", role="hq_staff")
    firm_a = factories.organization("FIRM-A", name_ja="テスト証券A", name_en="Test A")
    firm_b = factories.organization("FIRM-B", name_ja="テスト証券B", name_en="Test B")
    head = factories.contact(firm_a, "Head A")
    factories.contact(firm_a, "Deputy A", order=2, parent=head)
    factories.contact(firm_b, "Head B")
    reporter_b = factories.user("reporter_b", role="reporter", organization=firm_b)
    circular = circular_publish(
        actor=hq,
        title_ja="訓練通達",
        title_en="Drill circular",
        body_ja="**受領**を連絡してください。",
        category="general",
        audience="members",
        requires_ack=True,
    )
    alert = alerts_of_source(kind="circular", ids=[circular.pk]).get()
    assert mail.outbox, "the circular went along the contact trees"
    words = TEXT[language]

    # A contact answers from the link in the e-mail, without logging in.
    contact = new_page(locale=LOCALES[language])
    contact.goto(f"{live_server.url}/ack/{ack_tokens()['head.a@example.test']}/")
    # The body is rendered like a circular's: the circular's address is a link.
    assert contact.locator(f".alert-body a[href$='/circulars/{circular.number}/']").count() == 1
    contact.click("button[value=confirmed]")
    contact.wait_for_selector("#ack-state")
    assert words["answered"] in contact.inner_text("#ack-state")

    # A reporter of FIRM-B acknowledges the circular in the portal.
    reporter = new_page(locale=LOCALES[language])
    browser_login(reporter, live_server, reporter_b)
    reporter.goto(f"{live_server.url}/circulars/{circular.number}/")
    reporter.click("form[action$='/acknowledge/'] button[type=submit]")
    reporter.wait_for_selector(".msg-success")

    # HQ follows both: the circular's progress and the alert's organizations.
    office = new_page(locale=LOCALES[language])
    browser_login(office, live_server, hq)
    office.goto(f"{live_server.url}/circulars/{circular.number}/progress/")
    progress = office.inner_text("main")
    assert "Head A" in progress and "reporter_b" in progress
    for code, who in (("FIRM-A", "Head A"), ("FIRM-B", "reporter_b")):
        office.goto(f"{live_server.url}/hq/alerts/{alert.pk}/organizations/{code}/")
        assert who in office.inner_text("main"), code
    assert not AlertTarget.objects.filter(alert=alert, acknowledged_at__isnull=True).exists()
    assert not CircularRecipient.objects.filter(
        circular=circular, acknowledged_at__isnull=True
    ).exists()
    assert not alert.deliveries.filter(status="held").exists()  # escalation stopped


@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_reporter_reports_all_normal_within_three_taps_of_logging_in(
    new_page, live_server, language
):
    org = factories.organization("PHONE-SEC", is_public=True, name_ja="スマホ証券")
    reporter = factories.user("phone_rep", role="reporter", organization=org)
    status_report_create(
        actor=reporter,
        organization=org,
        entry=ReportInput(function="trading", status="suspended", message="停電"),
    )
    page = new_page(viewport={"width": 390, "height": 844}, locale=LOCALES[language])
    page.goto(f"{live_server.url}/accounts/login/?next=/")
    page.fill("input[name=username]", reporter.username)
    page.fill("input[name=password]", factories.PASSWORD)
    taps = 0
    page.click("#login-form button[type=submit]")  # 1: log in, straight to the report form
    taps += 1
    page.wait_for_url("**/board/PHONE-SEC/report/")
    page.click("#all-normal")  # 2: all normal — trading is suspended, so it asks first
    taps += 1
    page.wait_for_selector("#all-normal-confirm")
    assert "停電" in page.inner_text("#all-normal-confirm")
    page.click("#all-normal-confirm-yes")  # 3: yes
    taps += 1
    page.wait_for_selector(".msg-success")
    assert taps <= 3
    assert TEXT[language]["done"] in page.inner_text(".msg-success")
    assert set(CurrentStatus.objects.filter(organization=org).values_list("status", flat=True)) == {
        "normal"
    }
    # The page after offers undo for a minute; it puts the suspension back.
    page.click("#undo-all-normal button")
    page.wait_for_selector(".msg-success")
    assert CurrentStatus.objects.get(organization=org, function__code="trading").status == (
        "suspended"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
