"""Subscribers benchmark (DESIGN §7): one public change, a digest to every subscriber.

20,000 confirmed subscribers (at --scale 1) follow the public board: half with the empty
choice (everything public), half the changed organization by name, in Japanese and English.
One public status change is reported; the time measured runs from that report to the last
digest accepted by an aiosmtpd sink on loopback, sent by 2 Celery worker processes on the
local Redis. Before it, through the same broker and workers, as many no-op tasks (the
baseline). Goal: every subscriber receives the digest exactly once (one message per
Message-ID and per address, each with its own List-Unsubscribe headers) in at most 1.0x
the no-op time.

The coalescing window (SUBSCRIPTION_DIGEST_WINDOW_SECONDS, 30 s in production) is set to
``--window`` (0 by default) so that the figure is the pipeline's own time, not the wait a
setting asks for; the digest is built by the task that the change schedules on commit (no
beat runs here). A dedicated PostgreSQL database is created and dropped, and a Redis
database of its own is used (and flushed).

    python bench/subscribers.py [--scale 1] [--workers 2] [--window 0]

The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.fanout import (  # noqa: E402 - the repository root must be on the path first
    Sink,
    _admin_sql,
    _cpu_report,
    _cpu_seconds,
    _noop_phase,
    _queue_drained,
    _start_workers,
    _wait,
    add_smtp_connections_option,
    log,
    stop,
)
from bench.fanout import _environment as _fanout_environment  # noqa: E402

DB_NAME = "bench_subscribers"
_UNSUBSCRIBE = re.compile(rb"(?im)^List-Unsubscribe:\s*<(https://[^>]+/unsubscribe/[^>]+)>")


class SubscriberSink(Sink):
    """The fan-out's sink, also counting addresses and one-click unsubscribe headers."""

    def __init__(self):
        super().__init__()
        self.addresses: list[str] = []
        self.unsubscribe_urls: set[bytes] = set()

    async def handle_DATA(self, server, session, envelope):
        self.addresses.extend(envelope.rcpt_tos)
        # Unfolded, as a mail client reads it: a long URL is folded onto a line of its own.
        header = envelope.content.split(b"\r\n\r\n", 1)[0].replace(b"\r\n ", b" ")
        found = _UNSUBSCRIBE.search(header)
        if found and b"\nList-Unsubscribe-Post: List-Unsubscribe=One-Click" in header:
            self.unsubscribe_urls.add(found.group(1))
        return await super().handle_DATA(server, session, envelope)


def _environment(args, smtp_port: int) -> dict[str, str]:
    env = {
        **_fanout_environment(args, smtp_port, DB_NAME),
        "SITE_URL": "https://bcp.example.test",
        "SUBSCRIPTION_DIGEST_WINDOW_SECONDS": str(args.window),
    }
    os.environ.update(env)
    return env


