import pytest

from tests.browser.conftest import browser_login


def test_a_reporter_logs_in_and_sees_its_organization(page, live_server, reporter_a, org_a):
    browser_login(page, live_server, reporter_a)
    page.goto(f"{live_server.url}/my/")
    assert org_a.name_ja in page.content()


def test_hq_staff_pass_the_second_factor(page, live_server, hq_user):
    browser_login(page, live_server, hq_user)
    assert "/accounts/otp/" not in page.url
    page.goto(f"{live_server.url}/accounts/me/")
    # The role in words, in the page's language (issue 11), never its code.
    from django.utils import translation

    from organizations.permissions import HQ_STAFF, role_label

    with translation.override("ja"):
        assert role_label(HQ_STAFF) in page.content()
    assert "hq_staff" not in page.inner_text("main")


@pytest.mark.django_db(transaction=True)
def test_a_wrong_password_is_refused(page, live_server, reporter_a):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", reporter_a.username)
    page.fill("input[name=password]", "wrong password")
    page.click("#login-form button[type=submit]")
    assert "/accounts/login/" in page.url
    assert page.locator(".errorlist").count() >= 1
