"""What undo of "all normal" the session still offers (status_board.all_normal writes it)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from . import services

UNDO_KEY = "status_board:all_normal_undo"


def undo_offer(request, organization) -> dict | None:
    """The undo the session may still offer for this organization: {"until", "count"}."""
    offer = request.session.get(UNDO_KEY)
    if not offer or offer.get("organization") != organization.code:
        return None
    until = datetime.fromisoformat(offer["at"]) + services.undo_window()
    if timezone.now() >= until or not offer.get("replaced"):
        return None
    return {"until": until, "count": len(offer["replaced"])}
