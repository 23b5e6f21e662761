"""The printable situation report and the HQ dashboard fit a phone and an A4 page."""

from __future__ import annotations

import pytest

from emergency_hq.incidents import services as incident_services
from tests import factories
from tests.browser.conftest import PHONE, browser_login
from tests.emergency_hq.incident_fixtures import build_market, report

A4_PORTRAIT = {"width": 794, "height": 1123}  # 210 × 297 mm at 96 px per inch

OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def incident_pages(new_page, live_server):
    market = build_market()
    report(market["BIG"], "suspended")
    report(market["TSE"], "degraded")
    hq = factories.user("hq_fit", role="hq_staff")
    incident = incident_services.incident_open(
        actor=hq, title="首都直下地震", kind="earthquake", severity=4
    )

    def _open(path, *, viewport, locale="ja-JP"):
        page = new_page(viewport=viewport, locale=locale)
        browser_login(page, live_server, hq)
        page.goto(f"{live_server.url}/hq/incidents/{incident.pk}/{path}")
        return page

    return _open


@pytest.mark.parametrize("locale", ["ja-JP", "en-US"])
def test_the_situation_report_fits_a_phone_and_an_a4_page(incident_pages, locale):
    page = incident_pages("report/", viewport=PHONE, locale=locale)
    assert page.evaluate(OVERFLOW) <= 0, "the report scrolls sideways on a 390 px phone"
    page.set_viewport_size(A4_PORTRAIT)
    page.emulate_media(media="print")
    assert page.evaluate(OVERFLOW) <= 0, "the printed report is wider than A4 portrait"
    assert page.locator(".site-header").is_hidden()
    # The print button is a static script, not an inline handler.
    assert page.locator("[onclick]").count() == 0


def test_the_dashboard_on_a_phone_shows_the_situation_before_the_forms(incident_pages):
    page = incident_pages("", viewport=PHONE)
    assert page.evaluate(OVERFLOW) <= 0
    situation = page.locator("#situation").bounding_box()
    declare = page.locator("#declare-form").bounding_box()
    assert situation["y"] < declare["y"], "on a phone the forms push the situation down"