def _populate(n: int):
    """A public exchange, its reporter, and n confirmed subscribers (COPY, a few seconds)."""
    from django.utils import timezone

    from common.bulk import insert_rows
    from organizations import services
    from organizations.models import Organization
    from subscriptions.models import Subscriber, new_key

    exchange = Organization(
        code="BENCH-EX", kind="exchange", is_public=True, name_ja="ベンチ取引所", name_en="Bench"
    )
    services.organization_save(
        actor=services.system_actor(), organization=exchange, with_default_functions=True
    )
    reporter, _created = services.member_add(
        actor=services.system_actor(),
        username="bench-reporter",
        role="reporter",
        organization_code=exchange.code,
    )
    confirmed = timezone.now() - timedelta(days=1)
    insert_rows(
        Subscriber,
        [
            {
                "email": f"investor{i:06d}@example.test",
                "language": "en" if i % 2 else "ja",
                "categories": [],
                "manage_key": new_key(),
                "confirm_key": "",
                "confirmed_at": confirmed,
                "created_at": confirmed,
            }
            for i in range(n)
        ],
    )
    through = Subscriber.organizations.through
    followers = Subscriber.objects.order_by("pk").values_list("pk", flat=True)[: n // 2]
    insert_rows(
        through, [{"subscriber_id": pk, "organization_id": exchange.pk} for pk in followers]
    )
    return exchange, reporter


def _change(exchange, reporter) -> None:
    from status_board import services as board

    function = exchange.organization_functions.first().function.code
    board.status_report_create(
        actor=reporter,
        organization=exchange,
        entry=board.ReportInput(function=function, status="degraded"),
    )
    from subscriptions.models import PublicChange

    if not PublicChange.objects.exists():
        raise SystemExit("the status report made no public change: nothing to digest")


def _await_digests(sink: SubscriberSink, expected: int, timeout: float) -> bool:
    """Wait for the last digest; say where the pipeline stands every 10 s, never hang.

    Ends early, False, when the digest was built for fewer subscribers than expected (their
    choices do not include the change): waiting for the sink would never end then.
    """
    from django.db.models import Count

    from alerts.models import Delivery
    from subscriptions.models import Digest, PublicChange

    started = time.monotonic()
    said = started
    while not sink.reached.wait(1.0):  # one query a second: nothing taken from the sink
        digest = Digest.objects.order_by("pk").last()
        if digest is not None and digest.recipients < expected:
            log(f"the digest was built for {digest.recipients} subscribers, not {expected}")
            return False
        now = time.monotonic()
        if now - started > timeout:
            return False
        if now - said >= 10:
            said = now
            outbox = dict(
                Delivery.objects.filter(alert__source_kind="subscription_digest")
                .values_list("status")
                .annotate(n=Count("pk"))
            )
            log(
                f"waiting {now - started:.0f}s: {sink.count()} digests received; changes not"
                f" in a digest {PublicChange.objects.filter(digest__isnull=True).count()};"
                f" digest {'built' if digest else 'not built'}; outbox {outbox}"
            )
    return True


def _digest_phase(sink: SubscriberSink, exchange, reporter, expected: int, timeout: float):
    from subscriptions.models import Digest

    cpu = _cpu_seconds(DB_NAME)
    sink.reached.clear()
    sink.expected = expected
    start = time.perf_counter()
    _change(exchange, reporter)
    reported = time.perf_counter()
    done = _await_digests(sink, expected, timeout)
    seconds = time.perf_counter() - start
    stamps = sorted(sink.times)
    first = stamps[0] - start if stamps else float("nan")
    log(
        f"change reported in {reported - start:.3f}s; first digest {first:.2f}s after the"
        f" change; {sink.count()} digests in {seconds:.2f}s" + ("" if done else " (TIMEOUT)")
    )
    log(f"digest CPU s: {_cpu_report(cpu, DB_NAME)}")
    time.sleep(2)  # a late duplicate would arrive now
    digest = Digest.objects.order_by("pk").last()
    return {
        "seconds": seconds,
        "first_digest_s": first,
        "timed_out": not done,
        "digest_recipients": digest.recipients if digest else 0,
    }


def _results(args, sink: SubscriberSink, n: int, noop_s: float, run: dict) -> dict:
    from alerts.models import Delivery, DeliveryStatus

    by_id = Counter(sink.ids)
    by_address = Counter(sink.addresses)
    sent = Delivery.objects.filter(
        alert__source_kind="subscription_digest", status=DeliveryStatus.SENT
    ).count()
    duplicates = max(sum(c - 1 for c in by_id.values()), sum(c - 1 for c in by_address.values()))
    return {
        "scale": args.scale,
        "subscribers": n,
        "workers": args.workers,
        "window_s": args.window,
        "smtp_connections": args.smtp_connections,
        "digest_recipients": run["digest_recipients"],
        "delivered": len(by_address),
        "duplicates": duplicates,
        "marked_sent": sent,
        # Distinct one-click URLs: each subscriber's own link, in its own message.
        "personal_unsubscribe_links": len(sink.unsubscribe_urls),
        "seconds": round(run["seconds"], 3),
        "first_digest_s": round(run["first_digest_s"], 3),
        "noop_seconds": round(noop_s, 3),
        "ratio": round(run["seconds"] / noop_s, 3),
        "all_delivered_once": (
            not run["timed_out"]
            and len(by_address) == n
            and duplicates == 0
            and len(sink.unsubscribe_urls) == n
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="x 20,000 subscribers")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--window", type=float, default=0.0, help="digest window, seconds")
    parser.add_argument("--timeout", type=float, default=300.0, help="for the digests")
    parser.add_argument("--redis-db", type=int, default=11)
    add_smtp_connections_option(parser)
    args = parser.parse_args()
    n = max(1, int(20_000 * args.scale))

    sink = SubscriberSink()
    sink.controller.start()
    env = _environment(args, sink.port)
    _admin_sql(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    _admin_sql(f'CREATE DATABASE "{DB_NAME}"')
    workers: list[subprocess.Popen] = []
    try:
        import django

        django.setup()
        import redis as redis_lib
        from django.core.management import call_command
        from django.db import connections

        from bcpweb.celery import app
        from bench._fanout_noop import noop

        redis = redis_lib.Redis.from_url(env["CELERY_BROKER_URL"])
        redis.flushdb()
        call_command("migrate", verbosity=0)
        t0 = time.perf_counter()
        exchange, reporter = _populate(n)
        log(f"{n} confirmed subscribers in {time.perf_counter() - t0:.2f}s; {args.workers} workers")
        connections.close_all()
        workers = _start_workers(env, args.workers)
        for _ in range(20 * args.workers):  # warm up: both workers connected
            noop.delay()
        if not _wait(lambda: _queue_drained(redis), 120, 0.05):
            raise SystemExit("the workers did not start")
        time.sleep(0.5)
        noop_s = _noop_phase(app, redis, noop, n, DB_NAME)
        run = _digest_phase(sink, exchange, reporter, n, args.timeout)
        result = _results(args, sink, n, noop_s, run)
    finally:
        stop(workers, sink, DB_NAME)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    asyncio.set_event_loop(asyncio.new_event_loop())
    main()
