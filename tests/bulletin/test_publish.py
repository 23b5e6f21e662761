"""Publishing: who may, what is valid, and that bad input stores nothing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from bulletin.models import Circular, CircularRecipient
from tests import factories

from .conftest import circular_fields, publish

pytestmark = pytest.mark.django_db

URL = "/api/v1/circulars/"


def test_hq_staff_publish_through_the_api(api_client, hq_user, org_a):
    api_client.force_authenticate(hq_user)
    response = api_client.post(URL, circular_fields(requires_ack=True), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"].endswith("-0001")
    assert body["published_at"]
    assert "<h1>概要</h1>" in body["body_html"]
    assert body["issuer"] is None
    assert body["requires_ack"] is True
    # Everyone is asked: every active organization becomes a recipient.
    assert CircularRecipient.objects.filter(organization=org_a).count() == 1


def test_jsda_admin_publish_market_wide(api_client, admin_user):
    api_client.force_authenticate(admin_user)
    assert api_client.post(URL, circular_fields(), format="json").status_code == 201


def test_a_market_infrastructure_publishes_from_its_own_organization(
    api_client, exchange_reporter, exchange, org_a
):
    api_client.force_authenticate(exchange_reporter)
    response = api_client.post(
        URL, circular_fields(audience="organizations", organizations=["firm-a"]), format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["issuer"] == exchange.code
    assert response.json()["organizations"] == ["FIRM-A"]


def test_an_infrastructure_reporter_cannot_publish_for_another_organization(
    api_client, exchange_reporter, org_a
):
    other_exchange = factories.organization("OSE-T", kind="exchange")
    api_client.force_authenticate(exchange_reporter)
    response = api_client.post(URL, circular_fields(issuer=other_exchange.code), format="json")
    assert response.status_code == 403
    assert not Circular.objects.exists()


@pytest.mark.parametrize("who", ["reporter_a", "viewer_a", "regulator_user"])
def test_everyone_else_gets_403(api_client, request, who):
    user = request.getfixturevalue(who)
    api_client.force_authenticate(user)
    response = api_client.post(URL, circular_fields(), format="json")
    assert response.status_code == 403
    assert response.json()["message"]
    assert not Circular.objects.exists()


def test_anonymous_post_gets_401_with_a_challenge(api_client):
    response = api_client.post(URL, circular_fields(), format="json")
    assert response.status_code == 401
    assert response.has_header("WWW-Authenticate")


def test_a_bad_token_gets_401(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert api_client.post(URL, circular_fields(), format="json").status_code == 401


@override_settings(API_TOKENS_FOR_TWO_FACTOR_ROLES=True)
def test_an_approved_token_publishes(api_client, hq_user, admin_user):
    from rest_framework.authtoken.models import Token

    from organizations import two_factor

    token = Token.objects.create(user=hq_user)
    two_factor.api_token_exempt(actor=admin_user, user=hq_user, reason="HQ publishing client")
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api_client.post(URL, circular_fields(), format="json").status_code == 201


@pytest.mark.parametrize(
    "bad, field",
    [
        ({"category": "rumour"}, "category"),
        ({"audience": "everyone"}, "audience"),
        ({"title_ja": "   "}, "title_ja"),
        ({"title_ja": ""}, "title_ja"),
        ({"body_ja": ""}, "body_ja"),
        ({"audience": "organizations", "organizations": ["NOPE-1"]}, "organizations"),
        ({"audience": "organizations"}, "organizations"),
        ({"audience": "kinds", "kinds": ["bakery"]}, "kinds"),
        ({"audience": "committees", "committees": ["NO-SUCH"]}, "committees"),
        ({"requires_ack": True, "ack_deadline": "2001-01-01T00:00:00+09:00"}, "ack_deadline"),
        ({"ack_deadline": "2099-01-01T00:00:00+09:00"}, "ack_deadline"),
        ({"title_ja": "長" * 201}, "title_ja"),
    ],
)
def test_bad_input_is_a_clear_400_and_stores_nothing(api_client, hq_user, org_a, bad, field):
    api_client.force_authenticate(hq_user)
    response = api_client.post(URL, circular_fields(**bad), format="json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body["errors"]
    assert body["message"]
    assert not Circular.objects.exists()
    assert not CircularRecipient.objects.exists()


def test_an_unknown_organization_is_named_in_the_error(api_client, hq_user, org_a):
    api_client.force_authenticate(hq_user)
    response = api_client.post(
        URL,
        circular_fields(audience="organizations", organizations=["FIRM-A", "GHOST"]),
        format="json",
    )
    assert response.status_code == 400
    assert "GHOST" in response.json()["message"]


def test_audience_by_kind_and_committee_resolve_recipients(hq_user, org_a, org_b, exchange):
    from organizations.models import Committee

    committee = Committee.objects.create(code="BOND-C", name_ja="公社債委員会", name_en="Bond")
    committee.members.add(org_b)
    by_kind = publish(hq_user, audience="kinds", kinds=["exchange"])
    assert list(by_kind.recipients.values_list("code", flat=True)) == [exchange.code]
    by_committee = publish(hq_user, audience="committees", committees=["bond-c"])
    assert list(by_committee.recipients.values_list("code", flat=True)) == ["FIRM-B"]
    assert list(by_committee.committees.all()) == [committee]


def test_the_service_refuses_a_securities_firm_reporter(reporter_a, org_a):
    with pytest.raises(PermissionDenied):
        publish(reporter_a, issuer=org_a)
    with pytest.raises(PermissionDenied):
        publish(reporter_a)


def test_the_service_reports_every_bad_field_at_once(hq_user):
    with pytest.raises(ValidationError) as error:
        publish(hq_user, title_ja="", category="x", audience="y")
    assert {"title_ja", "category", "audience"} <= set(error.value.message_dict)


def test_publishing_with_ack_calls_the_contact_tree_hook(hq_user, org_a, monkeypatch):
    from bulletin import services

    calls = []
    monkeypatch.setattr(
        services, "_circular_notify_contact_trees", lambda **kw: calls.append(kw["circular"])
    )
    publish(hq_user, audience="members")
    assert calls == []
    circular = publish(hq_user, audience="members", requires_ack=True)
    assert calls == [circular]


def _page_form(**changes):
    return {
        "issuer": "market",
        "title_ja": "お知らせ",
        "body_ja": "本文",
        "category": "general",
        "audience": "organizations",
        "organizations": "firm-a",
        **changes,
    }


def test_the_publish_page_works_and_shows_errors(client, login, hq_user, org_a):
    login(hq_user)
    assert client.get("/circulars/new/").status_code == 200
    response = client.post("/circulars/new/", _page_form(title_ja="", organizations="GHOST"))
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not Circular.objects.exists()
    response = client.post("/circulars/new/", _page_form(organizations="firm-a, GHOST"))
    assert "GHOST" in response.content.decode()
    assert not Circular.objects.exists()
    response = client.post("/circulars/new/", _page_form())
    circular = Circular.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/circulars/{circular.number}/"


@pytest.mark.parametrize("who", ["reporter_a", "viewer_a"])
def test_the_publish_page_is_forbidden_to_others(client, login, request, who):
    login(request.getfixturevalue(who))
    assert client.get("/circulars/new/").status_code == 403
    assert client.post("/circulars/new/", {"title_ja": "x"}).status_code == 403


def test_the_publish_page_sends_anonymous_visitors_to_login(client):
    response = client.get("/circulars/new/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
