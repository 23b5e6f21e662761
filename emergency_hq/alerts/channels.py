"""Sending one claimed batch on one channel; each outcome is reported as soon as it is known.

``report(delivery, outcome)`` is called right after each message (``report.sent(group)``,
when the reporter has it, records a group of accepted messages in one write) so that a
worker killed in the middle of a batch leaves only the messages in flight undecided. E-mail
sends one message per session per round over a few sessions at once and records each
round's accepted messages before the next round starts (see ``_send_in_rounds``).
"""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import hmac
import json
import logging
import os
import re
import select
import smtplib
import time
import urllib.error
import urllib.request
from collections import deque
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


# Placeholders put into the rendered text and the serialized message, replaced per message.
# The non-ASCII character keeps the body's transfer encoding 8bit, so a Japanese name put
# into an otherwise ASCII (English) message is still declared correctly.
_RECIPIENT = "@@BCPWEB-RECIPIENT-宛先@@"
_ACK_URL = "@@BCPWEB-ACK-URL@@"
_ORG_NAME = "@@BCPWEB-ORGANIZATION-NAME@@"
_ORG_CODE = "@@BCPWEB-ORGANIZATION-CODE@@"
_TO = "bcpweb-to@placeholder.invalid"
_MESSAGE_ID = "<bcpweb-message-id@placeholder.invalid>"
_TOKEN = "BCPWEBACKTOKENPLACEHOLDER"  # noqa: S105 - a placeholder, not a secret
_PLAIN_TOKEN = re.compile(r"[A-Za-z0-9_.:-]+")


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


class _Messages:
    """Builds each message of a batch from one rendering per (alert, language).

    On a real SMTP connection the MIME message is serialized once per alert and language and
    each copy only gets its recipient, organization, Message-ID and ack link put in: most of
    the cost of a message is the template and the header folding and encoding, the same for
    every contact. Other backends get an EmailMessage rendered per organization.
    """

    def __init__(self):
        self._texts: dict[tuple, str] = {}
        self._raw: dict[tuple, bytes] = {}
        self._orgs: dict[tuple, bytes] = {}
        self._ack_parts: tuple[str, str] | None = None

    def _render(self, d: Delivery, organization) -> str:
        alert: Alert = d.alert
        with translation.override(d.language):
            return render_to_string(
                "emergency_hq/email/alert-body.txt",
                {
                    "alert": alert,
                    "subject": alert.subject_for(d.language),
                    "body": alert.body_for(d.language),
                    "organization": organization,
                    "deadline": alert.deadline,
                    "recipient": _RECIPIENT,
                    "ack_url": _ACK_URL,
                },
            )

    def _text(self, d: Delivery) -> str:
        key = (d.alert_id, d.target_id, d.language)
        text = self._texts.get(key)
        if text is None:
            text = self._texts[key] = self._render(d, d.target.organization)
        return text

    def _ack(self, d: Delivery) -> str:
        """The ack link; the URL around the token is resolved once per batch."""
        if not d.alert.requires_ack:
            return ""
        token = tokens.make(target_id=d.target_id, contact_key=d.contact_key)
        if self._ack_parts is None:
            url = settings.SITE_URL.rstrip("/") + reverse("alert_ack", args=[_TOKEN])
            parts = url.split(_TOKEN)
            self._ack_parts = (parts[0], parts[1]) if len(parts) == 2 else ("", "")
        prefix, suffix = self._ack_parts
        if prefix and _PLAIN_TOKEN.fullmatch(token):
            return prefix + token + suffix
        return ack_url(d)

    def _fill(self, text: str, d: Delivery) -> str:
        return text.replace(_RECIPIENT, _one_line(d.recipient)).replace(_ACK_URL, self._ack(d))

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

    def _organization(self, d: Delivery) -> tuple[bytes, bytes]:
        key = (d.target_id, d.language)
        names = self._orgs.get(key)
        if names is None:
            org = d.target.organization
            with translation.override(d.language):
                name = _one_line(org.name)
            names = self._orgs[key] = (name.encode(), _one_line(org.code).encode())
        return names

    def raw(self, d: Delivery) -> bytes | None:
        """The serialized message for SMTP, or None when it must be built the slow way."""
        if not d.address.isascii():
            return None
        key = (d.alert_id, d.language)
        raw = self._raw.get(key)
        if raw is None:
            text = self._render(d, {"name": _ORG_NAME, "code": _ORG_CODE})
            template = self.email(
                d, to=_TO, message_id=_MESSAGE_ID, body=text, connection=None
            ).message()
            raw = template.as_bytes(linesep="\r\n")
            expected = {
                _RECIPIENT: 1,
                _ORG_NAME: 1,
                _ORG_CODE: 1,
                _TO: 1,
                _MESSAGE_ID: 1,
                _ACK_URL: 1 if d.alert.requires_ack else 0,
            }
            if any(raw.count(k.encode()) != n for k, n in expected.items()):
                raw = b""  # encoded out of recognition (very long lines): no fast path
            self._raw[key] = raw
        if not raw:
            return None
        org_name, org_code = self._organization(d)
        return (
            raw.replace(_TO.encode(), d.address.encode())
            .replace(_MESSAGE_ID.encode(), d.message_id.encode())
            .replace(_RECIPIENT.encode(), _one_line(d.recipient).encode())
            .replace(_ORG_NAME.encode(), org_name)
            .replace(_ORG_CODE.encode(), org_code)
            .replace(_ACK_URL.encode(), self._ack(d).encode())
        )


