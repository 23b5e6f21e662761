"""E-mail rendering of alerts: one rendering per alert and language, filled per message.

On a real SMTP connection the MIME message is serialized once per alert and language and each
copy only gets its recipient, organization, Message-ID and ack link put in: most of the cost of
a message is the template and the header folding and encoding, the same for every contact.
Messages of their own (``alert_send_messages``) likewise, once per distinct text of a batch,
when they say what is personal (``fill``). Other backends get an EmailMessage per message.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import translation

from .. import tokens
from ..models import Alert, Delivery

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


def warm() -> None:
    """Load, in a worker that has just started, what its first alert's batch would load: the
    URLconf behind the ack link (every view module and what they import, ~0.4 s) and the
    template engine with the alert's e-mail template (~0.1 s). The first alert of a disaster
    then does not wait for them."""
    reverse("alert_ack", args=[_TOKEN])
    get_template("alerts/email/alert-body.txt")


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _filled(text: str, fill) -> str:
    for placeholder, value in fill.items():
        text = text.replace(placeholder, str(value))
    return text


class AlertMessages:
    """Builds each message of a batch from one rendering per (alert, language)."""

    def __init__(self):
        self._texts: dict[tuple, str] = {}
        self._raw: dict[tuple, bytes] = {}
        self._orgs: dict[tuple, bytes] = {}
        self._ack_parts: tuple[str, str] | None = None
        self._own: dict[tuple, bytes] = {}

    def _render(self, d: Delivery, organization) -> str:
        alert: Alert = d.alert
        with translation.override(d.language):
            return render_to_string(
                "alerts/email/alert-body.txt",
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
        return tokens.ack_url(target_id=d.target_id, contact_key=d.contact_key)

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

    @staticmethod
    def own_message(
        d: Delivery, connection, *, to: str = "", message_id: str = "", fill=None
    ) -> EmailMessage:
        """A delivery that carries its own message (``alert_send_messages``), filled in."""
        m = d.message
        fill = (m.get("fill") or {}) if fill is None else fill
        return EmailMessage(
            subject=_one_line(_filled(m.get("subject", ""), fill)),
            body=_filled(m.get("body", ""), fill),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[to or d.address],
            headers={
                "Message-ID": message_id or d.message_id,
                "X-BCPWEB-Alert": str(d.alert_id),
                **{
                    str(k): _one_line(_filled(v, fill)) for k, v in (m.get("headers") or {}).items()
                },
            },
            connection=connection,
        )

    def _own_raw(self, d: Delivery) -> bytes:
        """One serialization per distinct text of a batch; each copy gets its own fill."""
        m = d.message
        fill = m.get("fill") or {}
        if not fill or not all(_PLAIN_TOKEN.fullmatch(str(v)) for v in fill.values()):
            return self.own_message(d, None).message().as_bytes(linesep="\r\n")
        headers = m.get("headers") or {}
        key = (m.get("subject", ""), m.get("body", ""), tuple(headers.items()), tuple(fill))
        raw = self._own.get(key)
        if raw is None:
            template = self.own_message(d, None, to=_TO, message_id=_MESSAGE_ID, fill={})
            raw = template.message().as_bytes(linesep="\r\n")
            texts = [key[0], key[1], *headers.values()]
            expected = {k: sum(t.count(k) for t in texts) for k in fill}
            expected.update({_TO: 1, _MESSAGE_ID: 1})
            if any(raw.count(k.encode()) != n for k, n in expected.items()):
                raw = b""  # a placeholder was encoded (subject, long lines): each on its own
            self._own[key] = raw
        if not raw:
            return self.own_message(d, None).message().as_bytes(linesep="\r\n")
        raw = raw.replace(_TO.encode(), d.address.encode())
        raw = raw.replace(_MESSAGE_ID.encode(), d.message_id.encode())
        for placeholder, value in fill.items():
            raw = raw.replace(placeholder.encode(), str(value).encode())
        return raw

    def message(self, d: Delivery, connection) -> EmailMessage:
        if d.message is not None:
            return self.own_message(d, connection)
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
        if d.message is not None:
            return self._own_raw(d)
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
