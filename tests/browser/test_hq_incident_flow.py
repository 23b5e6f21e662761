"""HQ opens an incident, convenes, sees a criterion met as firms report, and activates BCP.

The dashboard refreshes by itself (htmx polling); the decision's circular and the public
board's banner then appear to an anonymous visitor.
"""

from __future__ import annotations

from emergency_hq.models import ActivationDecision, Incident
from tests import factories
from tests.browser.conftest import browser_login
from tests.emergency_hq.incident_fixtures import build_market, report

HALT = "[data-code=tse-halt-order-routing]"


def test_hq_activates_bcp_and_the_public_sees_it(page, new_page, live_server):
    market = build_market()
    hq = factories.user("hq", role="hq_staff")
    browser_login(page, live_server, hq)

    page.goto(f"{live_server.url}/hq/incidents/new/")
    page.fill("#id_title", "首都直下地震")
    page.select_option("#id_kind", "earthquake")
    page.select_option("#id_severity", "4")
    page.fill("#id_region", "東京23区")
    page.click("#incident-form button[type=submit]")
    page.wait_for_url("**/hq/incidents/*/")
    incident = Incident.objects.get()
    assert incident.state == "monitoring"

    page.click(f"a[href='/hq/incidents/{incident.pk}/convene/']")
    page.fill("#id_location", "日本証券業協会 本部")
    page.fill("#id_alternate_location", "大阪事務所")
    page.check(f"input[name=participants][value='{market['TSE'].pk}']")
    page.check(f"input[name=participants][value='{market['JSCC'].pk}']")
    page.select_option("#id_member_0_role", "chief")
    page.fill("#id_member_0_name", "本部長 山田")
    page.click("#convene-form button[type=submit]")
    page.wait_for_url(f"**/hq/incidents/{incident.pk}/")
    assert "大阪事務所" in page.inner_text("main")
    assert "met" not in (page.get_attribute(HALT, "class") or "")

    # Firms holding 70% of trading value cannot route orders; the dashboard notices alone.
    report(market["BIG"], "suspended")
    report(market["MID"], "closed")
    page.wait_for_selector(f"{HALT}.met", timeout=20_000)
    assert "70.00" in page.inner_text(HALT)

    page.click(f"a[href='/hq/incidents/{incident.pk}/decisions/new/']")
    page.select_option("#id_segment", "exchange")
    page.select_option("#id_action", "activate")
    page.fill("#id_rationale", "発注不能な取引参加者の売買代金シェアが70%に達した。")
    page.check("input[name=criteria][value=tse-halt-order-routing]")
    page.click("#decision-form button[type=submit]")
    page.wait_for_url(f"**/hq/incidents/{incident.pk}/")
    decision = ActivationDecision.objects.get()
    assert decision.circular.number in page.inner_text("#decisions")
    assert "tl-decision" in page.inner_html("#timeline")

    visitor = new_page()
    visitor.goto(f"{live_server.url}/")
    banner = visitor.locator(".banner.bad").first
    assert "BCP発動" in banner.inner_text()
    assert "取引所取引" in banner.inner_text()
    visitor.goto(f"{live_server.url}/circulars/{decision.circular.number}/")
    assert "取引所取引" in visitor.inner_text("main")
    assert "70%に達した" in visitor.inner_text("main")
