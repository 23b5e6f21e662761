"""A worker's part: claim what is still due among some ids and send it on its channel."""

from __future__ import annotations

from collections import defaultdict
from contextlib import contextmanager

from django.db import connection

from . import outbox
from .channels import SENDERS
from .models import Delivery


class _Reporter:
    """What the senders call: ``report(d, outcome)`` for one, ``report.sent(group)``."""

    def __call__(self, delivery: Delivery, outcome) -> None:
        outbox.record(delivery, outcome)

    @staticmethod
    def sent(deliveries: list[Delivery]) -> None:
        outbox.record_sent(deliveries)


@contextmanager
def _asynchronous_commit():
    """Don't wait for the WAL flush on each "sent" mark: it is what makes a batch slow.

    The marks are visible to every other session at once, so a killed worker loses nothing;
    only a crash of PostgreSQL itself could forget the last few marks (and resend those).
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO DEFAULT")


def deliveries_process(ids: list[int], *, worker: str) -> int:
    """Claim what is still due among ``ids`` and send it; returns how many were claimed."""
    claimed = outbox.claim(ids, worker)
    by_channel: dict[str, list[Delivery]] = defaultdict(list)
    for d in claimed:
        by_channel[d.channel].append(d)
    with _asynchronous_commit():
        for channel, rows in by_channel.items():
            SENDERS[channel](rows, _Reporter())
    return len(claimed)
