import pytest
from rest_framework.authtoken.models import Token

from status_board.models import CurrentStatus, StatusReport

URL = "/api/v1/status-reports/"


def _token_client(api_client, user):
    token, _ = Token.objects.get_or_create(user=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return api_client


@pytest.mark.django_db
def test_a_reporter_posts_its_own_status_with_a_token(api_client, reporter_a, org_a):
    client = _token_client(api_client, reporter_a)
    response = client.post(
        URL,
        {
            "organization": "firm-a",
            "function": "trading",
            "status": "suspended",
            "message": "本社被災のため停止",
            "expected_recovery_at": "2030-03-11T18:00:00+09:00",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["organization"] == "FIRM-A" and body["function"] == "trading"
    assert body["status"] == "suspended" and body["reported_by"] == "reporter_a"
    assert body["message"] == "本社被災のため停止" and body["source"] == "api"
    assert body["expected_recovery_at"].startswith("2030-03-11T18:00:00")
    assert {"id", "reported_at"} <= set(body)
    assert CurrentStatus.objects.get(organization=org_a, function__code="trading").status == (
        "suspended"
    )


@pytest.mark.django_db
def test_anonymous_posts_get_401_with_a_challenge(api_client, org_a):
    response = api_client.post(
        URL, {"organization": "FIRM-A", "function": "trading", "status": "normal"}, format="json"
    )
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")
    assert response.json()["message"]


@pytest.mark.django_db
def test_a_bad_token_gets_401(api_client, org_a):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = api_client.post(
        URL, {"organization": "FIRM-A", "function": "trading", "status": "normal"}, format="json"
    )
    assert response.status_code == 401


@pytest.mark.django_db
def test_another_organization_gets_403(api_client, reporter_b, viewer_a, org_a):
    for outsider in (reporter_b, viewer_a):
        client = _token_client(api_client, outsider)
        response = client.post(
            URL,
            {"organization": "FIRM-A", "function": "trading", "status": "normal"},
            format="json",
        )
        assert response.status_code == 403
        assert "own organization" in response.json()["message"] or response.json()["message"]
    assert not StatusReport.objects.exists()


@pytest.mark.django_db
def test_session_authentication_works_too(client, login, reporter_a, org_a):
    login(reporter_a)
    response = client.post(
        URL,
        {"organization": "FIRM-A", "function": "trading", "status": "backup_site"},
        content_type="application/json",
    )
    assert response.status_code == 201


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change, words",
    [
        ({"status": "on_fire"}, "status"),
        ({"status": "not_reported"}, "not_reported"),
        ({"function": "teleportation"}, "teleportation"),
        ({"function": "clearing"}, "clearing"),  # exists, but a securities firm does not hold it
        ({"organization": "NOPE"}, "NOPE"),
        ({"expected_recovery_at": "tomorrow-ish"}, "expected_recovery_at"),
        ({"message": "長" * 2001}, "message"),
        ({"status": None}, "status"),
    ],
)
def test_bad_input_gets_400_with_a_json_message(api_client, reporter_a, org_a, change, words):
    client = _token_client(api_client, reporter_a)
    data = {"organization": "FIRM-A", "function": "trading", "status": "normal"} | change
    response = client.post(URL, data, format="json")
    assert response.status_code == 400, response.content
    assert words in response.json()["message"]
    assert not StatusReport.objects.exists()


@pytest.mark.django_db
def test_a_message_of_exactly_2000_characters_is_fine(api_client, reporter_a, org_a):
    client = _token_client(api_client, reporter_a)
    data = {"organization": "FIRM-A", "function": "trading", "status": "normal"}
    response = client.post(URL, data | {"message": "長" * 2000}, format="json")
    assert response.status_code == 201


@pytest.mark.django_db
def test_history_is_newest_first_and_attributed(api_client, report, reporter_a, viewer_a, org_a):
    report(reporter_a, org_a, "trading", "suspended")
    report(reporter_a, org_a, "trading", "degraded")
    report(reporter_a, org_a, "settlement", "normal")
    client = _token_client(api_client, viewer_a)
    response = client.get(URL, {"organization": "FIRM-A", "function": "trading"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2 and {"next", "previous"} <= set(body)
    assert [r["status"] for r in body["results"]] == ["degraded", "suspended"]
    assert {r["reported_by"] for r in body["results"]} == {"reporter_a"}


@pytest.mark.django_db
def test_anonymous_callers_read_the_history_of_public_organizations_only(
    api_client, report, public_org, org_a, reporter_a
):
    from tests import factories

    public_reporter = factories.user("pub_rep", role="reporter", organization=public_org)
    report(public_reporter, public_org, "trading", "normal")
    report(reporter_a, org_a, "trading", "suspended")
    body = api_client.get(URL).json()
    assert [r["organization"] for r in body["results"]] == ["PUB-EX"]
    assert body["results"][0]["reported_by"] is None  # account names are for members
    assert api_client.get(URL, {"organization": "FIRM-A"}).json()["count"] == 0
