"""Which drill a 訓練 telegram belongs to: the one hook to point at the drills app later.

Until drills exist, a drill is running when an incident marked as drill is open; the newest
one takes the telegram. Its participants are then every active organization.
"""

from __future__ import annotations


def running_drill_incident():
    from ..models import Incident, IncidentState

    return (
        Incident.objects.filter(is_drill=True)
        .exclude(state=IncidentState.CLOSED)
        .order_by("-started_at", "-id")
        .first()
    )
