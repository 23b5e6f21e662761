"""HQ publishes a members-only circular with an attachment; a firm reads and acknowledges it."""

import re

from tests import factories
from tests.browser.conftest import PHONE, browser_login

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_publish_read_acknowledge_and_follow_progress(
    page, new_page, live_server, settings, tmp_path
):
    settings.PROTECTED_MEDIA_ROOT = tmp_path / "protected"
    firm = factories.organization("FIRM-A", name_ja="テスト証券A")
    factories.organization("FIRM-B", name_ja="テスト証券B")
    hq = factories.user("hq", role="hq_staff")
    reporter = factories.user("reporter_a", role="reporter", organization=firm)

    browser_login(page, live_server, hq)
    page.goto(f"{live_server.url}/circulars/new/")
    page.fill("input[name=title_ja]", "大規模地震発生時の対応について")
    page.fill("textarea[name=body_ja]", "## 対応\n\n各社は**業務継続の可否**を報告してください。")
    page.select_option("select[name=category]", "emergency")
    page.check("input[name=audience][value=members]")
    page.check("input[name=requires_ack]")
    page.set_input_files(
        "input[name=attachments]",
        files=[{"name": "手順書.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    page.click("#circular-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/circulars/\d{4}-0001/$"))
    number = page.url.rstrip("/").rsplit("/", 1)[1]
    assert page.locator("h1").inner_text() == "大規模地震発生時の対応について"
    assert page.locator(".body h2").inner_text() == "対応"

    firm_page = new_page(viewport=PHONE)
    browser_login(firm_page, live_server, reporter)
    firm_page.goto(f"{live_server.url}/circulars/")
    task = firm_page.locator("#tasks a", has_text="大規模地震発生時の対応について")
    task.click()
    firm_page.wait_for_url(f"**/circulars/{number}/")
    with firm_page.expect_download() as download:
        firm_page.click("text=手順書.pdf")
    assert download.value.suggested_filename == "手順書.pdf"
    firm_page.click(f"form[action='/circulars/{number}/acknowledge/'] button[type=submit]")
    firm_page.wait_for_load_state()
    assert firm_page.locator(".ack .st-normal").count() == 1
    # Nothing is left to do: the task list is empty.
    firm_page.goto(f"{live_server.url}/circulars/")
    assert firm_page.locator("#tasks").count() == 0

    page.goto(f"{live_server.url}/circulars/{number}/progress/")
    assert page.locator("#count-acknowledged").inner_text() == "1"
    assert page.locator("#count-pending").inner_text() == "1"
    assert "テスト証券A" in page.locator("#acknowledged + *").inner_text()
    assert "reporter_a" in page.locator("#acknowledged + *").inner_text()
