"""Webhooks: a JSON POST signed with the Standard Webhooks scheme, sent with httpx.

Headers ``webhook-id`` (stable across retries of one delivery), ``webhook-timestamp`` and
``webhook-signature`` (``v1,<base64 HMAC-SHA256 of "id.timestamp.body">``); docs/webhooks.md
shows a receiver's check. The key is the endpoint's current secret, read when signing: a
``whsec_…`` secret is base64 after its prefix, any other secret is used as its UTF-8 bytes.
The URL is checked again at each send (public addresses only), the connection goes to the
address that was checked, and redirects are never followed.
"""

from __future__ import annotations

import binascii
import email.utils
import json
from datetime import UTC, datetime

import httpx
from django.utils import timezone, translation
from standardwebhooks.webhooks import Webhook

from common.netguard import UnresolvableHost, UnsafeURL, check_webhook_url
from organizations.models import WebhookEndpoint

from .. import conf
from ..models import Delivery
from .outcome import SENT, Report, fail, retry

USER_AGENT = "BCPWEB-Alerts/2"


def payload(delivery: Delivery) -> bytes:
    alert = delivery.alert
    data = {
        "event": "alert",
        "delivery_id": delivery.pk,
        "organization": delivery.target.organization.code,
        "alert": {
            "id": alert.pk,
            "subject_ja": alert.subject_for("ja"),
            "subject_en": alert.subject_for("en"),
            "body_ja": alert.body_ja,
            "body_en": alert.body_en,
            "is_drill": alert.is_drill,
            "requires_ack": alert.requires_ack,
            "deadline": alert.deadline.isoformat() if alert.deadline else None,
            "created_at": alert.created_at.isoformat(),
        },
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def signer(secret: str) -> Webhook:
    """The Standard Webhooks signer for an endpoint's secret (ValueError when unusable)."""
    if not secret:
        raise ValueError("the endpoint has no signing secret")
    if secret.startswith("whsec_"):
        try:
            return Webhook(secret)
        except (binascii.Error, ValueError) as exc:
            raise ValueError("the whsec_ secret is not valid base64") from exc
    return Webhook(secret.encode())


def message_id(delivery: Delivery) -> str:
    return f"msg_alert{delivery.alert_id}_delivery{delivery.pk}"


def signed_headers(delivery: Delivery, body: bytes, secret: str, *, host: str) -> dict[str, str]:
    now = datetime.now(UTC)
    msg_id = message_id(delivery)
    return {
        "Host": host,
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signer(secret).sign(msg_id, now, body.decode()),
        "X-BCPWEB-Delivery": str(delivery.pk),
    }


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0.0, (when - timezone.now()).total_seconds())


def _send_one(client: httpx.Client, d: Delivery, secret: str | None, report: Report) -> None:
    if secret is None:
        report(d, fail("the webhook endpoint was removed or switched off"))
        return
    try:
        # The reason joins the other technical reasons of the outbox, which are in English.
        with translation.override("en"):
            target = check_webhook_url(d.address)
    except UnresolvableHost as exc:
        report(d, retry(str(exc)))
        return
    except UnsafeURL as exc:
        report(d, fail(f"refused: {exc}"))
        return
    body = payload(d)
    try:
        headers = signed_headers(d, body, secret, host=target.host)
    except ValueError as exc:
        report(d, fail(f"cannot sign: {exc}"))
        return
    try:
        # Streamed and closed unread: a receiver's answer body is never needed, whatever size.
        with client.stream(
            "POST",
            target.connect_url,
            content=body,
            headers=headers,
            extensions={"sni_hostname": target.host},
        ) as response:
            status = response.status_code
            retry_after = _retry_after(response.headers.get("Retry-After"))
    except httpx.TimeoutException:
        report(d, retry(f"timed out: {d.address}"))
        return
    except httpx.HTTPError as exc:
        report(d, retry(f"cannot connect to {d.address}: {exc}"))
        return
    reason = f"HTTP {status} from {d.address}"
    if 200 <= status < 300:
        report(d, SENT)
    elif status >= 500 or status in (408, 429):
        report(d, retry(reason, retry_after))
    elif 300 <= status < 400:
        report(d, fail(f"{reason}: redirects are not followed"))
    else:
        report(d, fail(reason))


def send_webhook(deliveries: list[Delivery], report: Report) -> None:
    secrets = dict(
        WebhookEndpoint.objects.filter(
            pk__in={d.webhook_key for d in deliveries}, active=True
        ).values_list("pk", "secret")
    )
    timeout = conf.get("ALERT_WEBHOOK_TIMEOUT_SECONDS")
    with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
        for d in deliveries:
            _send_one(client, d, secrets.get(d.webhook_key), report)
