"""The SMS channel's pluggable backends and the e-mail channel's per-message refusals."""

from __future__ import annotations

import pytest

from alerts.models import Delivery

pytestmark = pytest.mark.django_db(transaction=True)


def test_sms_goes_through_the_backend_named_in_settings(send, org_a, tree_a, settings, tmp_path):
    settings.ALERT_SMS_BACKEND = "alerts.channels.sms.FileBackend"
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
