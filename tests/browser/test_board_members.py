"""The members' board refreshes by itself when another member posts."""

from status_board import services
from tests import factories
from tests.browser.conftest import browser_login


def test_the_members_board_refreshes_after_another_member_posts(new_page, live_server):
    firm = factories.organization("LIVE-SEC", name_ja="ライブ証券", name_en="Live Securities")
    viewer = factories.user("live_viewer", role="viewer", organization=firm)
    reporter = factories.user("live_rep", role="reporter", organization=firm)
    page = new_page()
    browser_login(page, live_server, viewer)
    page.goto(f"{live_server.url}/members/board/")
    assert page.locator('td[data-status="suspended"]').count() == 0
    page.evaluate("window.__marker = 'still the same page'")
    services.status_report_create(
        actor=reporter,
        organization=firm,
        entry=services.ReportInput("trading", "suspended", message="システム障害"),
    )
    page.wait_for_selector('td[data-status="suspended"]', timeout=15_000)
    assert "システム障害" in page.locator("#board-rows").inner_text()
    assert page.evaluate("window.__marker") == "still the same page"  # no full reload
