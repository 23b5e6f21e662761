"""The SMTP session pool: several pipelining sessions at once, one message per session per round.

Guarantee kept here: the messages a server accepted in a round are reported sent (in one write)
before the next round sends any envelope, so a worker killed at any point can leave at most the
messages in flight undecided, and never makes the server send a message twice.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import select
import smtplib
import time
from collections import deque

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend

from .. import conf
from ..models import Delivery
from .outcome import Outcome, Report, fail, report_sent, retry

logger = logging.getLogger(__name__)


def smtp_of(connection) -> smtplib.SMTP | None:
    """The open smtplib connection of Django's SMTP backend, if that is the backend."""
    if isinstance(connection, SmtpBackend) and isinstance(connection.connection, smtplib.SMTP):
        return connection.connection
    return None


def _pipelining(smtp: smtplib.SMTP) -> bool:
    try:
        smtp.ehlo_or_helo_if_needed()
        return bool(smtp.has_extn("pipelining"))
    except (OSError, smtplib.SMTPException):
        return False  # the first send reports the failure


def refusal_outcome(exc: smtplib.SMTPException) -> Outcome:
    """What a refusal means for the delivery: 5xx is final, anything else is tried again."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return fail(f"recipient refused: {exc.recipients}")
    if isinstance(exc, smtplib.SMTPResponseException):
        reason = f"SMTP {exc.smtp_code}: {exc.smtp_error!r}"
        return fail(reason) if 500 <= exc.smtp_code < 600 else retry(reason)
    return retry(f"SMTP error: {exc}")


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
                    report(
                        d, refusal_outcome(_envelope_refusal(lane.smtp, sender, d.address, replies))
                    )
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
                report(d, refusal_outcome(smtplib.SMTPDataError(code, msg)))
        report_sent(report, sent)
    return list(queue)  # every session is gone before these were sent: nothing of them left


def send_pipelined(items: list[tuple[Delivery, bytes]], envelope_from: str, report: Report) -> bool:
    """Send serialized messages over the pool; False when the server does not pipeline (the
    caller then sends them one by one)."""
    wanted = max(1, min(conf.get("ALERT_SMTP_CONNECTIONS"), len(items)))
    lanes = _idle_take(wanted)
    reused = bool(lanes)
    opened, error = _open_lanes(wanted - len(lanes))
    lanes += opened
    if not lanes and error is None:
        return False
    live = list(lanes)
    try:
        rest = _send_in_rounds(live, items, envelope_from, report) if lanes else items
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
    return True
