"""Models of the emergency HQ app, one module per area (alerts now; incidents later)."""

from .alerts import (
    AckAnswer,
    Acknowledgement,
    Alert,
    AlertTarget,
    Channel,
    Delivery,
    DeliveryStatus,
    EscalationPolicy,
)

__all__ = [
    "AckAnswer",
    "Acknowledgement",
    "Alert",
    "AlertTarget",
    "Channel",
    "Delivery",
    "DeliveryStatus",
    "EscalationPolicy",
]
