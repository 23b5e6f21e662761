"""Ack links and portal answers: GET never records, POST does; bound to one contact."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import signing
from django.utils import timezone

from alerts import tokens
from alerts.models import Acknowledgement, AlertTarget, Delivery

from .conftest import ack_tokens

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def alert_a(send, org_a, org_b, tree_a, tree_b):
    return send([org_a, org_b])


@pytest.fixture
def token_a(alert_a):
    return ack_tokens()["head.a@example.test"]


def test_opening_the_link_shows_the_alert_and_records_nothing(client, token_a):
    response = client.get(f"/ack/{token_a}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "震度6強の地震について" in page
    for label in ("確認しました", "対応中", "支援が必要"):
        assert label in page
    assert not Acknowledgement.objects.exists()
    assert not AlertTarget.objects.filter(acknowledged_at__isnull=False).exists()


def test_a_post_acknowledges_for_the_organization_and_stops_escalation(client, token_a, org_a):
    response = client.post(f"/ack/{token_a}/", {"answer": "confirmed"}, follow=True)
    assert response.status_code == 200
    assert "回答を記録しました" in response.content.decode()
    target = AlertTarget.objects.get(organization=org_a)
    assert target.answer == "confirmed" and target.answered_by == "Head A"
    assert target.acknowledged_at is not None and not target.late
    assert target.escalate_at is None
    # the deputy and the backup are no longer needed
    assert set(target.deliveries.exclude(step=1).values_list("status", flat=True)) == {"cancelled"}
    # the other organization is still pending
    assert AlertTarget.objects.get(organization__code="FIRM-B").acknowledged_at is None


def test_a_later_answer_updates_it_and_keeps_the_first_time(client, send, org_a, tree_a):
    send([org_a], requires_ack=True, policy=None)
    token = ack_tokens()["head.a@example.test"]
    client.post(f"/ack/{token}/", {"answer": "working"})
    first = AlertTarget.objects.get().acknowledged_at
    client.post(f"/ack/{token}/", {"answer": "need_support"})
    target = AlertTarget.objects.get()
    assert target.answer == "need_support"
    assert target.acknowledged_at == first
    assert target.answered_at > first
    assert Acknowledgement.objects.count() == 2


def test_answers_after_the_deadline_are_marked_late(client, send, org_a, tree_a):
    send([org_a], deadline=timezone.now() - timedelta(minutes=1))
    token = ack_tokens()["head.a@example.test"]
    client.post(f"/ack/{token}/", {"answer": "confirmed"})
    assert AlertTarget.objects.get().late
    assert Acknowledgement.objects.get().late


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-2] + ("A" if t[-1] != "A" else "B") + t[-1],  # tampered signature
        lambda t: "not-a-token",  # malformed
        lambda t: signing.dumps({"t": 1, "c": 1}, salt="wrong"),  # signed for something else
    ],
)
def test_a_bad_token_gives_a_clear_page_and_records_nothing(client, token_a, mangle):
    bad = mangle(token_a)
    for response in (
        client.get(f"/ack/{bad}/"),
        client.post(f"/ack/{bad}/", {"answer": "confirmed"}),
    ):
        assert response.status_code == 400
        assert "このリンクは使用できません" in response.content.decode()
    assert not Acknowledgement.objects.exists()


def test_an_expired_token_gives_a_clear_page(client, token_a, settings):
    settings.ALERT_ACK_MAX_AGE_DAYS = -1
    response = client.post(f"/ack/{token_a}/", {"answer": "confirmed"})
    assert response.status_code == 400
    assert "有効期限" in response.content.decode()
    assert not Acknowledgement.objects.exists()


def test_a_token_is_bound_to_one_contact_of_one_organization(client, alert_a, org_b, tree_a):
    target_b = AlertTarget.objects.get(organization=org_b)
    # A's contact id with B's target: that contact never got B's alert.
    forged = tokens.make(target_id=target_b.pk, contact_key=tree_a["head"].pk)
    response = client.post(f"/ack/{forged}/", {"answer": "confirmed"})
    assert response.status_code == 400
    assert AlertTarget.objects.get(pk=target_b.pk).acknowledged_at is None


def test_an_unknown_answer_is_refused(client, token_a):
    response = client.post(f"/ack/{token_a}/", {"answer": "yes please"})
    assert response.status_code == 400
    assert not Acknowledgement.objects.exists()


def test_each_contact_gets_its_own_link(alert_a):
    found = ack_tokens()
    assert (
        len(set(found.values()))
        == len(found)
        == Delivery.objects.filter(channel="email", status="sent").count()
    )


# --- the members' portal ---------------------------------------------------------------


def test_a_reporter_answers_in_the_portal(client, login, reporter_a, alert_a, org_a):
    login(reporter_a)
    page = client.get("/ack/").content.decode()
    assert "震度6強の地震について" in page and "未回答" in page
    target = AlertTarget.objects.get(organization=org_a)
    response = client.post(f"/ack/targets/{target.pk}/", {"answer": "working"}, follow=True)
    assert "回答を記録しました" in response.content.decode()
    target.refresh_from_db()
    assert target.answer == "working" and target.answered_by == "reporter_a"


def test_members_of_another_organization_cannot_answer_for_it(
    client, login, reporter_b, alert_a, org_a
):
    login(reporter_b)
    target = AlertTarget.objects.get(organization=org_a)
    assert client.post(f"/ack/targets/{target.pk}/", {"answer": "confirmed"}).status_code == 403
    assert "FIRM-A" not in client.get("/ack/").content.decode()
    assert AlertTarget.objects.get(pk=target.pk).acknowledged_at is None


def test_viewers_and_regulators_cannot_answer_for_an_organization(
    client, login, viewer_a, regulator_user, alert_a, org_a
):
    target = AlertTarget.objects.get(organization=org_a)
    for user in (viewer_a, regulator_user):
        login(user)
        assert client.post(f"/ack/targets/{target.pk}/", {"answer": "confirmed"}).status_code == 403
    assert AlertTarget.objects.get(pk=target.pk).acknowledged_at is None


def test_anonymous_visitors_are_sent_to_log_in(client, alert_a, org_a):
    target = AlertTarget.objects.get(organization=org_a)
    assert client.get("/ack/").status_code == 302
    assert client.post(f"/ack/targets/{target.pk}/", {"answer": "confirmed"}).status_code == 302
    assert not Acknowledgement.objects.exists()


def test_a_get_on_the_portal_answer_is_refused(client, login, reporter_a, alert_a, org_a):
    login(reporter_a)
    target = AlertTarget.objects.get(organization=org_a)
    assert client.get(f"/ack/targets/{target.pk}/").status_code == 405


def test_a_head_request_on_the_link_answers_200_and_records_nothing(client, token_a):
    """Link checkers and mail previews send HEAD; it must not acknowledge anything."""
    response = client.head(f"/ack/{token_a}/")
    assert response.status_code == 200
    assert not Acknowledgement.objects.exists()
    assert not AlertTarget.objects.filter(acknowledged_at__isnull=False).exists()
