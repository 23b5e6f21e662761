"""Alert e-mails greet each contact correctly in their language."""

from __future__ import annotations

import pytest
from django.core import mail

from alerts.channels.email_render import AlertMessages
from alerts.models import Delivery

pytestmark = pytest.mark.django_db(transaction=True)


def _first_line(to):
    (message,) = [m for m in mail.outbox if m.to == [to]]
    return message.body.splitlines()[0]


def test_english_mail_says_dear_and_japanese_mail_says_sama(send, org_a, tree_a):
    send([org_a], requires_ack=False)
    assert _first_line("deputy.a@example.test") == "Dear Deputy A,"
    assert _first_line("head.a@example.test") == "Head A 様"
    assert not any("sir/madam" in m.body for m in mail.outbox)


def test_the_fast_smtp_path_greets_the_same_way(send, org_a, tree_a):
    send([org_a], requires_ack=False)
    messages = AlertMessages()
    english = Delivery.objects.get(channel="email", recipient="Deputy A")
    japanese = Delivery.objects.get(channel="email", recipient="Head A")
    assert b"Dear Deputy A," in messages.raw(english)
    assert "Head A 様".encode() in messages.raw(japanese)