def _smtp(connection) -> smtplib.SMTP | None:
    """The open smtplib connection of Django's SMTP backend, if that is the backend."""
    from django.core.mail.backends.smtp import EmailBackend as SmtpBackend

    if isinstance(connection, SmtpBackend) and isinstance(connection.connection, smtplib.SMTP):
        return connection.connection
    return None


def _pipelining(smtp: smtplib.SMTP) -> bool:
    try:
        smtp.ehlo_or_helo_if_needed()
        return bool(smtp.has_extn("pipelining"))
    except (OSError, smtplib.SMTPException):
        return False  # the first send reports the failure


def _outcome(exc: smtplib.SMTPException) -> Outcome:
    """What a refusal means for the delivery: 5xx is final, anything else is tried again."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return fail(f"recipient refused: {exc.recipients}")
    if isinstance(exc, smtplib.SMTPResponseException):
        reason = f"SMTP {exc.smtp_code}: {exc.smtp_error!r}"
        return fail(reason) if 500 <= exc.smtp_code < 600 else retry(reason)
    return retry(f"SMTP error: {exc}")


def _report_sent(report: Report, deliveries: list[Delivery]) -> None:
    if not deliveries:
        return
    sent = getattr(report, "sent", None)
    if sent is not None:
        sent(deliveries)  # one write for the group
    else:
        for d in deliveries:
            report(d, SENT)


_LEADING_DOT = re.compile(rb"(?m)^\.")


def _data(raw: bytes) -> bytes:
    body = _LEADING_DOT.sub(b"..", raw)
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    return body + b".\r\n"


def _envelope(sender: str, recipient: str) -> bytes:
    return f"MAIL FROM:<{sender}>\r\nRCPT TO:<{recipient}>\r\nDATA\r\n".encode()


def _envelope_refusal(smtp: smtplib.SMTP, sender: str, recipient: str, replies) -> Exception:
    """Put a session whose pipelined envelope was refused back to a clean state."""
    (mail_code, mail_msg), (rcpt_code, rcpt_msg), (data_code, data_msg) = replies
    if data_code == 354:
        smtp.send(b".\r\n")  # a server that took DATA anyway gets an empty message ended
        smtp.getreply()
    smtp.rset()
    if mail_code != 250:
        return smtplib.SMTPSenderRefused(mail_code, mail_msg, sender)
    if rcpt_code not in (250, 251):
        return smtplib.SMTPRecipientsRefused({recipient: (rcpt_code, rcpt_msg)})
    return smtplib.SMTPDataError(data_code, data_msg)


def _envelope_ok(replies) -> bool:
    (mail_code, _m), (rcpt_code, _r), (data_code, _d) = replies
    return mail_code == 250 and rcpt_code in (250, 251) and data_code == 354


class _Lane:
    """One SMTP session (the Django backend that opened it and its smtplib connection)."""

    def __init__(self, backend, smtp: smtplib.SMTP):
        self.backend = backend
        self.smtp = smtp
        self.key = _server_key()
        self.pid = os.getpid()
        self.idle_since = 0.0


def _server_key() -> tuple:
    return (
        settings.EMAIL_BACKEND,
        settings.EMAIL_HOST,
        settings.EMAIL_PORT,
        settings.EMAIL_HOST_USER,
        settings.EMAIL_USE_TLS,
        settings.EMAIL_USE_SSL,
    )


# Sessions a worker process keeps open between its batches for a few seconds: opening eight
# sessions (connect, greeting, EHLO) costs as many round trips as sending eight messages.
_IDLE: list[_Lane] = []


def _idle_take(wanted: int) -> list[_Lane]:
    """Idle sessions still fit for use: same server settings, not too old, nothing unread."""
    lanes: list[_Lane] = []
    stale: list[_Lane] = []
    now = time.monotonic()
    max_idle = conf.get("ALERT_SMTP_IDLE_SECONDS")
    key = _server_key()
    while _IDLE and len(lanes) < wanted:
        lane = _IDLE.pop()
        if lane.pid != os.getpid():
            continue  # inherited over a fork: the parent's to close
        sock = lane.smtp.sock
        fresh = lane.key == key and now - lane.idle_since <= max_idle and sock is not None
        # Readable while idle means the server said goodbye (421 or EOF).
        if fresh and not select.select([sock], [], [], 0)[0]:
            lanes.append(lane)
        else:
            stale.append(lane)
    _close(stale)
    return lanes


def _idle_keep(lanes: list[_Lane]) -> None:
    now = time.monotonic()
    for lane in lanes:
        lane.idle_since = now
    _IDLE.extend(lanes)


def _open_lanes(wanted: int) -> tuple[list[_Lane], Exception | None]:
    """Up to ``wanted`` new sessions that offer PIPELINING (and the error that stopped us)."""
    lanes: list[_Lane] = []
    for _ in range(wanted):
        backend = get_connection(fail_silently=False)
        try:
            backend.open()
        except (OSError, smtplib.SMTPException) as exc:
            return lanes, exc  # the server takes fewer sessions: send on those we have
        lane = _Lane(backend, backend.connection)
        if not _pipelining(lane.smtp):
            _close([lane])
            return lanes, None
        lanes.append(lane)
    return lanes, None


def _close(lanes: list[_Lane]) -> None:
    """QUIT on every session at once, then read the answers: one round trip in all."""
    quitting = []
    for lane in lanes:
        try:
            lane.smtp.send(b"QUIT\r\n")
            quitting.append(lane)
        except (OSError, smtplib.SMTPException):
            pass
    for lane in quitting:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            lane.smtp.getreply()
    for lane in lanes:
        try:
            lane.smtp.close()
        except OSError:
            logger.warning("closing an SMTP connection failed", exc_info=True)
        lane.backend.connection = None


def _send_in_rounds(
    lanes: list[_Lane], items: list[tuple[Delivery, bytes]], sender: str, report: Report
) -> list[tuple[Delivery, bytes]]:
    """Send over several pipelining sessions at once, one message per session per round.

    A round is two round trips for all its messages together: the envelopes (MAIL, RCPT,
    DATA in one write per session, RFC 2920), then — only once every envelope of the round
    has been answered — the contents. The messages the server accepted in a round are marked
    sent in one write before the next round sends any envelope, so the server never starts a
    new message while one it already took is unrecorded, and a worker killed at any point
    while the server handles an envelope cannot make it send a message twice.
    """
    queue = deque(items)
    while queue and lanes:
        # 1. Envelopes.
        round_: list[tuple[_Lane, Delivery, bytes]] = []
        for lane in list(lanes):
            if not queue:
                break
            d, raw = queue.popleft()
            try:
                lane.smtp.send(_envelope(sender, d.address))
            except (OSError, smtplib.SMTPException):
                lanes.remove(lane)  # nothing of this message left: another session takes it
                queue.appendleft((d, raw))
                continue
            round_.append((lane, d, raw))
        accepted: list[tuple[_Lane, Delivery, bytes]] = []
        for lane, d, raw in round_:
            try:
                replies = (lane.smtp.getreply(), lane.smtp.getreply(), lane.smtp.getreply())
                if _envelope_ok(replies):
                    accepted.append((lane, d, raw))
                else:
                    report(d, _outcome(_envelope_refusal(lane.smtp, sender, d.address, replies)))
            except (OSError, smtplib.SMTPException):
                lanes.remove(lane)  # no content was sent: nothing was delivered
                queue.appendleft((d, raw))
        # 2. Contents, each ended with its dot.
        waiting: list[tuple[_Lane, Delivery]] = []
        for lane, d, raw in accepted:
            try:
                lane.smtp.send(_data(raw))
            except (OSError, smtplib.SMTPException) as exc:
                lanes.remove(lane)
                report(d, retry(f"SMTP error: {exc}"))
                continue
            waiting.append((lane, d))
        sent: list[Delivery] = []
        for lane, d in waiting:
            try:
                code, msg = lane.smtp.getreply()
            except (OSError, smtplib.SMTPException) as exc:
                lanes.remove(lane)  # it may or may not have arrived: sent again later
                report(d, retry(f"SMTP error: {exc}"))
                continue
            if code == 250:
                sent.append(d)
            else:
                report(d, _outcome(smtplib.SMTPDataError(code, msg)))
        _report_sent(report, sent)
    return list(queue)  # every session is gone before these were sent: nothing of them left


def send_email(deliveries: list[Delivery], report: Report) -> None:
    """Several SMTP sessions at once when the server pipelines; a refusal fails only its row."""
    from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
    from django.core.mail.message import sanitize_address

    messages = _Messages()
    sender = sanitize_address(settings.DEFAULT_FROM_EMAIL, settings.DEFAULT_CHARSET)
    envelope_from = email.utils.parseaddr(sender)[1]
    if not isinstance(get_connection(fail_silently=False), SmtpBackend):
        _send_on_one_connection(deliveries, messages, sender, report)
        return
    fast: list[tuple[Delivery, bytes]] = []
    slow: list[Delivery] = []
    for d in deliveries:
        raw = messages.raw(d)
        if raw is None:
            slow.append(d)
        else:
            fast.append((d, raw))
    if slow:
        _send_on_one_connection(slow, messages, sender, report)
    if not fast:
        return
    wanted = max(1, min(conf.get("ALERT_SMTP_CONNECTIONS"), len(fast)))
    lanes = _idle_take(wanted)
    reused = bool(lanes)
    opened, error = _open_lanes(wanted - len(lanes))
    lanes += opened
    if not lanes and error is None:  # the server does not pipeline: one message at a time
        _send_on_one_connection([d for d, _raw in fast], messages, sender, report)
        return
    live = list(lanes)
    try:
        rest = _send_in_rounds(live, fast, envelope_from, report) if lanes else fast
        if rest and reused:
            # Kept sessions the server had closed meanwhile: start again on new ones.
            fresh, error = _open_lanes(wanted)
            lanes += fresh
            live += fresh
            rest = _send_in_rounds(live, rest, envelope_from, report) if fresh else rest
        reason = f"SMTP connection failed: {error}" if error else "SMTP error: connection lost"
        for d, _raw in rest:
            report(d, retry(reason))
    finally:
        _close([lane for lane in lanes if lane not in live])
        _idle_keep(live)


def _send_on_one_connection(deliveries, messages, sender, report) -> None:
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except (OSError, smtplib.SMTPException) as exc:
        for d in deliveries:
            report(d, retry(f"SMTP connection failed: {exc}"))
        return
    try:
        _send_one_by_one(connection, _smtp(connection), deliveries, messages, sender, report)
    finally:
        try:
            connection.close()
        except (OSError, smtplib.SMTPException):
            logger.warning("closing the SMTP connection failed", exc_info=True)


def _send_one_by_one(connection, smtp, deliveries, messages, sender, report) -> bool:
    """One message at a time, each reported as soon as it is known (any Django backend).

    False when the connection broke (every message from there on is then put back).
    """
    for i, d in enumerate(deliveries):
        try:
            raw = messages.raw(d) if smtp is not None else None
            if raw is not None:
                smtp.sendmail(sender, [d.address], raw)
            else:
                connection.send_messages([messages.message(d, connection)])
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as exc:
            report(d, _outcome(exc))
        except (OSError, smtplib.SMTPException) as exc:
            # The connection is gone: this and every later message of the batch wait.
            for later in deliveries[i:]:
                report(later, retry(f"SMTP error: {exc}"))
            return False
        else:
            report(d, SENT)
    return True


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
