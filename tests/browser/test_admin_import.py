"""A JSDA administrator imports organizations from a spreadsheet: dry run, fix, apply."""

from organizations.models import Organization
from tests import factories
from tests.browser.conftest import browser_login
from tests.organizations.transfer_helpers import ORG_HEADER, org_row, xlsx_bytes


def test_an_administrator_uploads_checks_and_applies_a_spreadsheet(
    page, live_server, settings, tmp_path
):
    settings.VAR_DIR = tmp_path
    admin = factories.user("jsda", role="jsda_admin")
    browser_login(page, live_server, admin)

    page.goto(f"{live_server.url}/manage/")
    page.get_by_role("link", name="一括登録・書き出し（CSV／Excel）").click()
    page.get_by_label("組織").check()

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(
        xlsx_bytes(
            [
                ORG_HEADER,
                org_row("NEW-WEB", name_ja="ブラウザ証券株式会社", segments="exchange:2.5"),
                org_row("BAD-WEB", kind="casino"),
            ]
        )
    )
    page.get_by_label("ファイル（.csv または .xlsx）").set_input_files(str(bad))
    page.get_by_role("button", name="ファイルを検査する（ドライラン）").click()
    assert "1 行に問題があります。" in page.locator("#import-summary").inner_text()
    error_row = page.locator("#import-errors tbody tr")
    assert error_row.count() == 1
    assert error_row.locator("td").nth(0).inner_text() == "3"
    assert error_row.locator("td").nth(1).inner_text() == "kind"
    assert "casino" in error_row.locator("td").nth(2).inner_text()
    assert page.locator("#apply-form").count() == 0
    assert not Organization.objects.filter(code="NEW-WEB").exists()

    page.get_by_role("link", name="修正したファイルをアップロード").click()
    good = tmp_path / "good.xlsx"
    good.write_bytes(
        xlsx_bytes(
            [
                ORG_HEADER,
                org_row("NEW-WEB", name_ja="ブラウザ証券株式会社", segments="exchange:2.5"),
            ]
        )
    )
    page.get_by_label("組織").check()
    page.get_by_label("ファイル（.csv または .xlsx）").set_input_files(str(good))
    page.get_by_role("button", name="ファイルを検査する（ドライラン）").click()
    summary = page.locator("#import-summary").inner_text()
    assert "1 行を検査しました。問題はありません。" in summary
    assert "追加: 1 件" in summary
    assert page.get_by_text("NEW-WEB").is_visible()
    assert not Organization.objects.filter(code="NEW-WEB").exists(), "a dry run wrote"

    page.get_by_role("button", name="この内容で反映する").click()
    assert "good.xlsx を反映しました: 追加 1 件" in page.locator(".messages").inner_text()
    org = Organization.objects.get(code="NEW-WEB")
    assert org.history.latest().history_user == admin

    # The new organization is there for the administrator to see and edit.
    page.goto(f"{live_server.url}/admin/organizations/organization/?q=NEW-WEB")
    assert page.get_by_role("link", name="NEW-WEB").first.is_visible()
    assert page.get_by_text("ブラウザ証券株式会社").first.is_visible()


def test_the_import_page_fits_a_phone(phone_page, live_server):
    admin = factories.user("jsda", role="jsda_admin")
    browser_login(phone_page, live_server, admin)
    phone_page.goto(f"{live_server.url}/manage/import/")
    assert phone_page.get_by_role("button", name="ファイルを検査する（ドライラン）").is_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    phone_page.screenshot(path="test-results/admin-import-phone.png", full_page=True)
