"""Writes of the emergency HQ app (alerts now; incidents and decisions later)."""

from ..alerts.services import (
    alert_acknowledge,
    alert_acknowledge_by_token,
    alert_resend,
    alert_send,
    escalations_run,
)

__all__ = [
    "alert_acknowledge",
    "alert_acknowledge_by_token",
    "alert_resend",
    "alert_send",
    "escalations_run",
]
