"""A reporter keeps its contact tree and BCP profile from a phone (390×844)."""

from organizations.models import BcpProfile, Contact
from tests.browser.conftest import browser_login


def test_a_reporter_edits_contacts_and_the_bcp_profile_on_a_phone(
    phone_page, live_server, reporter_a, org_a
):
    page = phone_page
    browser_login(page, live_server, reporter_a)

    page.goto(f"{live_server.url}/my/")
    page.get_by_role("link", name="緊急時連絡網").click()
    page.get_by_role("link", name="連絡先を追加").click()
    page.get_by_label("名前").fill("山田 太郎")
    page.get_by_label("役職").fill("BCP統括責任者")
    page.get_by_label("メールアドレス").fill("yamada@example.test")
    page.get_by_label("電話番号").fill("03-0000-0001")
    page.get_by_role("button", name="保存").click()
    assert page.locator("li.contact strong", has_text="山田 太郎").is_visible()

    page.get_by_role("link", name="連絡先を追加").click()
    page.get_by_label("名前").fill("佐藤 花子")
    page.get_by_label("メールアドレス").fill("sato@example.test")
    page.get_by_label("順番").fill("2")
    page.get_by_label("上位の連絡先").select_option(label="FIRM-A: 山田 太郎")
    page.get_by_role("button", name="保存").click()
    sato = Contact.objects.get(name="佐藤 花子")
    assert sato.parent.name == "山田 太郎"

    page.goto(f"{live_server.url}/organizations/{org_a.code}/bcp-profile/")
    page.get_by_role("link", name="BCPプロファイルを編集").click()
    page.get_by_label("BCP計画の版").fill("第4版")
    page.get_by_label("計画の最終見直し日").fill("2026-10-01")
    page.get_by_label("代替対策本部の場所").fill("大阪バックアップセンター")
    page.get_by_label("売買").fill("45")
    page.get_by_role("button", name="保存").click()
    assert page.get_by_text("大阪バックアップセンター").is_visible()
    assert BcpProfile.objects.get(organization=org_a).plan_version == "第4版"
    assert page.locator("tr", has_text="売買").locator("td").nth(1).inner_text() == "45"
    assert org_a.organization_functions.get(function__code="trading").rto_minutes == 45

    # Nothing on these pages is wider than the phone.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    page.screenshot(path="test-results/reporter-profile-phone.png", full_page=True)
