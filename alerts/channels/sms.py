"""SMS: the subject and the answer link, through a pluggable backend (ALERT_SMS_BACKEND).

A backend is a class with ``send(messages) -> list[str | None]``: for each SmsMessage, None
when the provider took it, or the reason it was refused. Raising means "try again later".
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils import timezone
from django.utils.module_loading import import_string

from .. import conf, tokens
from ..models import Delivery
from .outcome import SENT, Report, fail, retry


@dataclass(frozen=True)
class SmsMessage:
    to: str
    text: str
    idempotency_key: str


class BaseBackend:
    def send(self, messages: list[SmsMessage]) -> list[str | None]:
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    """Prints each message: the embedded default and for development."""

    stream = None

    def send(self, messages):
        stream = self.stream or sys.stdout
        for m in messages:
            stream.write(f"SMS to {m.to} [{m.idempotency_key}]: {m.text}\n")
        stream.flush()
        return [None] * len(messages)


class FileBackend(BaseBackend):
    """Appends one line per message to ALERT_SMS_FILE_PATH (for drills and tests)."""

    _lock = threading.Lock()

    def send(self, messages):
        path = Path(conf.get("ALERT_SMS_FILE_PATH") or "sms-outbox.log")
        path.parent.mkdir(parents=True, exist_ok=True)
        stamp = timezone.now().isoformat()
        with self._lock, path.open("a", encoding="utf-8") as out:
            for m in messages:
                text = m.text.replace("\n", " ")
                out.write(f"{stamp}\t{m.idempotency_key}\t{m.to}\t{text}\n")
        return [None] * len(messages)


class LocmemBackend(BaseBackend):
    """Keeps messages in ``LocmemBackend.outbox`` (tests)."""

    outbox: list[SmsMessage] = []

    def send(self, messages):
        LocmemBackend.outbox.extend(messages)
        return [None] * len(messages)


# Settings written before alerts became an app of its own name the old module.
_OLD_MODULE = "emergency_hq.alerts.sms."


@cache
def _backend_class(path: str):
    if path.startswith(_OLD_MODULE):
        path = f"{__name__}.{path[len(_OLD_MODULE) :]}"
    return import_string(path)


def get_backend() -> BaseBackend:
    return _backend_class(conf.get("ALERT_SMS_BACKEND"))()


def send_sms(deliveries: list[Delivery], report: Report) -> None:
    messages = []
    for d in deliveries:
        parts = [d.alert.subject_for(d.language)]
        if d.alert.requires_ack:
            parts.append(tokens.ack_url(target_id=d.target_id, contact_key=d.contact_key))
        messages.append(SmsMessage(to=d.address, text=" ".join(parts), idempotency_key=str(d.pk)))
    try:
        results = get_backend().send(messages)
    except Exception as exc:  # noqa: BLE001 - any provider failure is retried later
        for d in deliveries:
            report(d, retry(f"SMS backend error: {exc}"))
        return
    for d, error in zip(deliveries, results, strict=True):
        report(d, SENT if error is None else fail(f"SMS refused: {error}"))
