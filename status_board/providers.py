"""Answers the boards need from apps above them, registered by those apps at start-up.

The status board stands below the emergency HQ (DESIGN §4) and never imports it: the HQ
registers its answers here from its ``AppConfig.ready()``. With nothing registered the board
shows no BCP activation and counts "not reported" from the beginning of time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

_activations: Callable[..., list] | None = None
_incident_started_at: Callable[[], datetime | None] | None = None
_page_extras: Callable[..., str] | None = None


def register(
    *,
    activations: Callable[..., list] | None = None,
    incident_started_at: Callable[[], datetime | None] | None = None,
    page_extras: Callable[..., str] | None = None,
) -> None:
    """``activations(public_only=bool)`` lists the BCP activations in force (objects with
    ``segment``, ``since`` and a readable ``str``); ``incident_started_at()`` is the start of
    the incident in progress; ``page_extras(organization=None)`` is safe HTML put under the
    public board and an organization's page (the subscriptions sign-up form), rendered in the
    current language without a request (the public board is cached and published). A
    provider whose answer changes calls ``status_board.snapshots.board_changed()`` on commit
    so that the cached board follows."""
    global _activations, _incident_started_at, _page_extras
    if activations is not None:
        _activations = activations
    if incident_started_at is not None:
        _incident_started_at = incident_started_at
    if page_extras is not None:
        _page_extras = page_extras


def activations_active(*, public_only: bool = True) -> list:
    return list(_activations(public_only=public_only)) if _activations else []


def incident_started_at() -> datetime | None:
    return _incident_started_at() if _incident_started_at else None


def page_extras(organization=None) -> str:
    return _page_extras(organization=organization) if _page_extras else ""
