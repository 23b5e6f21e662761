"""Messages of their own (alert_send_messages): the personal part is put in when sent.

On SMTP thousands of messages with one text are serialized once and each copy gets its own
address, Message-ID and fill; what a reader gets is the same as when each is built alone.
"""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest
from django.core import mail
from django.core.mail import EmailMessage

from alerts.channels.email_render import AlertMessages
from alerts.models import AlertSource, Delivery
from alerts.services import AddressedMessage, alert_send_messages
from organizations.services import system_actor

pytestmark = pytest.mark.django_db

TOKEN = "@@TOKEN@@"
URL = f"https://bcp.example.test/leave/{TOKEN}/"


def _send(messages):
    alert_send_messages(
        created_by=system_actor(),
        subject_ja="ダイジェスト",
        source=AlertSource("test", 1, "test"),
        messages=messages,
    )
    return list(Delivery.objects.order_by("pk"))


def _message(i: int, *, subject="[BCP WEB] 1件の更新: 取引所", token=None):
    return AddressedMessage(
        key=i,
        address=f"investor{i}@example.test",
        language="ja",
        subject=subject,
        body=f"変更がありました。\n管理: {URL}manage\n",
        headers={"List-Unsubscribe": f"<{URL}>", "List-Unsubscribe-Post": "One-Click"},
        fill={TOKEN: token or f"{i}-key{i}"},
    )


def _parsed(raw: bytes):
    return message_from_bytes(raw, policy=policy.default)


def test_each_copy_gets_its_own_address_message_id_and_links(monkeypatch):
    built = []
    serialize = EmailMessage.message
    monkeypatch.setattr(EmailMessage, "message", lambda self: built.append(1) or serialize(self))
    deliveries = _send([_message(i) for i in range(3)])
    messages = AlertMessages()
    parsed = [_parsed(messages.raw(d)) for d in deliveries]
    assert len(built) == 1  # one serialization for the three
    for i, (d, m) in enumerate(zip(deliveries, parsed, strict=True)):
        assert m["To"] == f"investor{i}@example.test"
        assert m["Message-ID"] == d.message_id
        assert m["List-Unsubscribe"] == f"<https://bcp.example.test/leave/{i}-key{i}/>"
        assert f"管理: https://bcp.example.test/leave/{i}-key{i}/manage" in m.get_content()
        assert m["Subject"] == "[BCP WEB] 1件の更新: 取引所"
        assert TOKEN not in m.as_string()


def test_the_fast_path_says_what_the_one_by_one_path_says():
    [d] = _send([_message(7)])
    fast = _parsed(AlertMessages().raw(d))
    alone = AlertMessages.own_message(d, None)
    assert fast["List-Unsubscribe"] == alone.extra_headers["List-Unsubscribe"]
    assert fast.get_content().replace("\r\n", "\n") == alone.body


def test_a_fill_that_is_not_plain_text_or_an_encoded_placeholder_is_built_on_its_own():
    odd, in_subject = _send(
        [_message(1, token="1 two\r\nBcc: x@example.test"), _message(2, subject=f"件名 {TOKEN}")]
    )
    messages = AlertMessages()
    first = _parsed(messages.raw(odd))
    assert first["Bcc"] is None  # never a header of its own
    assert "1 two" in first["List-Unsubscribe"]
    second = _parsed(messages.raw(in_subject))
    assert second["Subject"] == "件名 2-key2"
    assert second["List-Unsubscribe"] == "<https://bcp.example.test/leave/2-key2/>"


def test_other_backends_get_the_filled_message(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _send([_message(3)])
    [sent] = mail.outbox
    assert sent.extra_headers["List-Unsubscribe"] == "<https://bcp.example.test/leave/3-key3/>"
    assert "https://bcp.example.test/leave/3-key3/manage" in sent.body
