"""Digests under faults, with real Celery worker processes and a real Redis (not eager).

A worker killed in the middle of a digest batch: the sweeper puts its claim back and every
subscriber still gets the digest exactly once.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from alerts.models import Delivery, DeliveryStatus
from status_board import services as board
from subscriptions import digests
from subscriptions.models import Subscriber
from tests import factories
from tests.alerts.harness import wait_for
from tests.alerts.test_faults import broker, redis_server, sinks, workers  # noqa: F401

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _digests_sent() -> int:
    return Delivery.objects.filter(
        alert__source_kind="subscription_digest", status=DeliveryStatus.SENT
    ).count()


def test_a_worker_killed_mid_digest_batch_still_sends_every_digest_once(
    workers,  # noqa: F811
    sinks,  # noqa: F811
    settings,
):
    settings.SUBSCRIPTION_DIGEST_WINDOW_SECONDS = 30
    exchange = factories.organization("PUB-EX", kind="exchange", is_public=True)
    reporter = factories.user("rep", role="reporter", organization=exchange)
    Subscriber.objects.bulk_create(
        [
            Subscriber(email=f"investor{i:02d}@example.test", confirmed_at=timezone.now())
            for i in range(30)
        ]
    )
    board.status_report_create(
        actor=reporter,
        organization=exchange,
        entry=board.ReportInput(
            function=exchange.organization_functions.first().function.code, status="degraded"
        ),
    )
    # The 7th message (inside the second batch of five) hangs at RCPT: kill its worker then.
    sink = sinks(hold_at=7, hold_seconds=5)
    doomed = workers("doomed", sink.port)
    digest = digests.digest_build(now=timezone.now() + timedelta(seconds=31))
    assert digest.recipients == 30
    assert sink.holding.wait(30), doomed.tail()
    assert Delivery.objects.filter(status=DeliveryStatus.SENDING).exists()
    doomed.kill()

    rescuer = workers("rescuer", sink.port, beat=True)
    wait_for(
        lambda: _digests_sent() == 30,
        60,
        interval=0.3,
        message=f"not every digest was sent: {_digests_sent()}/30\n{rescuer.tail()}",
    )
    time.sleep(1.5)  # a late duplicate would arrive now
    assert len(sink.received) == 30 and len(set(sink.received)) == 30
    assert sink.duplicates == 0
    assert Delivery.objects.filter(
        alert__source_kind="subscription_digest", attempts__gt=1
    ).exists()
