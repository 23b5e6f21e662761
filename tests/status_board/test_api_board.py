import pytest

from tests import factories

URL = "/api/v1/board/"


@pytest.fixture
def board(report, public_org, org_a, reporter_a):
    public_reporter = factories.user("pub_rep", role="reporter", organization=public_org)
    report(public_reporter, public_org, "trading", "suspended", message="売買停止中")
    report(reporter_a, org_a, "trading", "degraded")
    return public_org


def _org(body, code):
    return next((o for o in body["organizations"] if o["code"] == code), None)


@pytest.mark.django_db
def test_anonymous_callers_see_public_organizations_only(api_client, board):
    response = api_client.get(URL)
    assert response.status_code == 200
    body = response.json()
    # Additive (issue 11): the BCP activations in force, for the banner.
    assert set(body) == {"generated_at", "organizations", "activations"}
    assert [o["code"] for o in body["organizations"]] == ["PUB-EX"]
    org = body["organizations"][0]
    assert set(org) == {"code", "name_ja", "name_en", "kind", "functions"}
    trading = next(f for f in org["functions"] if f["function"] == "trading")
    assert trading["status"] == "suspended" and trading["message"] == "売買停止中"
    # Fields are only ever added (DESIGN §6): confirmed_at came with issue 11.
    assert {
        "function",
        "status",
        "message",
        "message_en",
        "reported_at",
        "expected_recovery_at",
    } <= set(trading)
    unreported = next(f for f in org["functions"] if f["function"] == "market_data")
    assert unreported["status"] == "not_reported" and unreported["reported_at"] is None


@pytest.mark.django_db
def test_members_see_every_organization(client, login, board, reporter_b):
    login(reporter_b)
    body = client.get(URL).json()
    assert _org(body, "FIRM-A")["functions"][0]["function"]
    assert (
        next(f for f in _org(body, "FIRM-A")["functions"] if f["function"] == "trading")["status"]
        == "degraded"
    )
    assert _org(body, "PUB-EX") is not None


@pytest.mark.django_db
def test_a_token_member_sees_every_organization(api_client, board, reporter_b):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=reporter_b)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert _org(api_client.get(URL).json(), "FIRM-A") is not None


@pytest.mark.django_db
def test_it_answers_304_to_a_matching_etag_or_date(client, board):
    first = client.get(URL)
    assert first["ETag"] and first["Last-Modified"]
    again = client.get(URL, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    since = client.get(URL, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304


@pytest.mark.django_db
def test_a_new_report_changes_the_etag_at_once(client, board, report):
    first = client.get(URL)
    reporter = factories.user("pub_rep2", role="reporter", organization=board)
    report(reporter, board, "trading", "normal")
    second = client.get(URL, HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200
    assert second["ETag"] != first["ETag"]
    assert _org(second.json(), "PUB-EX")["functions"][1]["status"] == "normal"
