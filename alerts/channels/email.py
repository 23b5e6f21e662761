"""E-mail: over the SMTP session pool when the server pipelines, else one message at a time.

``report(delivery, outcome)`` is called right after each message, so a worker killed in the
middle of a batch leaves only the messages in flight undecided; a refusal fails only its row.
"""

from __future__ import annotations

import email.utils
import logging
import smtplib

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.mail.message import sanitize_address

from .. import conf
from ..models import Delivery
from .email_render import AlertMessages
from .outcome import SENT, Report, retry
from .smtp_pool import refusal_outcome, send_pipelined, smtp_of

logger = logging.getLogger(__name__)


def send_email(deliveries: list[Delivery], report: Report) -> None:
    messages = AlertMessages()
    sender = sanitize_address(settings.DEFAULT_FROM_EMAIL, settings.DEFAULT_CHARSET)
    pooled = conf.get("ALERT_SMTP_CONNECTIONS") > 0
    if not pooled or not isinstance(get_connection(fail_silently=False), SmtpBackend):
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
    if fast and not send_pipelined(fast, email.utils.parseaddr(sender)[1], report):
        _send_on_one_connection([d for d, _raw in fast], messages, sender, report)


def _send_on_one_connection(deliveries, messages, sender, report) -> None:
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except (OSError, smtplib.SMTPException) as exc:
        for d in deliveries:
            report(d, retry(f"SMTP connection failed: {exc}"))
        return
    try:
        _send_one_by_one(connection, smtp_of(connection), deliveries, messages, sender, report)
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
            report(d, refusal_outcome(exc))
        except (OSError, smtplib.SMTPException) as exc:
            # The connection is gone: this and every later message of the batch wait.
            for later in deliveries[i:]:
                report(later, retry(f"SMTP error: {exc}"))
            return False
        else:
            report(d, SENT)
    return True
