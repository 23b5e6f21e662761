"""Alert fan-out benchmark (DESIGN §7): e-mail deliveries vs no-op Celery tasks, same run.

500 organizations x 10 contacts = 5,000 e-mail deliveries to an aiosmtpd sink on loopback,
sent by 2 Celery worker processes on the local Redis; then, through the same broker and
workers, as many no-op tasks. Goal: every message received exactly once and
fanout_s / noop_s <= 1.0. A dedicated PostgreSQL database is created and dropped, and a
Redis database of its own is used (and flushed). The fan-out's end is signalled by the sink
itself (an Event set at the last expected message) rather than polled, so that measuring
does not take the GIL from the sink's thread; the no-op phase ends when the broker's queue
is drained, as before. Extra lines show the CPU seconds of each process in each phase.

    python bench/fanout.py [--orgs 500] [--contacts 10] [--redis-db 8] [--smtp-connections N]

The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from email import message_from_bytes
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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
        self.ids.append(message_from_bytes(envelope.content)["Message-ID"])
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


def _environment(args, smtp_port: int) -> dict[str, str]:
    var = Path(tempfile.gettempdir()) / f"bench-fanout-{os.getpid()}"
    env = {
        "DJANGO_SETTINGS_MODULE": "bcpweb.settings.base",
        "DATABASE_URL": f"{PG}/{DB_NAME}",
        "REDIS_URL": f"redis://127.0.0.1:6379/{args.redis_db}",
        "CELERY_BROKER_URL": f"redis://127.0.0.1:6379/{args.redis_db}",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "BCPWEB_VAR_DIR": str(var),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
        "ALERT_BATCH_SIZE": str(args.batch),
    }
    if args.smtp_connections is not None:
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


def _cpu_seconds() -> dict[str, float]:
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
        elif cmd.startswith("postgres: ") and DB_NAME in cmd:
            name = "postgres"
        elif cmd.startswith("redis-server"):
            name = "redis (shared)"
        else:
            continue
        found[name] += (int(fields[11]) + int(fields[12])) / tick
    return found


def _cpu_report(before: dict[str, float]) -> str:
    after = _cpu_seconds()
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=500)
    parser.add_argument("--contacts", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--redis-db", type=int, default=8)
    parser.add_argument(
        "--smtp-connections",
        type=int,
        default=None,
        help="ALERT_SMTP_CONNECTIONS for the workers (0: Django's backend, no session pool)",
    )
    args = parser.parse_args()
    deliveries = args.orgs * args.contacts

    sink = Sink()
    sink.controller.start()
    env = _environment(args, sink.port)
    sys.path.insert(0, str(ROOT))
    _admin_sql(f'DROP DATABASE IF EXISTS "{DB_NAME}"')
    _admin_sql(f'CREATE DATABASE "{DB_NAME}"')
    workers: list[subprocess.Popen] = []
    try:
        import django

        django.setup()
        import redis as redis_lib
        from django.core.management import call_command
        from django.db import connections

        from alerts.models import Delivery
        from alerts.services import alert_send
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

        cpu = _cpu_seconds()
        start = time.perf_counter()
        with app.producer_or_acquire() as producer:
            for _ in range(deliveries):
                noop.apply_async(producer=producer)
        _wait(lambda: _queue_drained(redis), 600)
        noop_s = time.perf_counter() - start
        log(f"no-op tasks: {deliveries} in {noop_s:.2f}s; CPU s: {_cpu_report(cpu)}")
        cpu = _cpu_seconds()

        sink.expected = deliveries
        start = time.perf_counter()
        alert_send(
            actor=hq,
            subject_ja="【ベンチマーク】緊急連絡",
            subject_en="Benchmark alert",
            body_ja="被害状況を報告してください。",
            body_en="Please report your status.",
            organizations=orgs,
        )
        sent_at = time.perf_counter()
        done = sink.reached.wait(600)
        fanout_s = time.perf_counter() - start
        if sink.times:
            stamps = sorted(sink.times)
            per_s = Counter(int(t - start) for t in stamps)
            log(
                f"alert_send {sent_at - start:.2f}s; first message at {stamps[0] - start:.2f}s;"
                " messages per second: " + " ".join(str(per_s[i]) for i in range(int(fanout_s) + 1))
            )
        log(f"fan-out: {sink.count()} messages in {fanout_s:.2f}s" + ("" if done else " (TIMEOUT)"))
        log(f"fan-out CPU s: {_cpu_report(cpu)}")
        time.sleep(2)  # a late duplicate would arrive now
        sent = Delivery.objects.filter(status="sent").count()
        counts = Counter(sink.ids)
        result = {
            "deliveries": deliveries,
            "unique_received": len(counts),
            "duplicates": sum(n - 1 for n in counts.values()),
            "marked_sent": sent,
            "fanout_s": round(fanout_s, 3),
            "noop_s": round(noop_s, 3),
            "ratio": round(fanout_s / noop_s, 3),
        }
    finally:
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
        _admin_sql(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    asyncio.set_event_loop(asyncio.new_event_loop())
    main()
