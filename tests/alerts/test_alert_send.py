"""alert_send: the outbox, the frozen contact tree, targets, drills and bad input."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from alerts.models import Alert, AlertSource, AlertTarget, Delivery
from organizations.models import Contact
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_writes_one_delivery_per_contact_channel_and_step(send, org_a, tree_a):
    alert = send([org_a])
    rows = {(d.recipient, d.channel, d.step, d.status) for d in Delivery.objects.all()}
    # step 1 went out at once; the deputy (order 2) and backup (order 3) wait for escalation
    assert rows == {
        ("Head A", "email", 1, "sent"),
        ("Deputy A", "email", 2, "held"),
        ("Backup A", "email", 3, "held"),
        ("Backup A", "sms", 3, "held"),
    }
    assert [m.to for m in mail.outbox] == [["head.a@example.test"]]
    target = AlertTarget.objects.get(alert=alert)
    assert (target.current_step, target.last_step) == (1, 3)
    assert target.escalate_at is not None


def test_the_email_carries_a_personal_ack_link_in_the_contacts_language(send, org_a, tree_a):
    send([org_a], requires_ack=False)  # everybody at once
    by_to = {m.to[0]: m for m in mail.outbox}
    assert by_to["head.a@example.test"].subject == "震度6強の地震について"
    assert by_to["deputy.a@example.test"].subject == "Major earthquake"
    assert "Please report your status." in by_to["deputy.a@example.test"].body
    assert "/ack/" not in by_to["head.a@example.test"].body  # no answer asked
    assert by_to["head.a@example.test"].extra_headers["Message-ID"].startswith("<alert")


def test_drill_subjects_are_marked_in_every_language(send, org_a, tree_a, settings):
    settings.ALERT_SMS_BACKEND = "alerts.channels.sms.LocmemBackend"
    from alerts.channels.sms import LocmemBackend

    LocmemBackend.outbox.clear()
    send([org_a], is_drill=True, requires_ack=False)
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == [
        "[DRILL] Major earthquake",
        "【訓練】震度6強の地震について",
        "【訓練】震度6強の地震について",
    ]
    assert [m.text for m in LocmemBackend.outbox] == ["【訓練】震度6強の地震について"]


def test_the_contact_tree_is_frozen_when_the_alert_is_sent(send, org_a, tree_a):
    alert = send([org_a])
    Contact.objects.filter(pk=tree_a["deputy"].pk).update(email="changed@example.test")
    target = AlertTarget.objects.get(alert=alert)
    deputy = target.tree.contact(tree_a["deputy"].pk)
    assert deputy.email == "deputy.a@example.test"
    assert Delivery.objects.get(recipient="Deputy A").address == "deputy.a@example.test"


def test_an_alert_without_targets_is_refused(send):
    with pytest.raises(ValidationError) as excinfo:
        send([])
    assert "送信先がありません" in str(excinfo.value)
    assert Alert.objects.count() == 0


def test_an_inactive_organization_is_no_target(send):
    gone = factories.organization("GONE", active=False)
    factories.contact(gone, "Someone")
    with pytest.raises(ValidationError):
        send([gone])


def test_an_organization_without_contacts_is_kept_as_unreachable(send, org_a, org_b, tree_a):
    factories.contact(org_b, "Phone only", email="", phone="03-0000-0000")
    alert = send([org_a, org_b])
    target_b = AlertTarget.objects.get(alert=alert, organization=org_b)
    assert target_b.unreachable
    assert not target_b.deliveries.exists()
    assert not AlertTarget.objects.get(alert=alert, organization=org_a).unreachable


def test_only_hq_staff_can_send(send, org_a, tree_a, reporter_a, regulator_user):
    for outsider in (reporter_a, regulator_user):
        with pytest.raises(PermissionDenied):
            send([org_a], actor=outsider)
    assert not Alert.objects.exists()
    assert mail.outbox == []


def test_a_rolled_back_transaction_sends_nothing(send, org_a, tree_a):
    with pytest.raises(RuntimeError), transaction.atomic():
        send([org_a])
        raise RuntimeError("the decision could not be recorded")
    assert not Alert.objects.exists()
    assert not Delivery.objects.exists()
    assert mail.outbox == []


def test_the_source_is_kept_as_the_sender_named_it(send, org_a, tree_a):
    alert = send([org_a], source=AlertSource("circular", 42, "通達 2026-0042"))
    assert Alert.objects.get(pk=alert.pk).source == AlertSource("circular", "42", "通達 2026-0042")
    assert Alert.objects.get(pk=send([org_a]).pk).source is None


def test_it_needs_a_japanese_subject_and_body(send, org_a, tree_a):
    with pytest.raises(ValidationError) as excinfo:
        send([org_a], subject_ja=" ", body_ja="")
    assert set(excinfo.value.error_dict) == {"subject_ja", "body_ja"}
