"""Fixed-window counters in the cache (Redis): how many sign-ups an address may make per hour.

The equivalent of django-ratelimit's ``hash``/``ip`` keys for one view, without the decorator:
the API and the form share the counters. A cache outage lets sign-ups through (the double
opt-in and the once-an-hour confirmation mail still hold).
"""

from __future__ import annotations

import hashlib
import math
import time

from django.core.cache import cache

HOUR = 3600


class RateLimited(Exception):
    def __init__(self, wait_seconds: int):
        super().__init__(wait_seconds)
        self.wait_seconds = wait_seconds

    @property
    def wait_minutes(self) -> int:
        return max(1, math.ceil(self.wait_seconds / 60))


def _key(scope: str, value: str, window: int) -> str:
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]
    return f"subs-rl:{scope}:{digest}:{window}"


def hit(scope: str, value: str, *, limit: int, period: int = HOUR) -> None:
    """Count one more; RateLimited (with the seconds to wait) once ``limit`` is passed."""
    now = time.time()
    window = int(now // period)
    key = _key(scope, value, window)
    try:
        count = 1 if cache.add(key, 1, timeout=period + 5) else cache.incr(key)
    except Exception:  # noqa: BLE001 - the cache is down: no limit rather than no sign-up
        return
    if count > limit:
        raise RateLimited(int(period - (now % period)) + 1)


def client_address(request) -> str:
    """The client's address as the proxy in front gives it (see AXES_IPWARE_META_...)."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    from django.conf import settings

    if forwarded and "HTTP_X_FORWARDED_FOR" in getattr(
        settings, "AXES_IPWARE_META_PRECEDENCE_ORDER", []
    ):
        return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "") or "unknown"
