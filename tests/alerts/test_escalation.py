"""Escalation along the contact tree, the sweeper, claims and retries (eager workers)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from alerts import outbox, tasks
from alerts.channels.outcome import Outcome
from alerts.models import AlertTarget, Delivery, EscalationPolicy
from alerts.selectors import alert_ack_counts
from tests import factories

from .conftest import ack_tokens

pytestmark = pytest.mark.django_db(transaction=True)


def _later(minutes):
    return timezone.now() + timedelta(minutes=minutes, seconds=1)


def test_an_unanswered_step_escalates_to_the_next_order_up_to_the_last(send, org_a, tree_a):
    policy = EscalationPolicy.objects.create(name="fast", step_minutes=[5, 10], max_steps=3)
    send([org_a], policy=policy)
    assert [m.to[0] for m in mail.outbox] == ["head.a@example.test"]
    tasks.sweep(now=_later(4))
    assert len(mail.outbox) == 1  # not yet
    tasks.sweep(now=_later(5))
    assert [m.to[0] for m in mail.outbox][1:] == ["deputy.a@example.test"]
    target = AlertTarget.objects.get()
    assert target.current_step == 2
    tasks.sweep(now=_later(5 + 10))
    assert [m.to[0] for m in mail.outbox][2:] == ["backup.a@example.test"]
    tasks.sweep(now=_later(60))
    assert len(mail.outbox) == 3  # the last step has been reached


def test_an_answer_stops_the_escalation(client, send, org_a, tree_a):
    send([org_a])
    client.post(f"/ack/{ack_tokens()['head.a@example.test']}/", {"answer": "confirmed"})
    tasks.sweep(now=_later(120))
    assert len(mail.outbox) == 1


def test_a_child_is_never_called_before_its_parent(send, org_a):
    boss = factories.contact(org_a, "Boss", order=2)
    factories.contact(org_a, "Assistant", order=1, parent=boss)
    factories.contact(org_a, "Desk", order=1)
    send([org_a])
    steps = dict(Delivery.objects.values_list("recipient", "step"))
    assert steps == {"Desk": 1, "Assistant": 2, "Boss": 2}


def test_steps_beyond_the_policy_join_its_last_step(send, org_a, tree_a):
    policy = EscalationPolicy.objects.create(name="two", step_minutes=[5], max_steps=2)
    send([org_a], policy=policy)
    steps = dict(Delivery.objects.filter(channel="email").values_list("recipient", "step"))
    assert steps == {"Head A": 1, "Deputy A": 2, "Backup A": 2}


def test_ack_counts_for_a_set_of_alerts(client, send, org_a, org_b, tree_a, tree_b):
    first = send([org_a, org_b])
    second = send([org_a])
    send([org_b], requires_ack=False)  # asks nothing: not counted
    client.post(f"/ack/{ack_tokens()['head.b@example.test']}/", {"answer": "confirmed"})
    assert alert_ack_counts(alerts=[first, second]) == {"acknowledged": 1, "pending": 2}
    assert alert_ack_counts(alerts=[first.pk]) == {"acknowledged": 1, "pending": 1}


# --- claims, retries and the sweeper ------------------------------------------------------


@pytest.fixture
def queued(send, org_a, tree_a, settings):
    """An alert whose deliveries are written but whose worker never ran (broker lost)."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from unittest import mock

    with mock.patch.object(tasks, "publish"):
        send([org_a], requires_ack=False)
    return list(Delivery.objects.filter(channel="email").order_by("pk"))


def test_a_delivery_is_claimed_once(queued):
    ids = [d.pk for d in queued]
    first = outbox.claim(ids, "w1")
    assert [d.pk for d in first] == ids
    assert outbox.claim(ids, "w2") == []


def test_the_sweeper_enqueues_what_the_broker_lost(queued, settings):
    settings.ALERT_REQUEUE_AFTER_SECONDS = 60
    assert tasks.sweep()["enqueued"] == 0  # just enqueued: give the broker its time
    result = tasks.sweep(now=timezone.now() + timedelta(seconds=61))
    assert result["enqueued"] == 4  # three e-mails and the backup's SMS
    assert len(mail.outbox) == 3
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    tasks.sweep(now=timezone.now() + timedelta(seconds=300))
    assert len(mail.outbox) == 3  # sent once


def test_the_sweeper_takes_back_a_dead_workers_claim(queued, settings):
    settings.ALERT_CLAIM_TIMEOUT_SECONDS = 30
    outbox.claim([d.pk for d in queued], "dead-worker")
    assert tasks.sweep(now=timezone.now() + timedelta(seconds=10))["reclaimed"] == 0
    result = tasks.sweep(now=timezone.now() + timedelta(seconds=31))
    assert result["reclaimed"] == 3
    assert len(mail.outbox) == 3
    emails = Delivery.objects.filter(channel="email")
    assert set(emails.values_list("attempts", flat=True)) == {2}


def test_retries_back_off_then_fail_with_the_reason(queued, settings):
    settings.ALERT_MAX_ATTEMPTS = 3
    settings.ALERT_BACKOFF_BASE_SECONDS = 10
    settings.ALERT_BACKOFF_CAP_SECONDS = 25
    d = queued[0]
    delays = []
    for _attempt in range(3):
        now = timezone.now()
        Delivery.objects.filter(pk=d.pk).update(due_at=now)
        (claimed,) = outbox.claim([d.pk], "w")
        outbox.record(claimed, Outcome(retry=True, reason="SMTP 421 busy"))
        d.refresh_from_db()
        if d.status == "queued":
            delays.append((d.due_at - now).total_seconds())
    assert d.status == "failed"
    assert d.last_error == "SMTP 421 busy (gave up after 3 attempts)"
    assert 5 <= delays[0] <= 10.5 and 10 <= delays[1] <= 20.5  # doubling, with jitter


def test_backoff_is_capped_and_honours_retry_after(settings):
    settings.ALERT_BACKOFF_BASE_SECONDS = 30
    settings.ALERT_BACKOFF_CAP_SECONDS = 900
    assert all(450 <= outbox.backoff_seconds(20) <= 900 for _ in range(50))
    assert outbox.backoff_seconds(1, retry_after=120) >= 120
