"""Webhook and SMS channels: signed JSON, retry rules, pluggable SMS backends."""

from __future__ import annotations

import hashlib
import hmac
import http.server
import json
import threading

import pytest
from django.utils import timezone

from emergency_hq.models import Delivery
from organizations.models import WebhookEndpoint

pytestmark = pytest.mark.django_db(transaction=True)


class _Hook(http.server.BaseHTTPRequestHandler):
    status = 204
    headers_out: dict = {}
    seen: list = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.seen.append((self.headers, body))  # case-insensitive
        self.send_response(_Hook.status)
        for k, v in _Hook.headers_out.items():
            self.send_header(k, v)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def hook_url():
    _Hook.status, _Hook.headers_out, _Hook.seen = 204, {}, []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/bcp"
    server.shutdown()


def test_a_webhook_gets_signed_json_with_a_timestamp(send, org_a, tree_a, hook_url):
    WebhookEndpoint.objects.create(organization=org_a, url=hook_url, secret="top-secret")
    alert = send([org_a], is_drill=True)
    ((headers, body),) = _Hook.seen
    expected = hmac.new(
        b"top-secret", headers["X-BCPWEB-Timestamp"].encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    assert headers["X-BCPWEB-Signature"] == f"sha256={expected}"
    assert abs(int(headers["X-BCPWEB-Timestamp"]) - timezone.now().timestamp()) < 60
    data = json.loads(body)
    assert data["organization"] == "FIRM-A" and data["alert"]["id"] == alert.pk
    assert data["alert"]["subject_en"] == "[DRILL] Major earthquake"
    assert Delivery.objects.get(channel="webhook").status == "sent"


def test_a_5xx_is_retried_after_retry_after(send, org_a, hook_url, settings):
    settings.ALERT_BACKOFF_BASE_SECONDS = 1
    _Hook.status, _Hook.headers_out = 503, {"Retry-After": "120"}
    WebhookEndpoint.objects.create(organization=org_a, url=hook_url, secret="s")
    before = timezone.now()
    send([org_a])
    d = Delivery.objects.get(channel="webhook")
    assert d.status == "queued" and d.last_error.startswith("HTTP 503")
    assert (d.due_at - before).total_seconds() >= 119


def test_a_4xx_fails_at_once_with_the_reason(send, org_a, hook_url):
    _Hook.status = 410
    WebhookEndpoint.objects.create(organization=org_a, url=hook_url, secret="s")
    send([org_a])
    d = Delivery.objects.get(channel="webhook")
    assert (d.status, d.attempts) == ("failed", 1)
    assert "HTTP 410" in d.last_error


def test_sms_goes_through_the_backend_named_in_settings(send, org_a, tree_a, settings, tmp_path):
    settings.ALERT_SMS_BACKEND = "emergency_hq.alerts.sms.FileBackend"
    settings.ALERT_SMS_FILE_PATH = str(tmp_path / "sms.log")
    send([org_a], requires_ack=False)
    (line,) = (tmp_path / "sms.log").read_text(encoding="utf-8").splitlines()
    assert "+819000000001" in line and "震度6強の地震について" in line
    assert Delivery.objects.get(channel="sms").status == "sent"


def test_a_refused_email_recipient_fails_only_that_delivery(send, org_a, tree_a, settings):
    from unittest import mock

    from django.core.mail.backends.locmem import EmailBackend

    real = EmailBackend.send_messages

    def refuse_deputy(self, messages):
        import smtplib

        if messages[0].to == ["deputy.a@example.test"]:
            raise smtplib.SMTPRecipientsRefused({"deputy.a@example.test": (550, b"no")})
        return real(self, messages)

    with mock.patch.object(EmailBackend, "send_messages", refuse_deputy):
        send([org_a], requires_ack=False)
    status = dict(Delivery.objects.filter(channel="email").values_list("recipient", "status"))
    assert status == {"Head A": "sent", "Deputy A": "failed", "Backup A": "sent"}
