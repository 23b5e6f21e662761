"""Alert fan-out benchmark (DESIGN §7): e-mail deliveries vs no-op Celery tasks, same run.

500 organizations x 10 contacts = 5,000 e-mail deliveries to an aiosmtpd sink on loopback,
sent by 2 Celery worker processes on the local Redis; then, through the same broker and
workers, as many no-op tasks. Goal (DESIGN §7): every message received exactly once,
fanout_s / noop_s <= 0.8 in every run, alert_send <= 0.3 s and the first message <= 0.3 s
later. A dedicated PostgreSQL database is created and dropped, and a
Redis database of its own is used (and flushed). The fan-out's end is signalled by the sink
itself (an Event set at the last expected message) rather than polled, so that measuring
does not take the GIL from the sink's thread; the no-op phase ends when the broker's queue
is drained, as before. Extra lines show the CPU seconds of each process in each phase.

    python bench/fanout.py [--scale 1] [--runs 5] [--contacts 10] [--smtp-connections N]

Each run is one no-op phase then one fan-out (a new alert to every organization), on the same
workers; ``worst_ratio`` is the worst of the runs, ``alert_send_s`` and ``first_message_s``
(after alert_send returned) the slowest. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_MESSAGE_ID = re.compile(rb"(?im)^Message-ID:[ \t]*(<[^>\r\n]+>)")
DB_NAME = "bench_fanout_alerts"
PG = "postgres://postgres@127.0.0.1:5432"


def log(*args) -> None:
    print(*args, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    """Counts accepted messages by Message-ID; duplicates are copies of one Message-ID."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.port = free_port()
        self.ids: list[str] = []
        self.times: list[float] = []
        # Set by the sink itself when the expected count is reached: waiting on it costs the
        # sink's thread nothing, where polling every few ms would fight it for the GIL.
        self.expected = 0
        self.reached = threading.Event()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        # Like Postfix, take MAIL/RCPT/DATA pipelined (aiosmtpd reads commands in order).
        session.host_name = hostname
        return [*responses[:-1], "250-PIPELINING", responses[-1]]

    async def handle_DATA(self, server, session, envelope):
        # The Message-ID from the header block, as an MTA reads it: parsing each whole MIME
        # message here cost the sink more CPU than the workers spent sending (both share the
        # machine's two cores with the no-op baseline's nothing).
        header = envelope.content.split(b"\r\n\r\n", 1)[0]
        match = _MESSAGE_ID.search(header)
        self.ids.append(match.group(1).decode() if match else "")
        self.times.append(time.perf_counter())
        if self.expected and len(self.ids) >= self.expected:
            self.reached.set()
        return "250 OK"

    def count(self) -> int:
        return len(self.ids)


def _admin_sql(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _environment(args, smtp_port: int, db_name: str | None = None) -> dict[str, str]:
    var = Path(tempfile.gettempdir()) / f"bench-fanout-{os.getpid()}"
    env = {
        "DJANGO_SETTINGS_MODULE": "bcpweb.settings.base",
        "DATABASE_URL": f"{PG}/{db_name or DB_NAME}",
        "REDIS_URL": f"redis://127.0.0.1:6379/{args.redis_db}",
        "CELERY_BROKER_URL": f"redis://127.0.0.1:6379/{args.redis_db}",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "BCPWEB_VAR_DIR": str(var),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    # Unset, the portal's own batch size (alerts/conf.py) is what is measured.
    if getattr(args, "batch", None) is not None:
        env["ALERT_BATCH_SIZE"] = str(args.batch)
    if getattr(args, "smtp_connections", None) is not None:
        env["ALERT_SMTP_CONNECTIONS"] = str(args.smtp_connections)
    os.environ.update(env)
    return dict(os.environ)


def _populate(n_orgs: int, n_contacts: int):
    from organizations import services
    from organizations.models import Contact, Organization

    orgs = Organization.objects.bulk_create(
        Organization(
            code=f"BENCH-{i:04d}",
            name_ja=f"ベンチ証券{i}",
            name_en=f"Bench {i}",
            kind="securities_firm",
        )
        for i in range(n_orgs)
    )
    Contact.objects.bulk_create(
        Contact(
            organization=org,
            name=f"Contact {org.code}-{j}",
            order=1,
            email=f"c{j}@{org.code.lower()}.example.test",
            language="ja" if j % 2 else "en",
        )
        for org in orgs
        for j in range(n_contacts)
    )
    hq, _created = services.member_add(
        actor=services.system_actor(), username="bench-hq", role="hq_staff"
    )
    return hq, orgs


def _start_workers(env: dict[str, str], n: int) -> list[subprocess.Popen]:
    procs = []
    for i in range(n):
        procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "bcpweb",
                    "worker",
                    "--pool=solo",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "-I",
                    "bench._fanout_noop",
                    "-n",
                    f"bench{i}@%h",
                    "-l",
                    "WARNING",
                ],
                cwd=ROOT,
                env=env,
                start_new_session=True,
            )
        )
    return procs


