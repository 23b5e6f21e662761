"""Sending one claimed batch on one channel; each outcome is reported as soon as it is known.

``report(delivery, outcome)`` is called right after each message so that a worker killed in
the middle of a batch leaves at most the one message in flight undecided.
"""

from __future__ import annotations

import email.utils
import hashlib
import hmac
import json
import logging
import re
import smtplib
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from ..models import Alert, AlertTarget, Delivery
from . import conf, sms, tokens

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    sent: bool = False
    retry: bool = False
    reason: str = ""
    retry_after: float | None = None


SENT = Outcome(sent=True)


def retry(reason: str, retry_after: float | None = None) -> Outcome:
    return Outcome(retry=True, reason=reason[:500], retry_after=retry_after)


def fail(reason: str) -> Outcome:
    return Outcome(reason=reason[:500])


Report = Callable[[Delivery, Outcome], None]


def ack_url(delivery: Delivery) -> str:
    token = tokens.make(target_id=delivery.target_id, contact_key=delivery.contact_key)
    return settings.SITE_URL.rstrip("/") + reverse("alert_ack", args=[token])


_RECIPIENT = "@@BCPWEB-RECIPIENT@@"
_ACK_URL = "@@BCPWEB-ACK-URL@@"
_TO = "bcpweb-to@placeholder.invalid"
_MESSAGE_ID = "<bcpweb-message-id@placeholder.invalid>"


class _Messages:
    """Builds each message of a batch from one rendering per (alert, organization, language).

    On a real SMTP connection the MIME message is serialized once and each copy only gets
    its recipient, Message-ID and ack link put in: most of the cost of a message is the
    header folding and encoding, the same for every contact.
    """

    def __init__(self):
        self._texts: dict[tuple, str] = {}
        self._raw: dict[tuple, bytes] = {}

    def _text(self, d: Delivery) -> str:
        key = (d.alert_id, d.target_id, d.language)
        text = self._texts.get(key)
        if text is None:
            alert: Alert = d.alert
            with translation.override(d.language):
                text = render_to_string(
                    "emergency_hq/email/alert-body.txt",
                    {
                        "alert": alert,
                        "subject": alert.subject_for(d.language),
                        "body": alert.body_for(d.language),
                        "organization": d.target.organization,
                        "deadline": alert.deadline,
                        "recipient": _RECIPIENT,
                        "ack_url": _ACK_URL,
                    },
                )
            self._texts[key] = text
        return text

    def _fill(self, text: str, d: Delivery) -> str:
        name = " ".join(d.recipient.split())
        link = ack_url(d) if d.alert.requires_ack else ""
        return text.replace(_RECIPIENT, name).replace(_ACK_URL, link)

    def email(self, d: Delivery, *, to: str, message_id: str, body: str, connection):
        return EmailMessage(
            subject=d.alert.subject_for(d.language),
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[to],
            headers={
                "Message-ID": message_id,
                "X-BCPWEB-Alert": str(d.alert_id),
                "X-BCPWEB-Drill": "yes" if d.alert.is_drill else "no",
            },
            connection=connection,
        )

    def message(self, d: Delivery, connection) -> EmailMessage:
        return self.email(
            d,
            to=d.address,
            message_id=d.message_id,
            body=self._fill(self._text(d), d),
            connection=connection,
        )

    def raw(self, d: Delivery) -> bytes | None:
        """The serialized message for SMTP, or None when it must be built the slow way."""
        if not d.address.isascii():
            return None
        key = (d.alert_id, d.target_id, d.language)
        raw = self._raw.get(key)
        if raw is None:
            template = self.email(
                d, to=_TO, message_id=_MESSAGE_ID, body=self._text(d), connection=None
            ).message()
            raw = template.as_bytes(linesep="\r\n")
            if raw.count(_RECIPIENT.encode()) != 1 or _TO.encode() not in raw:
                raw = b""  # encoded out of recognition (very long lines): no fast path
            self._raw[key] = raw
        if not raw:
            return None
        name = " ".join(d.recipient.split())
        link = ack_url(d) if d.alert.requires_ack else ""
        return (
            raw.replace(_TO.encode(), d.address.encode())
            .replace(_MESSAGE_ID.encode(), d.message_id.encode())
            .replace(_RECIPIENT.encode(), name.encode())
            .replace(_ACK_URL.encode(), link.encode())
        )


def _smtp(connection) -> smtplib.SMTP | None:
    """The open smtplib connection of Django's SMTP backend, if that is the backend."""
    from django.core.mail.backends.smtp import EmailBackend as SmtpBackend

    if isinstance(connection, SmtpBackend) and isinstance(connection.connection, smtplib.SMTP):
        return connection.connection
    return None


_LEADING_DOT = re.compile(rb"(?m)^\.")


