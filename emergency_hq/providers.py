"""Answers the HQ needs from the drills app, registered by it at start-up.

Drills and the HQ are apps of one layer: drills open drill incidents through the HQ's
services, so the HQ never imports drills (DESIGN §4). Where the HQ needs a drill's answer —
the board a drill incident's situation and criteria are evaluated on, the drill a 訓練
earthquake telegram belongs to — the drills app registers it here from its
``AppConfig.ready()``. With nothing registered a drill incident reads the real board and the
running drill incident is the newest open drill incident, as before drills existed.
"""

from __future__ import annotations

from collections.abc import Callable

_drill_board: Callable | None = None
_drill_alert_ids: Callable | None = None
_drill_organization_ids: Callable | None = None
_running_drill_incident: Callable | None = None


def register(
    *,
    drill_board: Callable | None = None,
    drill_alert_ids: Callable | None = None,
    drill_organization_ids: Callable | None = None,
    running_drill_incident: Callable | None = None,
) -> None:
    """``drill_board(incident)``: {organization id: {function code: status}} of the drill's
    participants on the drill board (``not_reported`` where nothing was posted), or None when
    no drill runs on that incident; ``drill_alert_ids(incident)``: the drill's alerts, counted
    with the incident's own; ``drill_organization_ids(incident)``: the participants, or None;
    ``running_drill_incident()``: the incident of the drill running now, or None."""
    global _drill_board, _drill_alert_ids, _drill_organization_ids, _running_drill_incident
    if drill_board is not None:
        _drill_board = drill_board
    if drill_alert_ids is not None:
        _drill_alert_ids = drill_alert_ids
    if drill_organization_ids is not None:
        _drill_organization_ids = drill_organization_ids
    if running_drill_incident is not None:
        _running_drill_incident = running_drill_incident


def drill_board(incident) -> dict[int, dict[str, str]] | None:
    if _drill_board is None or incident is None or not incident.is_drill:
        return None
    return _drill_board(incident)


def drill_alert_ids(incident) -> list[int]:
    if _drill_alert_ids is None or incident is None or not incident.is_drill:
        return []
    return list(_drill_alert_ids(incident))


def drill_organization_ids(incident) -> set[int] | None:
    if _drill_organization_ids is None or incident is None or not incident.is_drill:
        return None
    return _drill_organization_ids(incident)


def running_drill_incident():
    if _running_drill_incident is not None:
        return _running_drill_incident()
    from .models import Incident, IncidentState

    return (
        Incident.objects.filter(is_drill=True)
        .exclude(state=IncidentState.CLOSED)
        .order_by("-started_at", "-id")
        .first()
    )
