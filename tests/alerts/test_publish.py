"""Publishing an alert to the market: the first batches at once, the rest by one relay.

The sender's process publishes only ``DIRECT_BATCHES`` batches itself, so an HQ decision to
every organization is answered quickly; one relay message carries the other ids to a worker.
Every id is published exactly once either way, and a broker that refuses leaves every
unpublished row to the sweeper.
"""

from __future__ import annotations

from unittest import mock

import pytest
from django.core import mail
from kombu.exceptions import OperationalError

from alerts import tasks
from alerts.models import Delivery
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def _published(send_calls) -> list[int]:
    return [i for call in send_calls for i in call.kwargs["args"][0]]


def test_the_sender_publishes_the_first_batches_and_relays_the_rest(settings):
    settings.ALERT_BATCH_SIZE = 10
    ids = list(range(1, 101))  # ten batches
    with (
        mock.patch.object(tasks.deliveries_send, "apply_async") as send,
        mock.patch.object(tasks.deliveries_publish, "apply_async") as relay,
    ):
        tasks.publish({"email": ids})
    assert send.call_count == tasks.DIRECT_BATCHES
    assert _published(send.call_args_list) == ids[: 10 * tasks.DIRECT_BATCHES]
    (relayed,) = relay.call_args_list
    assert relayed.kwargs["args"][0] == {"email": ids[10 * tasks.DIRECT_BATCHES :]}

    # The worker that takes the relay publishes every batch left, each id once.
    with mock.patch.object(tasks.deliveries_send, "apply_async") as send:
        tasks.deliveries_publish.run(relayed.kwargs["args"][0])
    assert _published(send.call_args_list) == ids[10 * tasks.DIRECT_BATCHES :]


def test_a_small_alert_needs_no_relay(settings):
    settings.ALERT_BATCH_SIZE = 10
    with (
        mock.patch.object(tasks.deliveries_send, "apply_async") as send,
        mock.patch.object(tasks.deliveries_publish, "apply_async") as relay,
    ):
        tasks.publish({"email": list(range(1, 31)), "webhook": [99]})
    assert sorted(_published(send.call_args_list)) == [*range(1, 31), 99]
    relay.assert_not_called()


def test_a_refused_relay_leaves_its_rows_to_the_sweeper(settings, send, org_b):
    settings.ALERT_BATCH_SIZE = 1
    for n in range(10):  # e-mail only, one batch each
        factories.contact(org_b, f"Contact B{n}", order=1)
    with mock.patch.object(
        tasks.deliveries_publish, "apply_async", side_effect=OperationalError("down")
    ):
        alert = send([org_b], requires_ack=False)
    queued = Delivery.objects.filter(alert=alert)
    # The direct batches went out (eager in tests); the relayed ones wait, marked unpublished.
    assert len(mail.outbox) == tasks.DIRECT_BATCHES
    waiting = queued.filter(status="queued")
    assert waiting.count() == queued.count() - tasks.DIRECT_BATCHES
    assert set(waiting.values_list("enqueued_at", flat=True)) == {None}

    tasks.sweep()
    assert queued.filter(status="sent").count() == queued.count()
    assert len({m.extra_headers["Message-ID"] for m in mail.outbox}) == queued.count()


def test_an_alert_to_many_organizations_reaches_every_contact_once(settings, send, hq_user):
    settings.ALERT_BATCH_SIZE = 2
    organizations = [factories.organization(f"MANY-{n}") for n in range(8)]
    for org in organizations:
        factories.contact(org, f"Head {org.code}", order=1)
    alert = send(organizations, requires_ack=False)
    assert Delivery.objects.filter(alert=alert, status="sent").count() == 8
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        Delivery.objects.filter(alert=alert).values_list("address", flat=True)
    )
