"""Which drill a 訓練 telegram belongs to, and who takes part in it: the drills app answers
through ``emergency_hq.providers`` (registered in its AppConfig.ready())."""

from __future__ import annotations

from .. import providers


def running_drill_incident():
    """The incident of the drill running now (the newest open drill incident if no drills app
    is installed), or None."""
    return providers.running_drill_incident()


def drill_participant_ids(incident) -> set[int] | None:
    """The organizations a drill incident's quake may ask to report; None: no restriction."""
    return providers.drill_organization_ids(incident)