def _cpu_seconds(db_name: str | None = None) -> dict[str, float]:
    """CPU time so far of this run's processes (Linux /proc), to see where a phase went."""
    found: dict[str, float] = Counter()
    if not Path("/proc/self/stat").exists():
        return found
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == os.getpid():
            name = "bench (sink, publisher)"
        elif "celery" in cmd and "bench._fanout_noop" in cmd:
            name = "workers"
        elif cmd.startswith("postgres: ") and (db_name or DB_NAME) in cmd:
            name = "postgres"
        elif cmd.startswith("redis-server"):
            name = "redis (shared)"
        else:
            continue
        found[name] += (int(fields[11]) + int(fields[12])) / tick
    return found


def _cpu_report(before: dict[str, float], db_name: str | None = None) -> str:
    after = _cpu_seconds(db_name)
    return ", ".join(f"{k} {after[k] - before.get(k, 0):.2f}" for k in sorted(after))


def _queue_drained(redis) -> bool:
    return redis.llen("celery") == 0 and redis.hlen("unacked") == 0


def _wait(predicate, timeout: float, interval: float = 0.002) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


def _noop_phase(app, redis, noop, count: int, db_name: str | None = None) -> float:
    cpu = _cpu_seconds(db_name)
    start = time.perf_counter()
    with app.producer_or_acquire() as producer:
        for _ in range(count):
            noop.apply_async(producer=producer)
    _wait(lambda: _queue_drained(redis), 600)
    noop_s = time.perf_counter() - start
    log(f"no-op tasks: {count} in {noop_s:.2f}s; CPU s: {_cpu_report(cpu, db_name)}")
    return noop_s


def _fanout_phase(sink: Sink, hq, orgs, deliveries: int, round_: int) -> dict:
    from alerts.models import Delivery
    from alerts.services import alert_send

    cpu = _cpu_seconds()
    received_before = sink.count()
    sink.reached.clear()
    sink.expected = received_before + deliveries
    start = time.perf_counter()
    alert = alert_send(
        actor=hq,
        subject_ja=f"【ベンチマーク】緊急連絡 {round_}",
        subject_en=f"Benchmark alert {round_}",
        body_ja="被害状況を報告してください。",
        body_en="Please report your status.",
        organizations=orgs,
    )
    returned = time.perf_counter()
    done = sink.reached.wait(600)
    fanout_s = time.perf_counter() - start
    stamps = sorted(sink.times[received_before:])
    first = (stamps[0] - returned) if stamps else float("nan")
    per_s = Counter(int(t - start) for t in stamps)
    log(
        f"alert_send {returned - start:.3f}s; first message {first:.3f}s after it returned;"
        " messages per second: " + " ".join(str(per_s[i]) for i in range(int(fanout_s) + 1))
    )
    log(
        f"fan-out: {sink.count() - received_before} messages in {fanout_s:.2f}s"
        + ("" if done else " (TIMEOUT)")
    )
    log(f"fan-out CPU s: {_cpu_report(cpu)}")
    time.sleep(2)  # a late duplicate would arrive now
    mine = set(Delivery.objects.filter(alert=alert).values_list("pk", flat=True))
    sent = Delivery.objects.filter(alert=alert, status="sent").count()
    ids = [i for i in sink.ids[received_before:]]
    counts = Counter(ids)
    return {
        "unique_received": len(counts),
        "duplicates": sum(n - 1 for n in counts.values()),
        "marked_sent": sent,
        "deliveries": len(mine),
        "fanout_s": fanout_s,
        "alert_send_s": returned - start,
        "first_message_s": max(0.0, first),
    }


