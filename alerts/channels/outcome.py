"""What a sender tells the outbox about each message: sent, to try again, or failed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..models import Delivery


@dataclass(frozen=True)
class Outcome:
    sent: bool = False
    retry: bool = False
    reason: str = ""
    retry_after: float | None = None


SENT = Outcome(sent=True)


def retry(reason: str, retry_after: float | None = None) -> Outcome:
    return Outcome(retry=True, reason=reason[:500], retry_after=retry_after)


def fail(reason: str) -> Outcome:
    return Outcome(reason=reason[:500])


# ``report(delivery, outcome)`` is called right after each message; a reporter may also offer
# ``report.sent(group)`` to record a group of accepted messages in one write.
Report = Callable[[Delivery, Outcome], None]


def report_sent(report: Report, deliveries: list[Delivery]) -> None:
    if not deliveries:
        return
    sent = getattr(report, "sent", None)
    if sent is not None:
        sent(deliveries)
    else:
        for d in deliveries:
            report(d, SENT)
