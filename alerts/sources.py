"""Senders that keep their own record of an answer (a circular's acknowledgement) hear of
the answers given to their alerts here; alerts never imports them (DESIGN §4).

A sender registers from its ``AppConfig.ready()``: ``on_answered("circular", callback)``.
The callback runs in the answer's transaction, so both records are written or neither.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class SourceAnswer:
    """An answer to an alert sent for ``source_kind``/``source_id``, given for one organization."""

    source_kind: str
    source_id: str
    organization_id: int
    answer: str
    answered_by: str
    user: object | None  # the portal user, or None for an answer link
    at: datetime


_answered: dict[str, Callable[[SourceAnswer], None]] = {}


def on_answered(kind: str, callback: Callable[[SourceAnswer], None]) -> None:
    _answered[kind] = callback


def answered(answer: SourceAnswer) -> None:
    callback = _answered.get(answer.source_kind)
    if callback is not None:
        callback(answer)
