"""An alert whose one e-mail delivery sits in the outbox, for the operations tests."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from alerts.models import Delivery, DeliveryStatus
from alerts.services import alert_send
from tests import factories


def one_delivery(organization, actor) -> Delivery:
    factories.contact(organization, "Head A", order=1)
    alert_send(
        actor=actor,
        organizations=[organization],
        subject_ja="訓練",
        subject_en="Drill",
        body_ja="本文",
        body_en="Body",
    )
    return Delivery.objects.get(channel="email")


def waited(delivery: Delivery, seconds: float, status=DeliveryStatus.QUEUED) -> None:
    """The delivery is due since ``seconds`` ago (negative: due later) and in ``status``."""
    Delivery.objects.filter(pk=delivery.pk).update(
        status=status, due_at=timezone.now() - timedelta(seconds=seconds)
    )
