"""Response figures of a drill, from recorded times: pure functions over plain data.

Times are whole seconds from the drill's start. A market percentile is the time by which that
share of *all* participants had answered (nearest rank, the way safety-confirmation services
report "time to 25/50/75% answered"): with N participants, p is the k-th fastest answer where
k = ceil(p × N / 100), and ``None`` when fewer than k answered — so nobody answering gives
``None`` throughout. ``max`` is the slowest answer received.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence

PERCENTILES = (25, 50, 75, 90)
# A cumulative curve has at most about this many points, whatever the window.
CURVE_POINTS = 120
# Histogram bars of time to acknowledge, in minutes from the start.
HISTOGRAM_EDGES = (0, 1, 2, 3, 5, 10, 15, 30, 60, 120)


def rank_of(p: int, total: int) -> int:
    """Nearest rank, in integers: ceil(p * total / 100)."""
    return -(-p * total // 100)


def percentile(times: Iterable[int | None], total: int, p: int) -> int | None:
    """Seconds by which ``p`` % of ``total`` participants had answered, or None."""
    answered = sorted(t for t in times if t is not None)
    k = rank_of(p, total)
    if total <= 0 or k < 1 or k > len(answered):
        return None
    return answered[k - 1]


def spread(times: Sequence[int | None], total: int) -> dict[str, int | None]:
    """{"p25", "p50", "p75", "p90", "max"} of the answers among ``total`` participants."""
    answered = [t for t in times if t is not None]
    out: dict[str, int | None] = {f"p{p}": percentile(answered, total, p) for p in PERCENTILES}
    out["max"] = max(answered) if answered else None
    return out


def rate(part: int, total: int) -> float | None:
    """A share as a fraction with four decimals; None when there is nobody to count."""
    return round(part / total, 4) if total else None


def curve_step_minutes(end_seconds: int) -> int:
    minutes = -(-max(end_seconds, 60) // 60)
    return max(1, -(-minutes // CURVE_POINTS))


def curve(
    ack_times: Sequence[int | None],
    report_times: Sequence[int | None],
    *,
    window_seconds: int,
) -> list[dict[str, int]]:
    """Cumulative answers over time: [{"minute", "acknowledged", "reported"}] from 0 to the
    end of the window or the last answer, whichever is later."""
    answered = [t for t in (*ack_times, *report_times) if t is not None]
    end = max([window_seconds, *answered])
    step = curve_step_minutes(end)
    last_minute = -(-end // 60)
    points = []
    minute = 0
    acks = sorted(t for t in ack_times if t is not None)
    reports = sorted(t for t in report_times if t is not None)
    while True:
        limit = minute * 60
        points.append(
            {
                "minute": minute,
                "acknowledged": bisect_right(acks, limit),
                "reported": bisect_right(reports, limit),
            }
        )
        if minute >= last_minute:
            return points
        minute = min(minute + step, last_minute)


def histogram(times: Sequence[int | None]) -> list[dict]:
    """Answers per band of minutes: [{"from", "to", "count"}]; the last band is open."""
    answered = [t for t in times if t is not None]
    bands = []
    edges = list(HISTOGRAM_EDGES)
    for low, high in zip(edges, [*edges[1:], None], strict=True):
        count = sum(1 for t in answered if t >= low * 60 and (high is None or t < high * 60))
        bands.append({"from": low, "to": high, "count": count})
    return bands


def seconds_between(start, moment) -> int | None:
    if start is None or moment is None:
        return None
    return max(0, int((moment - start).total_seconds()))
