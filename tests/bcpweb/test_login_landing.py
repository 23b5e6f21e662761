"""Where a login leads (issue 11): reporters to the report form, others where they were going."""

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def _login(client, user, next_url=None):
    data = {"username": user.username, "password": factories.PASSWORD}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/accounts/login/", data)


@pytest.mark.parametrize("next_url", [None, "", "/", "/?lang=en"])
def test_a_reporter_coming_from_the_public_board_lands_on_the_report_form(
    client, reporter_a, org_a, next_url
):
    response = _login(client, reporter_a, next_url)
    assert response.status_code == 302
    assert response["Location"] == "/report/"
    # …which takes a reporter of one organization straight to its form.
    assert client.get("/report/")["Location"] == f"/board/{org_a.code}/report/"


def test_a_reporter_following_a_link_goes_where_they_were_going(client, reporter_a):
    response = _login(client, reporter_a, "/circulars/")
    assert response["Location"] == "/circulars/"


def test_a_viewer_lands_where_they_were_going(client, viewer_a):
    assert _login(client, viewer_a, "/")["Location"] == "/"
    client.post("/accounts/logout/")
    assert _login(client, viewer_a, "/members/board/")["Location"] == "/members/board/"


def test_an_outside_next_is_not_followed(client, reporter_a):
    assert _login(client, reporter_a, "https://evil.example/")["Location"] == "/report/"
