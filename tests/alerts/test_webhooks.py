"""Webhooks: Standard Webhooks signatures a receiver can verify, retry rules, no redirects,
the endpoint's current secret (never a copy in the snapshot), and the address guard at send."""

from __future__ import annotations

import http.server
import json
import threading

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from alerts.models import AlertTarget, Delivery
from organizations.models import WebhookEndpoint

pytestmark = pytest.mark.django_db(transaction=True)


class _Hook(http.server.BaseHTTPRequestHandler):
    status = 204
    headers_out: dict = {}
    seen: list = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.seen.append((dict(self.headers), body))
        self.send_response(_Hook.status)
        for k, v in _Hook.headers_out.items():
            self.send_header(k, v)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def hook_url(settings):
    # The receiver runs on this machine: let the guard through for loopback, as a lab would.
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    _Hook.status, _Hook.headers_out, _Hook.seen = 204, {}, []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/bcp"
    server.shutdown()


def _endpoint(org, url, secret="a long shared passphrase"):  # noqa: S107 - a test value
    return WebhookEndpoint.objects.create(organization=org, url=url, secret=secret)


def test_the_receiver_verifies_the_signature_with_the_standard_library(send, org_a, hook_url):
    _endpoint(org_a, hook_url)
    alert = send([org_a], is_drill=True)
    ((headers, body),) = _Hook.seen
    data = Webhook(b"a long shared passphrase").verify(body, headers)
    assert data["organization"] == "FIRM-A" and data["alert"]["id"] == alert.pk
    assert data["alert"]["subject_en"] == "[DRILL] Major earthquake"
    assert abs(int(headers["webhook-timestamp"]) - timezone.now().timestamp()) < 60
    assert Delivery.objects.get(channel="webhook").status == "sent"


def test_a_whsec_secret_is_used_as_base64(send, org_a, hook_url):
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    _endpoint(org_a, hook_url, secret=secret)
    send([org_a])
    ((headers, body),) = _Hook.seen
    assert json.loads(body)["organization"] == "FIRM-A"
    Webhook(secret).verify(body, headers)  # raises when the signature does not match


def test_the_secret_is_never_copied_into_the_frozen_tree(send, org_a, hook_url):
    endpoint = _endpoint(org_a, hook_url)
    alert = send([org_a])
    target = AlertTarget.objects.get(alert=alert)
    assert "passphrase" not in json.dumps(target.snapshot)
    assert [h.url for h in target.tree.webhooks] == [endpoint.url]


def test_the_current_secret_signs_a_retry(send, org_a, hook_url, settings):
    settings.ALERT_BACKOFF_BASE_SECONDS = 0
    _Hook.status = 503
    endpoint = _endpoint(org_a, hook_url, secret="old secret value")
    send([org_a])
    endpoint.secret = "rotated secret value"
    endpoint.save()
    _Hook.status, _Hook.seen = 204, []
    from alerts import tasks

    tasks.sweep(now=timezone.now() + timezone.timedelta(minutes=5))
    ((headers, body),) = _Hook.seen
    Webhook(b"rotated secret value").verify(body, headers)
    assert Delivery.objects.get(channel="webhook").status == "sent"


def test_the_message_id_stays_the_same_across_retries(send, org_a, hook_url, settings):
    settings.ALERT_BACKOFF_BASE_SECONDS = 0
    _Hook.status = 500
    _endpoint(org_a, hook_url)
    send([org_a])
    _Hook.status = 204
    from alerts import tasks

    tasks.sweep(now=timezone.now() + timezone.timedelta(minutes=5))
    ids = [headers["webhook-id"] for headers, _body in _Hook.seen]
    assert len(ids) == 2 and ids[0] == ids[1]


def test_a_5xx_is_retried_after_retry_after(send, org_a, hook_url, settings):
    settings.ALERT_BACKOFF_BASE_SECONDS = 1
    _Hook.status, _Hook.headers_out = 503, {"Retry-After": "120"}
    _endpoint(org_a, hook_url)
    before = timezone.now()
    send([org_a])
    d = Delivery.objects.get(channel="webhook")
    assert d.status == "queued" and d.last_error.startswith("HTTP 503")
    assert (d.due_at - before).total_seconds() >= 119


def test_a_4xx_fails_at_once_with_the_reason(send, org_a, hook_url):
    _Hook.status = 410
    _endpoint(org_a, hook_url)
    send([org_a])
    d = Delivery.objects.get(channel="webhook")
    assert (d.status, d.attempts) == ("failed", 1)
    assert "HTTP 410" in d.last_error


def test_a_redirect_is_never_followed(send, org_a, hook_url):
    _Hook.status, _Hook.headers_out = 307, {"Location": "http://127.0.0.1:1/internal"}
    _endpoint(org_a, hook_url)
    send([org_a])
    d = Delivery.objects.get(channel="webhook")
    assert d.status == "failed" and "redirects are not followed" in d.last_error
    assert len(_Hook.seen) == 1


def test_an_internal_address_is_refused_again_when_sending(send, org_a, hook_url, settings):
    _endpoint(org_a, hook_url)  # saved while the lab network was allowed
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    send([org_a])
    d = Delivery.objects.get(channel="webhook")
    assert d.status == "failed" and "internal or reserved address" in d.last_error
    assert _Hook.seen == []


def test_a_removed_endpoint_fails_its_delivery_with_the_reason(send, org_a, hook_url, settings):
    settings.ALERT_BACKOFF_BASE_SECONDS = 0
    _Hook.status = 503
    endpoint = _endpoint(org_a, hook_url)
    send([org_a])
    endpoint.delete()
    from alerts import tasks

    tasks.sweep(now=timezone.now() + timezone.timedelta(minutes=5))
    d = Delivery.objects.get(channel="webhook")
    assert d.status == "failed" and "removed" in d.last_error
