"""Faults with a real Redis and real Celery worker processes (not eager mode).

Each test starts its own redis-server on a free port, an aiosmtpd sink and workers that use
the test database; rows are committed (transactional_db) so the workers see them.
"""

from __future__ import annotations

import http.server
import threading
import time

import pytest
from django.db import connection, transaction

from alerts.models import Delivery, DeliveryStatus
from organizations.models import WebhookEndpoint
from tests import factories

from .harness import RedisServer, SmtpSink, Worker, free_port, wait_for, worker_env

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(free_port(), tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def broker(redis_server, settings):
    """Make this test process publish to the private Redis, as a web process would."""
    from bcpweb.celery import app

    saved = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager = False
    app.conf.broker_url = redis_server.url
    app._pool = None
    app.amqp._producer_pool = None
    settings.ALERT_BATCH_SIZE = 5
    yield redis_server
    app.conf.task_always_eager, app.conf.broker_url = saved
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def workers(tmp_path, broker):
    started: list[Worker] = []

    def _start(name, sink_port, *, beat=False, wait=True, **extra):
        env = worker_env(
            database=connection.settings_dict["NAME"],
            broker=broker.url,
            smtp_port=sink_port,
            **extra,
        )
        worker = Worker(name, env, tmp_path, beat=beat).start(wait=wait)
        started.append(worker)
        return worker

    yield _start
    for worker in started:
        worker.stop()


@pytest.fixture
def sinks():
    started = []

    def _start(**kwargs):
        sink = SmtpSink(**kwargs).start()
        started.append(sink)
        return sink

    yield _start
    for sink in started:
        sink.stop()


def _organizations(n_orgs: int, n_contacts: int):
    orgs = []
    for i in range(n_orgs):
        org = factories.organization(f"FAULT-{i:02d}")
        for j in range(n_contacts):
            factories.contact(org, f"Contact {i}-{j}", order=1)
        orgs.append(org)
    return orgs


def _sent() -> int:
    return Delivery.objects.filter(status=DeliveryStatus.SENT).count()


def _assert_exactly_once(sink, expected: int) -> None:
    assert len(sink.received) == expected, f"{len(sink.received)} received, {expected} expected"
    assert len(set(sink.received)) == expected
    assert sink.duplicates == 0


def test_redis_stopped_mid_fanout_every_delivery_is_sent_exactly_once(send, workers, sinks, broker):
    orgs = _organizations(4, 10)
    sink = sinks(rcpt_delay=0.05)
    worker = workers("w1", sink.port, beat=True)
    send(orgs, requires_ack=False)
    wait_for(lambda: len(sink.received) >= 8, 30, message="the fan-out did not start")

    broker.stop()
    assert len(sink.received) < 40, "stopped too late to test anything"
    time.sleep(1.5)
    broker.start()

    wait_for(
        lambda: _sent() == 40,
        90,
        interval=0.3,
        message=f"not everything was sent: {_sent()}/40\n{worker.tail()}",
    )
    time.sleep(1.5)  # a late duplicate would arrive now
    _assert_exactly_once(sink, 40)


def test_a_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(send, workers, sinks):
    orgs = _organizations(3, 10)
    # The 7th message (inside the second batch of five) hangs at RCPT: kill its worker then.
    sink = sinks(hold_at=7, hold_seconds=5)
    doomed = workers("doomed", sink.port)
    send(orgs, requires_ack=False)
    assert sink.holding.wait(30), doomed.tail()
    in_flight = Delivery.objects.filter(status=DeliveryStatus.SENDING).count()
    assert in_flight >= 1
    doomed.kill()

    rescuer = workers("rescuer", sink.port, beat=True)
    wait_for(
        lambda: _sent() == 30,
        60,
        interval=0.3,
        message=f"not everything was sent: {_sent()}/30\n{rescuer.tail()}",
    )
    time.sleep(1.5)
    _assert_exactly_once(sink, 30)
    # The dead worker's claim was taken back by the sweeper, not lost.
    assert Delivery.objects.filter(attempts__gt=1).exists()


class _Receiver(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_POST(self):  # noqa: N802 - http.server's naming
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        _Receiver.hits.append(self.headers.get("X-BCPWEB-Delivery"))
        self.send_response(500)
        self.send_header("Retry-After", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def failing_receiver():
    _Receiver.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()


def test_webhooks_down_or_failing_are_retried_then_failed_without_holding_up_email(
    send, workers, sinks, failing_receiver, client, login, hq_user
):
    orgs = _organizations(2, 5)
    WebhookEndpoint.objects.create(organization=orgs[0], url=failing_receiver, secret="k1")
    WebhookEndpoint.objects.create(
        organization=orgs[1], url=f"http://127.0.0.1:{free_port()}/down", secret="k2"
    )
    sink = sinks()
    # The receivers run on this machine: the address guard lets loopback through, as in a lab.
    worker = workers(
        "w1",
        sink.port,
        beat=True,
        WEBHOOK_ALLOW_HTTP="true",
        WEBHOOK_ALLOWED_NETWORKS="127.0.0.1/32",
    )
    alert = send(orgs, requires_ack=False)

    wait_for(lambda: len(sink.received) == 10, 30, message=worker.tail())
    emails_done = time.monotonic()
    failed = wait_for(
        lambda: (
            list(Delivery.objects.filter(channel="webhook", status=DeliveryStatus.FAILED))
            if Delivery.objects.filter(channel="webhook", status=DeliveryStatus.FAILED).count() == 2
            else None
        ),
        60,
        interval=0.3,
        message=worker.tail(),
    )
    webhooks_done = time.monotonic()
    assert emails_done <= webhooks_done
    reasons = {d.address: d.last_error for d in failed}
    assert "HTTP 500" in reasons[failing_receiver]
    assert "cannot connect" in next(r for a, r in reasons.items() if a.endswith("/down"))
    assert all(d.attempts == 3 for d in failed)
    assert len(_Receiver.hits) == 3  # three attempts, then given up
    _assert_exactly_once(sink, 10)

    login(hq_user)
    page = client.get(f"/hq/alerts/{alert.pk}/organizations/{orgs[0].code}/").content.decode()
    assert "HTTP 500" in page


def test_a_rolled_back_alert_is_never_sent(send, workers, sinks):
    orgs = _organizations(1, 3)
    sink = sinks()
    workers("w1", sink.port, beat=True)
    with pytest.raises(RuntimeError), transaction.atomic():
        send(orgs)
        raise RuntimeError("the decision failed")
    time.sleep(3)  # several sweeps
    assert sink.received == []
    assert not Delivery.objects.exists()
