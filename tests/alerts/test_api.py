"""GET /api/v1/alerts/, /api/v1/alerts/{id}/, POST .../acknowledge/ (DESIGN §6)."""

from __future__ import annotations

import pytest

from alerts.models import Acknowledgement, AlertTarget
from tests import factories

from .conftest import ack_tokens

pytestmark = pytest.mark.django_db(transaction=True)

LIST = "/api/v1/alerts/"


@pytest.fixture
def alert(send, org_a, org_b, tree_a, tree_b):
    return send([org_a, org_b], is_drill=True)


@pytest.fixture
def api(api_client, login):
    def _as(user):
        login(user, client=api_client)
        return api_client

    return _as


def _ack(client, alert, **body):
    return client.post(f"{LIST}{alert.pk}/acknowledge/", body, format="json")


def test_anonymous_callers_are_told_to_authenticate(api_client, alert):
    for response in (
        api_client.get(LIST),
        api_client.get(f"{LIST}{alert.pk}/"),
        _ack(api_client, alert, answer="confirmed"),
    ):
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Token")
        assert response.json()["message"]


def test_hq_staff_see_every_alert_with_every_target(api, hq_user, alert):
    body = api(hq_user).get(LIST).json()
    assert body["count"] == 1
    (row,) = body["results"]
    assert row["id"] == alert.pk
    assert row["subject_ja"] == "【訓練】震度6強の地震について"
    assert row["subject_en"] == "[DRILL] Major earthquake"
    assert row["is_drill"] is True and row["requires_ack"] is True
    assert row["source"] is None and row["sent_at"]
    assert [(t["organization"], t["state"]) for t in row["targets"]] == [
        ("FIRM-A", "sent"),
        ("FIRM-B", "sent"),
    ]


def test_regulators_read_every_alert_too(api, regulator_user, alert):
    row = api(regulator_user).get(f"{LIST}{alert.pk}/").json()
    assert [t["organization"] for t in row["targets"]] == ["FIRM-A", "FIRM-B"]


def test_members_see_only_alerts_to_their_organization_and_their_own_row(
    api, send, reporter_a, viewer_a, org_b, tree_b, alert
):
    send([org_b])  # not to FIRM-A
    for member in (reporter_a, viewer_a):
        body = api(member).get(LIST).json()
        assert [r["id"] for r in body["results"]] == [alert.pk]
        assert [t["organization"] for t in body["results"][0]["targets"]] == ["FIRM-A"]


def test_an_alert_to_another_organization_is_not_found(api, send, reporter_a, org_b, tree_b):
    other = send([org_b])
    client = api(reporter_a)
    assert client.get(f"{LIST}{other.pk}/").status_code == 404
    assert client.get(f"{LIST}999999/").status_code == 404


def test_a_reporter_answers_for_its_organization_first_time_kept(api, reporter_a, alert):
    client = api(reporter_a)
    first = _ack(client, alert, answer="working", note="本社から対応中")
    assert first.status_code == 200
    (row,) = first.json()["targets"]
    assert row == {
        "organization": "FIRM-A",
        "state": "acknowledged",
        "acknowledged_at": row["acknowledged_at"],
        "answer": "working",
    }
    again = _ack(client, alert, answer="confirmed")
    assert again.status_code == 200
    (row_again,) = again.json()["targets"]
    assert row_again["answer"] == "confirmed"
    assert row_again["acknowledged_at"] == row["acknowledged_at"]  # the first time is kept
    answers = Acknowledgement.objects.order_by("pk")
    assert [(a.answer, a.via, a.note) for a in answers] == [
        ("working", "api", "本社から対応中"),
        ("confirmed", "api", ""),
    ]
    target_b = AlertTarget.objects.get(alert=alert, organization__code="FIRM-B")
    assert target_b.acknowledged_at is None


def test_the_answer_stops_the_escalation_like_the_link_does(api, reporter_a, alert):
    _ack(api(reporter_a), alert, answer="confirmed")
    target = AlertTarget.objects.get(alert=alert, organization__code="FIRM-A")
    assert target.escalate_at is None
    assert not target.deliveries.filter(status="held").exists()


def test_other_organizations_viewers_and_hq_may_not_answer(
    api, send, reporter_b, viewer_a, hq_user, org_a, tree_a
):
    only_a = send([org_a])
    for outsider in (reporter_b, viewer_a, hq_user):
        response = _ack(api(outsider), only_a, answer="confirmed")
        assert response.status_code == 403, outsider
        assert response.json()["message"]
    assert not Acknowledgement.objects.exists()


def test_bad_answers_are_refused_with_a_message(api, reporter_a, alert, send, org_a):
    client = api(reporter_a)
    for body in ({}, {"answer": "maybe"}, {"answer": "confirmed", "note": "x" * 501}):
        response = _ack(client, alert, **body)
        assert response.status_code == 400, body
        assert response.json()["message"]
    no_answer_needed = send([org_a], requires_ack=False)
    response = _ack(client, no_answer_needed, answer="confirmed")
    assert response.status_code == 400
    assert "回答を求めていません" in response.json()["message"]
    assert not Acknowledgement.objects.exists()


def test_a_member_of_two_targets_says_which_one_answers(api, send, org_a, org_b, tree_a, tree_b):
    both = factories.user("both", role="reporter", organization=org_a)
    from organizations import services

    services.member_add(
        actor=services.system_actor(),
        username="both",
        role="reporter",
        organization_code=org_b.code,
    )
    alert = send([org_a, org_b])
    client = api(both)
    response = _ack(client, alert, answer="confirmed")
    assert response.status_code == 400 and "organization" in response.json()["errors"]
    assert _ack(client, alert, answer="confirmed", organization="firm-b").status_code == 200
    acked = AlertTarget.objects.filter(alert=alert, acknowledged_at__isnull=False)
    assert [t.organization.code for t in acked] == ["FIRM-B"]


def test_an_answer_by_link_shows_in_the_api(api, client, reporter_a, alert):
    token = ack_tokens()["head.a@example.test"]
    client.post(f"/ack/{token}/", {"answer": "need_support"})
    (row,) = api(reporter_a).get(f"{LIST}{alert.pk}/").json()["targets"]
    assert (row["state"], row["answer"]) == ("acknowledged", "need_support")


def test_the_list_takes_the_same_queries_whatever_the_number_of_alerts(
    api, hq_user, send, org_a, tree_a, django_assert_max_num_queries
):
    client = api(hq_user)
    send([org_a])
    client.get(LIST)
    for _ in range(5):
        send([org_a])
    with django_assert_max_num_queries(12):
        assert client.get(LIST).json()["count"] == 6
