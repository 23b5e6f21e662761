"""Boards say they refresh themselves only when they do; the public board refreshes itself."""

from playwright.sync_api import expect

from status_board import services, snapshots
from tests import factories
from tests.browser.conftest import browser_login


def test_the_members_board_without_javascript_does_not_promise_a_refresh(
    browser, new_page, live_server, transactional_db
):
    firm = factories.organization("NOJS-SEC", name_ja="静的証券", name_en="Static Securities")
    viewer = factories.user("nojs_viewer", role="viewer", organization=firm)
    scripted = new_page()
    browser_login(scripted, live_server, viewer)
    scripted.goto(f"{live_server.url}/members/board/")
    assert scripted.get_by_text("数秒ごとに自動更新").is_visible()
    context = browser.new_context(java_script_enabled=False, locale="ja-JP")
    try:
        static = context.new_page()
        browser_login(static, live_server, viewer)
        static.goto(f"{live_server.url}/members/board/")
        assert "静的証券" in static.inner_text("#board-rows")
        assert not static.get_by_text("数秒ごとに自動更新").is_visible()
    finally:
        context.close()


def test_the_public_board_refreshes_itself_and_reads_without_javascript(
    browser, new_page, live_server, settings
):
    settings.BOARD_REFRESH_SECONDS = 1
    snapshots.reset_local_state()
    exchange = factories.organization(
        "POLL-EX", kind="exchange", is_public=True, name_ja="更新取引所", name_en="Poll Exchange"
    )
    reporter = factories.user("poll_rep", role="reporter", organization=exchange)
    page = new_page()
    statuses = []
    page.on(
        "response",
        lambda r: statuses.append(r.status) if "/board/fragment.html" in r.url else None,
    )
    page.goto(f"{live_server.url}/")
    page.evaluate("window.__marker = 'same page'")
    assert page.locator("#board-refresh").is_visible()
    # Locator waits, not wait_for_function: the CSP (no 'unsafe-eval') refuses evaluated strings.
    expect(page.locator("#board-checked")).not_to_have_text("")
    page.wait_for_timeout(2_500)
    assert 304 in statuses, statuses  # an unchanged board costs a 304
    services.status_report_create(
        actor=reporter,
        organization=exchange,
        entry=services.ReportInput("trading", "suspended", message="売買停止"),
    )
    snapshots.invalidate()
    expect(page.locator("#board")).to_contain_text("売買停止", timeout=15_000)
    assert page.evaluate("window.__marker") == "same page"  # swapped in, not reloaded
    assert 200 in statuses
    # Without JavaScript the page is complete and says when it was generated.
    static_context = browser.new_context(java_script_enabled=False, locale="ja-JP")
    try:
        static = static_context.new_page()
        static.goto(f"{live_server.url}/")
        text = static.inner_text("main")
        assert "更新取引所" in text and "売買停止" in text and "最終更新" in text
        assert not static.locator("#board-refresh").is_visible()
    finally:
        static_context.close()
