"""A member who is not logged in follows a members-only circular link: the login page, then
the circular (issue 11). Visitors learn nothing; logged-in outsiders still get the 404."""

import pytest

from tests import factories

from .conftest import publish

pytestmark = pytest.mark.django_db

SECRET = "会員だけが知る内容"


@pytest.fixture
def members_only(hq_user):
    return publish(hq_user, title_ja="会員向けの通達", body_ja=SECRET, audience="members")


def test_a_logged_out_member_logs_in_and_lands_on_the_circular(client, viewer_a, members_only):
    url = f"/circulars/{members_only.number}/"
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"
    login_page = client.get(response["Location"]).content.decode()
    assert SECRET not in login_page and members_only.title_ja not in login_page
    landed = client.post(
        "/accounts/login/",
        {"username": viewer_a.username, "password": factories.PASSWORD, "next": url},
    )
    assert landed["Location"] == url
    assert SECRET in client.get(url).content.decode()


def test_a_visitor_cannot_tell_a_hidden_circular_from_a_missing_one(client, members_only):
    hidden = client.get(f"/circulars/{members_only.number}/")
    missing = client.get("/circulars/2099-9999/")
    assert hidden.status_code == missing.status_code == 302
    assert SECRET not in hidden.content.decode()
    assert client.get(f"/api/v1/circulars/{members_only.number}/").status_code == 404


def test_a_logged_in_user_without_access_still_gets_404(client, login, reporter_b, hq_user, org_a):
    only_a = publish(hq_user, audience="organizations", organizations=["FIRM-A"], body_ja=SECRET)
    login(reporter_b)
    assert client.get(f"/circulars/{only_a.number}/").status_code == 404
    assert client.get("/circulars/2099-9999/").status_code == 404