def _send_pipelined(smtp: smtplib.SMTP, sender: str, recipient: str, raw: bytes) -> None:
    """MAIL, RCPT and DATA in one write (RFC 2920), the message in a second one.

    Two round trips per message instead of four; used only when the server offers
    PIPELINING. Raises the same exceptions as smtplib.SMTP.sendmail.
    """
    smtp.send(f"MAIL FROM:<{sender}>\r\nRCPT TO:<{recipient}>\r\nDATA\r\n")
    (mail_code, mail_msg), (rcpt_code, rcpt_msg), (data_code, data_msg) = (
        smtp.getreply(),
        smtp.getreply(),
        smtp.getreply(),
    )
    refused = mail_code != 250 or rcpt_code not in (250, 251)
    if data_code == 354 and refused:
        smtp.send(b".\r\n")  # a server that took DATA anyway gets an empty message ended
        smtp.getreply()
    if refused or data_code != 354:
        smtp.rset()
        if mail_code != 250:
            raise smtplib.SMTPSenderRefused(mail_code, mail_msg, sender)
        if rcpt_code not in (250, 251):
            raise smtplib.SMTPRecipientsRefused({recipient: (rcpt_code, rcpt_msg)})
        raise smtplib.SMTPDataError(data_code, data_msg)
    body = _LEADING_DOT.sub(b"..", raw)
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    smtp.send(body + b".\r\n")
    code, msg = smtp.getreply()
    if code != 250:
        raise smtplib.SMTPDataError(code, msg)


def send_email(deliveries: list[Delivery], report: Report) -> None:
    """One SMTP connection for the whole batch; a refused recipient fails only its row."""
    from django.core.mail.message import sanitize_address

    messages = _Messages()
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except (OSError, smtplib.SMTPException) as exc:
        for d in deliveries:
            report(d, retry(f"SMTP connection failed: {exc}"))
        return
    smtp = _smtp(connection)
    sender = sanitize_address(settings.DEFAULT_FROM_EMAIL, settings.DEFAULT_CHARSET)
    envelope_from = email.utils.parseaddr(sender)[1]
    pipelining = False
    if smtp is not None:
        try:
            smtp.ehlo_or_helo_if_needed()
            pipelining = bool(smtp.has_extn("pipelining"))
        except (OSError, smtplib.SMTPException):
            pipelining = False  # the first send reports the failure
    try:
        for i, d in enumerate(deliveries):
            try:
                raw = messages.raw(d) if smtp is not None else None
                if raw is not None and pipelining:
                    _send_pipelined(smtp, envelope_from, d.address, raw)
                elif raw is not None:
                    smtp.sendmail(sender, [d.address], raw)
                else:
                    connection.send_messages([messages.message(d, connection)])
            except smtplib.SMTPRecipientsRefused as exc:
                report(d, fail(f"recipient refused: {exc.recipients}"))
            except smtplib.SMTPResponseException as exc:
                reason = f"SMTP {exc.smtp_code}: {exc.smtp_error!r}"
                report(d, fail(reason) if 500 <= exc.smtp_code < 600 else retry(reason))
            except (OSError, smtplib.SMTPException) as exc:
                # The connection is gone: this and every later message of the batch wait.
                for rest in deliveries[i:]:
                    report(rest, retry(f"SMTP error: {exc}"))
                return
            else:
                report(d, SENT)
    finally:
        try:
            connection.close()
        except (OSError, smtplib.SMTPException):
            logger.warning("closing the SMTP connection failed", exc_info=True)


def webhook_payload(delivery: Delivery) -> bytes:
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


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


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


def _webhook_secret(delivery: Delivery) -> str:
    snapshot = AlertTarget.objects.filter(pk=delivery.target_id).values_list("snapshot", flat=True)
    for hook in (snapshot.first() or {}).get("webhooks", []):
        if hook["id"] == delivery.webhook_key:
            return hook["secret"]
    return ""


def send_webhook(deliveries: list[Delivery], report: Report) -> None:
    timeout = conf.get("ALERT_WEBHOOK_TIMEOUT_SECONDS")
    for d in deliveries:
        body = webhook_payload(d)
        timestamp = str(int(time.time()))
        request = urllib.request.Request(  # noqa: S310 - URLField allows http(s) only
            d.address,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": "BCPWEB-Alerts/1",
                "X-BCPWEB-Delivery": str(d.pk),
                "X-BCPWEB-Timestamp": timestamp,
                "X-BCPWEB-Signature": sign(_webhook_secret(d), timestamp, body),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                response.read(1024)
        except urllib.error.HTTPError as exc:
            status = exc.code
            reason = f"HTTP {status} from {d.address}"
            if status >= 500 or status in (408, 429):
                report(d, retry(reason, _retry_after(exc.headers.get("Retry-After"))))
            else:
                report(d, fail(reason))
        except TimeoutError:
            report(d, retry(f"timed out after {timeout:g}s: {d.address}"))
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            report(d, retry(f"cannot connect to {d.address}: {reason}"))
        else:
            report(d, SENT)


def send_sms(deliveries: list[Delivery], report: Report) -> None:
    messages = []
    for d in deliveries:
        parts = [d.alert.subject_for(d.language)]
        if d.alert.requires_ack:
            parts.append(ack_url(d))
        messages.append(
            sms.SmsMessage(to=d.address, text=" ".join(parts), idempotency_key=str(d.pk))
        )
    try:
        results = sms.get_backend().send(messages)
    except Exception as exc:  # noqa: BLE001 - any provider failure is retried later
        for d in deliveries:
            report(d, retry(f"SMS backend error: {exc}"))
        return
    for d, error in zip(deliveries, results, strict=True):
        report(d, SENT if error is None else fail(f"SMS refused: {error}"))


SENDERS = {"email": send_email, "webhook": send_webhook, "sms": send_sms}
