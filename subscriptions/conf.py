"""Tunables of subscriptions (see common.tunables)."""

from __future__ import annotations

from common.tunables import tunable

_DEFAULTS: dict[str, tuple[type, object]] = {
    # Changes are coalesced over this window into one digest per subscriber.
    "SUBSCRIPTION_DIGEST_WINDOW_SECONDS": (float, 30.0),
    # Sign-ups answered per client address and per e-mail address in one hour.
    "SUBSCRIPTION_SIGNUPS_PER_IP_PER_HOUR": (int, 20),
    "SUBSCRIPTION_SIGNUPS_PER_ADDRESS_PER_HOUR": (int, 5),
    # A confirmation (or "manage your subscription") mail at most once per address per ...
    "SUBSCRIPTION_CONFIRMATION_INTERVAL_SECONDS": (float, 3600.0),
    # Sign-ups never confirmed are deleted after ...
    "SUBSCRIPTION_UNCONFIRMED_DAYS": (float, 7.0),
}


def get(name: str):
    return tunable(_DEFAULTS, name)
