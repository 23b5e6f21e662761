"""A reporter updates every function of its organization from a phone."""

from status_board.models import CurrentStatus
from tests import factories
from tests.browser.conftest import browser_login


def test_a_reporter_updates_every_function_from_a_phone(phone_page, live_server):
    org = factories.organization(
        "PHONE-SEC", is_public=True, name_ja="スマホ証券", name_en="Phone Securities"
    )
    reporter = factories.user("phone_rep", role="reporter", organization=org)
    functions = list(org.organization_functions.values_list("function__code", flat=True))
    page = phone_page
    browser_login(page, live_server, reporter)
    page.goto(f"{live_server.url}/report/")
    page.wait_for_url("**/board/PHONE-SEC/report/")
    # One tap: every function operating normally.
    page.click("#all-normal")
    page.wait_for_selector(".msg-success")
    assert CurrentStatus.objects.filter(organization=org, status="normal").count() == len(functions)
    # Then one tap per function to change it, and one to save.
    page.locator("#fn-trading label.choice.st-suspended").click()
    page.locator("#fn-online_trading label.choice.st-degraded").click()
    page.locator("#fn-customer_support label.choice.st-backup_site").click()
    page.click("#save-status")
    page.wait_for_selector(".msg-success")
    current = dict(
        CurrentStatus.objects.filter(organization=org).values_list("function__code", "status")
    )
    assert current["trading"] == "suspended"
    assert current["online_trading"] == "degraded"
    assert current["customer_support"] == "backup_site"
    # Nothing sticks out sideways on a 390 px screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto(f"{live_server.url}/")
    assert "停止中" in page.locator("#org-PHONE-SEC").inner_text()
