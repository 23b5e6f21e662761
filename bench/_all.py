"""``make bench``: every benchmark at 1x and 10x (or the largest size that fits), one table.

Each benchmark runs in its own process, database and Redis db; its last line (one JSON
object) gives the main figure. The whole run keeps to ``--budget`` seconds (10 minutes): the
1x runs come first, then the larger ones while time is left; one that would not fit is
listed as skipped, one that runs out of time is stopped (its database is dropped by its next
run). Sizes are printed beside every figure.

    python bench/_all.py [--budget 600] [--only board_build,situation]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (benchmark, label, size, arguments, main figures, expected seconds): 1x first.
STEPS = [
    (
        "board_build",
        "1x+10x",
        "500 and 5,000 organizations, all public",
        ["--runs", "5"],
        ["build_ms", "build_ms_10x", "ratio_vs_fetch", "queries"],
        90,
    ),
    (
        "situation",
        "1x+10x",
        "500 and 5,000 orgs x 8 functions, 1,000,000 history rows",
        ["--calls", "30"],
        ["p50_ms", "p50_ms_10x", "queries"],
        200,
    ),
    (
        "import",
        "1x",
        "10,000 organizations and 10,000 contacts",
        ["--scale", "1"],
        ["organizations_apply_s", "contacts_apply_s", "dry_run_s", "ratio_vs_bulk"],
        120,
    ),
    (
        "fanout",
        "1x",
        "500 orgs x 10 contacts = 5,000 e-mails, 5 runs",
        ["--scale", "1"],
        ["worst_ratio", "alert_send_s", "first_message_s"],
        120,
    ),
    (
        "subscribers",
        "1x",
        "20,000 confirmed subscribers, one public change",
        ["--scale", "1"],
        ["ratio", "seconds", "noop_seconds", "delivered", "duplicates"],
        180,
    ),
    ("drills", "1x", "500 participants x 10 contacts", ["--scale", "1"], ["p50_ms", "queries"], 90),
    ("quake", "1x", "500 organizations x 2 contacts", ["--orgs", "500"], ["ratio"], 90),
    (
        "public_board",
        "1x",
        "500 organizations, 4 pairs of 1 s slices",
        ["--rounds", "4", "--duration", "1", "--warmup", "1"],
        ["ratio", "freshness_s"],
        90,
    ),
    # The growth: ten times the market where it fits, else a tenth (the curve from below).
    (
        "import",
        "0.1x",
        "1,000 organizations and 1,000 contacts (10x: 100,000 rows would not fit the budget)",
        ["--scale", "0.1"],
        ["organizations_apply_s", "contacts_apply_s", "dry_run_s"],
        40,
    ),
    (
        "fanout",
        "10x",
        "5,000 orgs x 10 contacts = 50,000 e-mails, 1 run",
        ["--scale", "10", "--runs", "1"],
        ["worst_ratio", "alert_send_s", "first_message_s"],
        240,
    ),
    (
        "drills",
        "0.1x",
        "50 participants x 10 contacts (10x would not fit the budget)",
        ["--scale", "0.1"],
        ["p50_ms", "queries"],
        40,
    ),
    ("quake", "10x", "5,000 organizations x 2 contacts", ["--orgs", "5000"], ["ratio"], 200),
    (
        "public_board",
        "10x",
        "5,000 organizations, 2 pairs of 1 s slices",
        ["--orgs", "5000", "--rounds", "2", "--duration", "1", "--warmup", "1"],
        ["ratio", "freshness_s"],
        150,
    ),
]


def _last_json(text: str) -> dict | None:
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                return None
    return None


def _run(script: str, args: list[str], timeout: float) -> tuple[dict | None, str]:
    proc = subprocess.Popen(  # noqa: S603 - our own benchmark scripts
        [sys.executable, str(ROOT / "bench" / f"{script}.py"), *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGINT)  # its finally blocks drop what it made
        try:
            out, _ = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, _ = proc.communicate()
        return None, f"stopped after {timeout:.0f} s (budget)\n{out[-2000:]}"
    return (_last_json(out) if proc.returncode == 0 else None), out


def _cpu_reference_s() -> float:
    """Seconds for a fixed pure-Python loop: the same code's figures differ between machines
    (one machine took three times another's for the same commit), so each table says how
    fast this one ran plain Python at the time."""
    t0 = time.perf_counter()
    total = 0
    for i in range(5_000_000):
        total += i
    return time.perf_counter() - t0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=600.0, help="seconds for everything")
    parser.add_argument("--only", default="", help="comma-separated benchmark names")
    args = parser.parse_args()
    only = {n for n in args.only.split(",") if n}
    started = time.monotonic()
    cpu_before = _cpu_reference_s()
    table = []
    for script, label, size, step_args, keys, expected in STEPS:
        if only and script not in only:
            continue
        left = args.budget - (time.monotonic() - started)
        load = os.getloadavg()[0]
        if left < expected:
            table.append((script, label, size, "skipped: would not fit the time left", load, 0))
            continue
        print(f"== {script} {label}: {size} (load {load:.2f})", flush=True)
        t0 = time.monotonic()
        result, out = _run(script, step_args, left)
        took = time.monotonic() - t0
        print(out.rstrip(), flush=True)
        if result is None:
            figures = "failed or stopped (see above)"
        else:
            figures = ", ".join(f"{k}={result.get(k)}" for k in keys)
        table.append((script, label, size, figures, load, took))
    print("\n== summary (load average at each start; this machine is shared)")
    print(f"{'benchmark':<13} {'size':<7} {'load':>5} {'s':>5}  figures  [sizes]")
    for script, label, size, figures, load, took in table:
        print(f"{script:<13} {label:<7} {load:>5.2f} {took:>5.0f}  {figures}  [{size}]")
    print(
        f"cpu reference (5,000,000 pure-Python additions): {cpu_before:.2f} s at the start, "
        f"{_cpu_reference_s():.2f} s at the end"
    )
    print(f"total {time.monotonic() - started:.0f} s of {args.budget:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
