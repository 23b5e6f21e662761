"""What operators watch of the outbox: rows by delivery state and how late the oldest due one is.

Read by ``/healthz`` (503 past ``HEALTHZ_OUTBOX_LAG_SECONDS``) and by the Prometheus gauges at
``/metrics`` (bcpweb.metrics). Two small aggregate queries on the ``(status, due_at)`` index.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Min
from django.utils import timezone

from .models import Delivery, DeliveryStatus

# Not delivered yet and meant to go out: queued (waiting for a worker) or claimed by one.
UNDELIVERED = (DeliveryStatus.QUEUED, DeliveryStatus.SENDING)


def outbox_depth() -> dict[str, int]:
    """{delivery state: rows}, every state present (0 when none)."""
    depth = {state: 0 for state in DeliveryStatus.values}
    for row in Delivery.objects.order_by().values("status").annotate(n=Count("pk")):
        depth[row["status"]] = row["n"]
    return depth


def oldest_due_at(now: datetime | None = None) -> datetime | None:
    """Due time of the oldest delivery that is due and not yet delivered (None: none is)."""
    now = now or timezone.now()
    return Delivery.objects.filter(status__in=UNDELIVERED, due_at__lte=now).aggregate(
        oldest=Min("due_at")
    )["oldest"]


def outbox_lag_seconds(now: datetime | None = None) -> float:
    """How long the oldest due, undelivered delivery has been waiting (0 when none is)."""
    now = now or timezone.now()
    oldest = oldest_due_at(now)
    return max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
