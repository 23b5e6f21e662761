"""An investor reads the public board in English, without logging in."""

from status_board import services
from tests import factories


def test_an_investor_reads_the_board_in_english(new_page, live_server):
    exchange = factories.organization(
        "BRW-EX", kind="exchange", is_public=True, name_ja="閲覧取引所", name_en="Browse Exchange"
    )
    factories.organization("HIDDEN-SEC", name_ja="非公開証券", name_en="Hidden Securities")
    reporter = factories.user("brw_rep", role="reporter", organization=exchange)
    services.status_report_create(
        actor=reporter,
        organization=exchange,
        entry=services.ReportInput(
            "trading", "suspended", message="売買停止", message_en="Trading halted"
        ),
    )
    page = new_page(locale="en-US")
    page.goto(f"{live_server.url}/")
    assert page.locator("html").get_attribute("lang") == "en"
    org = page.locator("#org-BRW-EX")
    text = org.inner_text()
    assert "Browse Exchange" in text and "Suspended" in text and "Trading halted" in text
    assert "Hidden Securities" not in page.content()
    assert "not operating normally" in page.locator(".banner").first.inner_text()
    # The Japanese reader switches language with the button in the header.
    page2 = new_page(locale="ja-JP")
    page2.goto(f"{live_server.url}/")
    page2.click("form.lang button")
    page2.wait_for_load_state()
    assert page2.locator("html").get_attribute("lang") == "en"
    page.click("#org-BRW-EX h3 a")
    page.wait_for_url("**/board/BRW-EX/")
    assert page.locator(".bars").count() >= 1 and "Timeline" in page.content()
