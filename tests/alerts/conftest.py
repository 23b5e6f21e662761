"""Organizations with contact trees, and helpers to send alerts and follow ack links."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from alerts.services import alert_send
from tests import factories

ACK_LINK = re.compile(r"https?://[^\s]+/ack/([^/\s]+)/")


@pytest.fixture
def tree_a(org_a):
    """FIRM-A: head (order 1) with a deputy (order 2) under her, and a backup (order 3)."""
    head = factories.contact(org_a, "Head A", order=1, language="ja")
    deputy = factories.contact(org_a, "Deputy A", order=2, parent=head, language="en")
    backup = factories.contact(org_a, "Backup A", order=3, sms_number="+819000000001")
    return {"head": head, "deputy": deputy, "backup": backup}


@pytest.fixture
def tree_b(org_b):
    return {"head": factories.contact(org_b, "Head B", order=1)}


@pytest.fixture
def send(hq_user):
    def _send(organizations, **kwargs):
        kwargs.setdefault("subject_ja", "震度6強の地震について")
        kwargs.setdefault("subject_en", "Major earthquake")
        kwargs.setdefault("body_ja", "被害状況を報告してください。")
        kwargs.setdefault("body_en", "Please report your status.")
        return alert_send(actor=kwargs.pop("actor", hq_user), organizations=organizations, **kwargs)

    return _send


def ack_tokens(outbox=None) -> dict[str, str]:
    """{recipient address: ack token} from the e-mails sent so far."""
    found = {}
    for message in outbox if outbox is not None else mail.outbox:
        match = ACK_LINK.search(message.body)
        if match:
            found[message.to[0]] = match.group(1)
    return found
