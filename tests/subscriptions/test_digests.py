"""Coalesced digests through the alerts outbox: what is sent, to whom, once."""

from __future__ import annotations

import pytest
from django.core import mail

from alerts.models import Alert, Delivery, DeliveryStatus
from subscriptions.models import Digest, PublicChange
from tests import factories
from tests.bulletin.conftest import publish

pytestmark = pytest.mark.django_db


def test_ten_changes_in_the_window_send_one_digest(subscribed, status, build, exchange):
    subscribed()
    for i in range(10):
        status(exchange, "degraded" if i % 2 else "normal")
    assert build() is not None
    assert build() is None  # nothing left
    [message] = mail.outbox
    assert message.body.count("/board/PUB-EX/#report-") == 10
    digests = Delivery.objects.filter(alert__source_kind="subscription_digest")
    assert digests.filter(status=DeliveryStatus.SENT, address=message.to[0]).count() == 1


def test_the_window_must_pass_before_the_digest_is_built(subscribed, status, build, exchange):
    subscribed()
    status(exchange)
    assert build(after=10) is None
    assert mail.outbox == []
    assert build(after=31) is not None
    assert len(mail.outbox) == 1


def test_a_digest_is_in_the_subscribers_language_with_jst_times_and_links(
    subscribed, status, build, exchange
):
    subscribed("ja@example.test")
    subscribed("en@example.test", language="en")
    report = status(exchange, "suspended")
    build()
    by_to = {m.to[0]: m for m in mail.outbox}
    en, ja = by_to["en@example.test"], by_to["ja@example.test"]
    assert "Public Exchange" in en.body and "Stopped" in en.body or "suspended" in en.body.lower()
    assert "公開取引所" in ja.body and "公開取引所" in ja.subject
    jst = report.reported_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Tokyo"))
    assert jst.strftime("%Y-%m-%d %H:%M") + " JST" in en.body
    assert f"https://bcp.example.test/board/PUB-EX/#report-{report.pk}" in en.body
    assert "/subscriptions/manage/" in en.body


def test_each_subscriber_gets_what_they_chose(
    subscribed, status, build, exchange, clearing, hq_user, django_capture_on_commit_callbacks
):
    subscribed("all@example.test")
    subscribed("ex@example.test", organizations=[exchange.code])
    subscribed("cl@example.test", organizations=[clearing.code])
    subscribed("rules@example.test", categories=["market_rule"])
    status(exchange)
    with django_capture_on_commit_callbacks(execute=True):
        publish(hq_user, category="general", title_ja="一般のお知らせ")
    build()
    by_to = {m.to[0]: m.body for m in mail.outbox}
    assert set(by_to) == {"all@example.test", "ex@example.test"}
    assert "一般のお知らせ" in by_to["all@example.test"]
    assert "一般のお知らせ" not in by_to["ex@example.test"]


def test_a_drill_and_a_members_only_change_send_nothing(
    subscribed, status, build, hidden, hq_user, django_capture_on_commit_callbacks
):
    subscribed()
    status(hidden, "suspended")
    with django_capture_on_commit_callbacks(execute=True):
        publish(hq_user, category="drill", title_ja="共同演習")
        publish(hq_user, audience="members", title_ja="会員向け")
    assert not PublicChange.objects.exists()
    assert build() is None
    assert mail.outbox == []


def test_a_drill_decision_sends_nothing_and_a_real_halt_does(
    subscribed, build, hq_user, django_capture_on_commit_callbacks
):
    from emergency_hq.incidents import decisions, services

    subscribed(banner=True)
    drill = services.incident_open(
        actor=hq_user, title="訓練", kind="earthquake", severity=4, is_drill=True
    )
    halt = {"segment": "exchange", "action": "halt_trading", "rationale": "売買停止"}
    with django_capture_on_commit_callbacks(execute=True):
        decisions.decision_record(actor=hq_user, incident=drill, **halt)
    assert build() is None
    real = services.incident_open(actor=hq_user, title="障害", kind="system_failure", severity=3)
    with django_capture_on_commit_callbacks(execute=True):
        decisions.decision_record(actor=hq_user, incident=real, **halt)
    mail.outbox.clear()  # the decision's own alert to members
    build()
    [message] = mail.outbox
    assert "売買停止" in message.body and "訓練" not in message.body


def test_digests_go_through_the_outbox_hidden_from_hq_pages(
    subscribed, status, build, exchange, client, login, hq_user
):
    subscribed()
    status(exchange)
    digest = build()
    alert = Alert.objects.get(pk=digest.alert_id)
    assert alert.to_addresses and alert.source_kind == "subscription_digest"
    [row] = Delivery.objects.filter(alert=alert)
    assert row.status == DeliveryStatus.SENT and row.target_id is None
    login(hq_user)
    assert client.get(f"/hq/alerts/{alert.pk}/").status_code == 404
    assert "investor@example.test" not in client.get("/hq/alerts/").content.decode()
    api = client.get("/api/v1/alerts/").json()
    assert all(a["id"] != alert.pk for a in api["results"])


def test_a_change_rolled_back_is_never_digested(subscribed, reporter_of, build, exchange):
    from django.db import transaction

    from status_board import services

    subscribed()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.status_report_create(
            actor=reporter_of(exchange),
            organization=exchange,
            entry=services.ReportInput(
                function=exchange.organization_functions.first().function.code, status="suspended"
            ),
        )
        raise RuntimeError
    assert build() is None and not Digest.objects.exists()


def test_a_digest_with_nobody_to_tell_writes_no_alert(status, build, exchange):
    factories.organization("X-ONLY")
    status(exchange)
    digest = build()
    assert digest.recipients == 0 and digest.alert_id is None
