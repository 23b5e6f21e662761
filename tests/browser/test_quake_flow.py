"""A JMA telegram arrives: the HQ's incident list shows the incident by itself within seconds,
and the reporter of a firm in the Tokyo wards is asked to report, and does."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from emergency_hq.models import Incident
from emergency_hq.quake import demo
from tests import factories
from tests.browser.conftest import browser_login
from tests.emergency_hq.quake.helpers import build_quake_market


def test_a_telegram_opens_the_incident_and_asks_the_reporter(page, new_page, live_server):
    market = build_quake_market()
    hq = factories.user("hq", role="hq_staff")
    reporter = factories.user("tokyo_rep", role="reporter", organization=market["TOKYO-A"])

    browser_login(page, live_server, hq)
    page.goto(f"{live_server.url}/hq/incidents/")
    assert "東京都２３区" not in page.inner_text("#incident-tables")

    firm = new_page()
    browser_login(firm, live_server, reporter)
    firm.goto(f"{live_server.url}/my/")
    assert firm.locator("#report-requests").count() == 0

    out = StringIO()
    call_command("quake_ingest", str(demo.SAMPLES / "vxse51_tokyo_6lower.xml"), stdout=out)
    assert "Opened the incident" in out.getvalue()
    incident = Incident.objects.get()

    # No reload: the list polls every few seconds.
    link = page.locator("#incident-tables a", has_text="地震 震度６弱 東京都２３区ほか")
    link.wait_for(timeout=12_000)
    link.click()
    page.wait_for_url(f"**/hq/incidents/{incident.pk}/")
    assert "震度６弱" in page.inner_text("#quake-max")
    assert "気象庁の電文による・本部の確認待ち" in page.inner_text("#criteria")

    firm.goto(f"{live_server.url}/my/")
    notice = firm.locator("#report-requests")
    assert "震度６弱" in notice.inner_text()
    notice.get_by_role("link", name="状況を報告").click()
    firm.wait_for_url("**/board/TOKYO-A/report/")
    firm.click("#all-normal")
    firm.wait_for_selector(".msg-success")
    assert firm.locator("#report-requests").count() == 0

    page.wait_for_selector("#quake-areas [data-org=TOKYO-A].st-normal", timeout=20_000)
