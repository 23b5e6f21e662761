"""API tokens of HQ and admin accounts skip the second factor only by a recorded choice."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from rest_framework.authtoken.models import Token

from organizations import two_factor
from organizations.models import ApiTokenExemption

pytestmark = pytest.mark.django_db

URL = "/api/v1/incidents/"


def _with_token(api_client, user):
    token, _ = Token.objects.get_or_create(user=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return token


def test_an_hq_token_is_refused_by_default_with_a_json_403(api_client, hq_user):
    _with_token(api_client, hq_user)
    response = api_client.get(URL)
    assert response.status_code == 403
    assert "second factor" in response.json()["message"] or "二要素" in response.json()["message"]
    assert api_client.post(URL, {"title": "x", "kind": "other", "severity": 1}).status_code == 403


def test_an_admin_token_is_refused_too(api_client, admin_user):
    _with_token(api_client, admin_user)
    assert api_client.get("/api/v1/organizations/").status_code == 403


@override_settings(API_TOKENS_FOR_TWO_FACTOR_ROLES=True)
def test_with_the_setting_on_a_token_still_needs_an_approval(api_client, hq_user):
    _with_token(api_client, hq_user)
    response = api_client.get(URL)
    assert response.status_code == 403
    assert response.json()["message"]


@override_settings(API_TOKENS_FOR_TWO_FACTOR_ROLES=True)
def test_an_approved_token_works_and_the_approval_is_recorded(api_client, hq_user, admin_user):
    _with_token(api_client, hq_user)
    exemption = two_factor.api_token_exempt(
        actor=admin_user, user=hq_user, reason="situation feed for the HQ wall screen"
    )
    assert api_client.get(URL).status_code == 200
    assert exemption.granted_by == admin_user and exemption.granted_at
    assert exemption.history.get().history_user == admin_user
    # A regenerated token is a new credential: it needs its own approval.
    Token.objects.filter(user=hq_user).delete()
    _with_token(api_client, hq_user)
    assert api_client.get(URL).status_code == 403


@override_settings(API_TOKENS_FOR_TWO_FACTOR_ROLES=True)
def test_revoking_an_approval_is_recorded_and_takes_effect(api_client, hq_user, admin_user):
    _with_token(api_client, hq_user)
    exemption = two_factor.api_token_exempt(actor=admin_user, user=hq_user, reason="wall screen")
    pk = exemption.pk
    two_factor.api_token_exemption_revoke(actor=admin_user, exemption=exemption)
    assert api_client.get(URL).status_code == 403
    assert ApiTokenExemption.history.filter(id=pk, history_type="-", history_user=admin_user)


def test_only_a_jsda_administrator_approves(hq_user, regulator_user):
    Token.objects.create(user=hq_user)
    for actor in (hq_user, regulator_user):
        with pytest.raises(PermissionDenied):
            two_factor.api_token_exempt(actor=actor, user=hq_user, reason="mine")
    assert not ApiTokenExemption.objects.exists()


def test_reporters_tokens_work_as_before(api_client, reporter_a):
    _with_token(api_client, reporter_a)
    assert api_client.get("/api/v1/organizations/").status_code == 200


@override_settings(API_TOKENS_FOR_TWO_FACTOR_ROLES=True)
def test_the_admin_approves_a_token_in_django_admin(client, login, admin_user, hq_user):
    Token.objects.create(user=hq_user)
    admin_user.is_staff = True
    admin_user.save()
    login(admin_user)
    response = client.post(
        "/admin/organizations/apitokenexemption/add/",
        {"user": hq_user.pk, "reason": "HQ wall screen"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    exemption = ApiTokenExemption.objects.get(user=hq_user)
    assert exemption.granted_by == admin_user


def test_the_admin_refuses_an_account_without_a_token(client, login, admin_user, hq_user):
    admin_user.is_staff = True
    admin_user.save()
    login(admin_user)
    response = client.post(
        "/admin/organizations/apitokenexemption/add/", {"user": hq_user.pk, "reason": "x"}
    )
    assert response.status_code == 200 and "drf_create_token" in response.content.decode()
    assert not ApiTokenExemption.objects.exists()


@override_settings(OTP_REQUIRED=False)
def test_with_two_factor_relaxed_for_a_demo_hq_tokens_work(api_client, hq_user):
    _with_token(api_client, hq_user)
    assert api_client.get(URL).status_code == 200


def _token_reads(api_client) -> tuple[int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        status = api_client.get(URL).status_code
    return status, sum('FROM "authtoken_token"' in q["sql"] for q in ctx.captured_queries)


@override_settings(API_TOKENS_FOR_TWO_FACTOR_ROLES=True)
def test_an_api_call_reads_its_token_once(api_client, hq_user, admin_user, reporter_a):
    # The two-factor middleware reads the token; the API's authentication takes it from
    # the request instead of reading it (and its user's groups) a second time.
    _with_token(api_client, hq_user)
    two_factor.api_token_exempt(actor=admin_user, user=hq_user, reason="wall screen")
    assert _token_reads(api_client) == (200, 1)
    _with_token(api_client, reporter_a)
    assert _token_reads(api_client) == (200, 1)


def test_a_token_of_a_deactivated_account_is_refused_with_a_401(api_client, reporter_a):
    _with_token(api_client, reporter_a)
    reporter_a.is_active = False
    reporter_a.save(update_fields=["is_active"])
    response = api_client.get(URL)
    assert response.status_code == 401
    assert response.json()["detail"]


def test_an_unknown_token_is_refused_with_a_401(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert api_client.get(URL).status_code == 401
