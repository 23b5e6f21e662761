"""Reads of the emergency HQ app (alerts now; incidents and decisions later)."""

from ..alerts.selectors import (
    alert_ack_counts,
    alert_deliveries,
    alert_for_hq,
    alert_progress,
    alert_target_for_hq,
    alert_target_for_member,
    alert_targets_for_member,
    alerts_for_hq,
    organizations_for_audience,
)

__all__ = [
    "alert_ack_counts",
    "alert_deliveries",
    "alert_for_hq",
    "alert_progress",
    "alert_target_for_hq",
    "alert_target_for_member",
    "alert_targets_for_member",
    "alerts_for_hq",
    "organizations_for_audience",
]