def stop(workers: list[subprocess.Popen], sink: Sink, db_name: str) -> None:
    """End a run: the workers (TERM, then KILL), the sink, and the run's database."""
    for proc in workers:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in workers:
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    sink.controller.stop()
    try:
        from django.db import connections

        connections.close_all()
    except Exception:  # noqa: BLE001, S110 - django may not be set up yet
        pass
    _admin_sql(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


def add_smtp_connections_option(parser) -> None:
    """The workers' SMTP session pool, as every e-mail benchmark names it."""
    parser.add_argument(
        "--smtp-connections",
        type=int,
        default=None,
        help="ALERT_SMTP_CONNECTIONS for the workers (0: Django's backend, no session pool)",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="x the market: 500 orgs at 1")
    parser.add_argument("--orgs", type=int, default=None)
    parser.add_argument("--contacts", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=None, help="messages per task (conf's)")
    parser.add_argument("--runs", type=int, default=5, help="fan-out/no-op pairs in a row")
    parser.add_argument("--redis-db", type=int, default=8)
    add_smtp_connections_option(parser)
    args = parser.parse_args()
    args.orgs = args.orgs or int(500 * args.scale)
    deliveries = args.orgs * args.contacts

    sink = Sink()
    sink.controller.start()
    env = _environment(args, sink.port)
    sys.path.insert(0, str(ROOT))
    _admin_sql(f'DROP DATABASE IF EXISTS "{DB_NAME}"')
    _admin_sql(f'CREATE DATABASE "{DB_NAME}"')
    workers: list[subprocess.Popen] = []
    runs: list[dict] = []
    try:
        import django

        django.setup()
        import redis as redis_lib
        from django.core.management import call_command
        from django.db import connections

        from bcpweb.celery import app

        redis = redis_lib.Redis.from_url(env["CELERY_BROKER_URL"])
        redis.flushdb()
        call_command("migrate", verbosity=0)
        hq, orgs = _populate(args.orgs, args.contacts)
        log(f"{args.orgs} organizations x {args.contacts} contacts; {args.workers} workers")

        sys.path.insert(0, str(ROOT / "bench"))
        from bench._fanout_noop import noop

        connections.close_all()
        workers = _start_workers(env, args.workers)
        # Warm up: both workers connected and importing everything once.
        for _ in range(20 * args.workers):
            noop.delay()
        if not _wait(lambda: _queue_drained(redis), 120, 0.05):
            raise SystemExit("the workers did not start")
        time.sleep(0.5)
        for round_ in range(1, args.runs + 1):
            noop_s = _noop_phase(app, redis, noop, deliveries)
            run = _fanout_phase(sink, hq, orgs, deliveries, round_)
            run["noop_s"] = noop_s
            run["ratio"] = run["fanout_s"] / noop_s
            runs.append(run)
            log(
                f"run {round_}: "
                + json.dumps(
                    {k: round(v, 3) if isinstance(v, float) else v for k, v in run.items()}
                )
            )
    finally:
        stop(workers, sink, DB_NAME)
    last = runs[-1]
    result = {
        "scale": args.scale,
        "deliveries": deliveries,
        "runs": len(runs),
        "unique_received": last["unique_received"],
        "duplicates": sum(r["duplicates"] for r in runs),
        "marked_sent": last["marked_sent"],
        "fanout_s": round(last["fanout_s"], 3),
        "noop_s": round(last["noop_s"], 3),
        "ratio": round(last["ratio"], 3),
        "ratios": [round(r["ratio"], 3) for r in runs],
        "worst_ratio": round(max(r["ratio"] for r in runs), 3),
        "alert_send_s": round(max(r["alert_send_s"] for r in runs), 3),
        "first_message_s": round(max(r["first_message_s"] for r in runs), 3),
        "all_received_once": all(
            r["unique_received"] == deliveries and r["duplicates"] == 0 for r in runs
        ),
    }
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    asyncio.set_event_loop(asyncio.new_event_loop())
    main()
