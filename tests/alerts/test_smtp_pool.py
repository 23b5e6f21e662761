"""E-mail over a real SMTP server on loopback: the session pool when it pipelines, one message
at a time when it does not (or when the pool is switched off); each message once, a refused
recipient failing only its own row."""

from __future__ import annotations

import pytest

from alerts.models import Delivery

from .harness import SmtpSink

pytestmark = pytest.mark.django_db(transaction=True)


class _RefusingSink(SmtpSink):
    """Refuses one address (550), like a server that knows no such mailbox."""

    refused = "deputy.a@example.test"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self.refused:
            return "550 5.1.1 no such user"
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)


class _PlainSink(SmtpSink):
    """Offers no PIPELINING."""

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        return responses


@pytest.fixture
def smtp(settings):
    started = []

    def _start(kind=SmtpSink, connections=8):
        sink = kind().start()
        started.append(sink)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
        settings.ALERT_SMTP_CONNECTIONS = connections
        settings.ALERT_SMTP_IDLE_SECONDS = 0
        return sink

    yield _start
    for sink in started:
        if sink.controller.loop.is_running():
            sink.stop()


def _sent_once(sink, n):
    assert len(sink.received) == n and sink.duplicates == 0
    sent = Delivery.objects.filter(channel="email", status="sent")
    assert set(sink.received) == {d.message_id for d in sent}


@pytest.mark.parametrize(("kind", "connections"), [(SmtpSink, 8), (_PlainSink, 8), (SmtpSink, 0)])
def test_every_message_arrives_once_pooled_or_not(
    send, smtp, org_a, org_b, tree_a, tree_b, kind, connections
):
    sink = smtp(kind, connections)
    send([org_a, org_b], requires_ack=False)
    _sent_once(sink, 4)  # three contacts of FIRM-A, one of FIRM-B
    assert Delivery.objects.filter(channel="email").exclude(status="sent").count() == 0


def test_a_refused_recipient_fails_only_its_row_in_the_pool(send, smtp, org_a, tree_a):
    sink = smtp(_RefusingSink)
    send([org_a], requires_ack=False)
    status = dict(Delivery.objects.filter(channel="email").values_list("address", "status"))
    assert status == {
        "head.a@example.test": "sent",
        "deputy.a@example.test": "failed",
        "backup.a@example.test": "sent",
    }
    assert "550" in Delivery.objects.get(address="deputy.a@example.test").last_error
    _sent_once(sink, 2)


def test_a_server_that_is_down_leaves_every_message_to_retry(send, smtp, org_a, tree_a, settings):
    sink = smtp()
    sink.stop()
    send([org_a], requires_ack=False)
    rows = Delivery.objects.filter(channel="email")
    assert {d.status for d in rows} == {"queued"}
    assert all("SMTP" in d.last_error for d in rows)
