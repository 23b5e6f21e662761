"""Request bodies that used to be a 500 on every API POST: a 400 with a message instead."""

import pytest

pytestmark = pytest.mark.django_db

POSTS = ["/api/v1/status-reports/", "/api/v1/circulars/", "/api/v1/incidents/"]


@pytest.mark.parametrize("url", POSTS)
def test_a_body_nested_5000_levels_deep_is_a_400(api_client, hq_user, url):
    api_client.force_authenticate(hq_user)
    body = "[" * 5000 + "]" * 5000
    response = api_client.generic("POST", url, body, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert "64" in response.json()["message"]


def test_moderate_nesting_past_the_limit_is_refused_too(api_client, reporter_a):
    api_client.force_authenticate(reporter_a)
    body = '{"organization": "FIRM-A", "x": ' + "[" * 70 + "]" * 70 + "}"
    response = api_client.generic(
        "POST", "/api/v1/status-reports/", body, content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["message"]


def test_a_lone_surrogate_is_a_400_not_a_database_error(api_client, reporter_a):
    # DRF's text fields refuse surrogates; kept here so that a change of parser keeps it so.
    api_client.force_authenticate(reporter_a)
    body = '{"organization": "FIRM-A", "function": "trading", "status": "degraded", '
    body += '"message": "\\ud800"}'
    response = api_client.generic(
        "POST", "/api/v1/status-reports/", body, content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["message"]


def test_ordinary_bodies_still_work(api_client, reporter_a):
    api_client.force_authenticate(reporter_a)
    response = api_client.post(
        "/api/v1/status-reports/",
        {"organization": "FIRM-A", "function": "trading", "status": "degraded", "message": "😀"},
        format="json",
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("url", "multipart"), [("/api/v1/circulars/", True), ("/api/v1/drills/", False)]
)
def test_a_form_body_past_djangos_field_limit_is_a_json_400(api_client, hq_user, url, multipart):
    """Found by schemathesis: 1,001+ repeated form keys were Django's HTML 400 and a logged
    error (TooManyFieldsSent); the API answers its own JSON error body."""
    from django.conf import settings

    api_client.force_authenticate(hq_user)
    fields = [
        ("organizations", f"ORG{i}") for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)
    ]
    if multipart:
        from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

        data = {"title_ja": "t", "organizations": [v for _k, v in fields]}
        body, content_type = encode_multipart(BOUNDARY, data), MULTIPART_CONTENT
    else:
        from urllib.parse import urlencode

        body = urlencode(fields)
        content_type = "application/x-www-form-urlencoded"
    response = api_client.generic("POST", url, body, content_type=content_type)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["message"]
