"""Alerts left the emergency HQ app without losing a row: a database written in the old layout
(alerts in ``emergency_hq``, sources as content types, secrets in the frozen trees) is migrated
and everything is found again through the new ``alerts`` app."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

OLD_LAYOUT = [("emergency_hq", "0002_incidents"), ("alerts", None)]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    return executor.migrate(targets).apps


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def _write_old_layout(apps) -> dict:
    User = apps.get_model("auth", "User")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Organization = apps.get_model("organizations", "Organization")
    Circular = apps.get_model("bulletin", "Circular")
    Alert = apps.get_model("emergency_hq", "Alert")
    AlertTarget = apps.get_model("emergency_hq", "AlertTarget")
    Delivery = apps.get_model("emergency_hq", "Delivery")
    Acknowledgement = apps.get_model("emergency_hq", "Acknowledgement")
    EscalationPolicy = apps.get_model("emergency_hq", "EscalationPolicy")

    now = timezone.now()
    hq = User.objects.create(username="old-hq")
    org = Organization.objects.create(code="OLD-FIRM", name_ja="旧証券", kind="securities_firm")
    circular = Circular.objects.create(
        number="2026-0077",
        fiscal_year=2026,
        sequence=77,
        title_ja="旧通達",
        body_ja="本文",
        category="general",
        audience="members",
        published_by=hq,
        published_at=now,
    )
    circular_type, _ = ContentType.objects.get_or_create(app_label="bulletin", model="circular")
    alert_type, _ = ContentType.objects.get_or_create(app_label="emergency_hq", model="alert")
    policy = EscalationPolicy.objects.create(name="old policy", step_minutes=[5], max_steps=2)
    alert = Alert.objects.create(
        subject_ja="旧連絡",
        body_ja="本文",
        source_type=circular_type,
        source_id=str(circular.pk),
        policy=policy,
        created_by=hq,
    )
    snapshot = {
        "contacts": [
            {
                "id": 1,
                "name": "Head",
                "email": "h@example.test",
                "sms": "",
                "language": "ja",
                "order": 1,
                "parent": None,
                "step": 1,
            },
        ],
        "webhooks": [{"id": 9, "url": "https://hooks.example.test/x", "secret": "leaked"}],
    }
    target = AlertTarget.objects.create(alert=alert, organization=org, snapshot=snapshot)
    for channel, address in (
        ("email", "h@example.test"),
        ("webhook", "https://hooks.example.test/x"),
    ):
        Delivery.objects.create(
            alert=alert,
            target=target,
            channel=channel,
            recipient="Head",
            address=address,
            status="sent",
            sent_at=now,
            contact_key=1 if channel == "email" else 0,
            webhook_key=9 if channel == "webhook" else 0,
        )
    Acknowledgement.objects.create(
        target=target, answer="confirmed", contact_key=1, answered_by="Head", via="link"
    )
    return {"alert": alert.pk, "circular": circular.pk, "alert_type": alert_type.pk}


def test_a_database_of_the_old_layout_keeps_every_alert_and_delivery():
    latest = _latest()
    old = _write_old_layout(_migrate(OLD_LAYOUT))
    try:
        _migrate(latest)
        from django.contrib.contenttypes.models import ContentType

        from alerts.models import Acknowledgement, Alert, AlertTarget, Delivery, EscalationPolicy

        alert = Alert.objects.get(pk=old["alert"])
        assert alert.subject_ja == "旧連絡" and alert.policy.name == "old policy"
        assert (alert.source.kind, alert.source.id) == ("circular", str(old["circular"]))
        assert alert.source.label == "通達 2026-0077 / Circular 2026-0077"
        target = AlertTarget.objects.get(alert=alert)
        assert target.tree.contact(1).email == "h@example.test"
        assert "secret" not in target.snapshot["webhooks"][0]
        assert sorted(Delivery.objects.filter(alert=alert).values_list("channel", flat=True)) == [
            "email",
            "webhook",
        ]
        assert Acknowledgement.objects.get(target=target).answer == "confirmed"
        assert EscalationPolicy.objects.count() == 1
        # Permissions granted on the old content type follow the model.
        assert ContentType.objects.get(pk=old["alert_type"]).app_label == "alerts"
    finally:
        _migrate(latest)
