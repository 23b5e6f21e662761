"""Earthquake feed benchmark: from ``quake_ingest`` of a 6- telegram to the first alert e-mail.

500 organizations with their head office in Tokyo's 23 wards (and a backup site in Osaka for
one in five), two e-mail contacts each; JSDA and the FSA hear for the HQ and the regulators.
Two Celery worker processes on the local Redis send to an aiosmtpd sink on loopback. Side by
side in the same run, the reference: a plain ``alert_send`` to the same HQ organizations,
timed to its first accepted message. Then ``quake_ingest`` of the VXSE51 震度６弱 telegram
(in-process, as the beat task runs it): time to the HQ's first e-mail, to the first request
to report, and to the last of them (every affected organization's contacts, once each).
A dedicated PostgreSQL database is created and dropped; a Redis database of its own is used
(and flushed).

    python bench/quake.py [--orgs 500] [--contacts 2] [--redis-db N] [--smtp-connections N]

The last line printed is one JSON object; ``ratio`` is the quake's first e-mail over the
reference's, measured the same way on the same workers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from collections import Counter
from email import message_from_bytes
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import fanout  # noqa: E402 - the sink, the workers and the helpers of the fan-out bench

DB_NAME = "bench_quake_feed"
fanout.DB_NAME = DB_NAME  # its helpers create, name and drop this database


class AlertSink(fanout.Sink):
    """Also keeps which alert each accepted message belongs to, and when it came."""

    def __init__(self):
        super().__init__()
        self.by_alert: list[tuple[float, int]] = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content)
        self.by_alert.append((time.perf_counter(), int(message["X-BCPWEB-Alert"] or 0)))
        return await super().handle_DATA(server, session, envelope)


def _populate(n_orgs: int, n_contacts: int):
    from organizations import services
    from organizations.models import Contact, Organization, OrganizationSite

    hq_orgs = [
        Organization.objects.create(code="JSDA", name_ja="日本証券業協会", kind="jsda"),
        Organization.objects.create(code="FSA", name_ja="金融庁", kind="regulator"),
    ]
    orgs = Organization.objects.bulk_create(
        Organization(
            code=f"QUAKE-{i:04d}",
            name_ja=f"ベンチ証券{i}",
            name_en=f"Bench {i}",
            kind="securities_firm",
        )
        for i in range(n_orgs)
    )
    OrganizationSite.objects.bulk_create(
        [OrganizationSite(organization=o, kind="head_office", area_id="350") for o in orgs]
        + [OrganizationSite(organization=o, kind="backup_site", area_id="520") for o in orgs[::5]]
    )
    Contact.objects.bulk_create(
        Contact(
            organization=org,
            name=f"Contact {org.code}-{j}",
            order=1,
            email=f"c{j}@{org.code.lower()}.example.test",
            language="ja" if j % 2 else "en",
        )
        for org in [*hq_orgs, *orgs]
        for j in range(n_contacts)
    )
    hq, _ = services.member_add(actor=services.system_actor(), username="bench-hq", role="hq_staff")
    return hq, hq_orgs


def _first_after(sink: AlertSink, start: float, alert_ids: set[int]) -> float | None:
    times = [t for t, a in sink.by_alert if a in alert_ids and t >= start]
    return round(min(times) - start, 3) if times else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=500)
    parser.add_argument("--contacts", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=100)
    # Flushed: by default the Redis database of this worktree's REDIS_URL, else 9.
    own = os.environ.get("REDIS_URL", "").rsplit("/", 1)[-1]
    parser.add_argument("--redis-db", type=int, default=int(own) if own.isdigit() else 9)
    fanout.add_smtp_connections_option(parser)
    args = parser.parse_args()

    sink = AlertSink()
    sink.controller.start()
    env = fanout._environment(args, sink.port)
    fanout._admin_sql(f'DROP DATABASE IF EXISTS "{DB_NAME}"')
    fanout._admin_sql(f'CREATE DATABASE "{DB_NAME}"')
    workers: list[subprocess.Popen] = []
    result: dict = {}
    try:
        import django

        django.setup()
        import redis as redis_lib
        from django.core.management import call_command
        from django.db import connections

        from alerts.models import Delivery
        from alerts.services import alert_send
        from emergency_hq.models import QuakeTelegram, ReportRequest
        from emergency_hq.quake import demo

        redis = redis_lib.Redis.from_url(env["CELERY_BROKER_URL"])
        redis.flushdb()
        call_command("migrate", verbosity=0)
        hq, hq_orgs = _populate(args.orgs, args.contacts)
        fanout.log(f"{args.orgs} organizations x {args.contacts} contacts; {args.workers} workers")

        from bench._fanout_noop import noop

        connections.close_all()
        workers = fanout._start_workers(env, args.workers)
        for _ in range(20 * args.workers):
            noop.delay()
        if not fanout._wait(lambda: fanout._queue_drained(redis), 120, 0.05):
            raise SystemExit("the workers did not start")
        time.sleep(0.5)

        # The reference: a plain alert to the HQ's organizations, on the same workers.
        start = time.perf_counter()
        reference = alert_send(
            actor=hq,
            subject_ja="【ベンチマーク】本部への連絡",
            subject_en="Benchmark: to the HQ",
            body_ja="基準の計測です。",
            body_en="Reference measurement.",
            organizations=hq_orgs,
        )
        fanout._wait(lambda: _first_after(sink, start, {reference.pk}) is not None, 60)
        reference_s = _first_after(sink, start, {reference.pk})
        fanout._wait(lambda: fanout._queue_drained(redis), 60)
        time.sleep(0.5)

        # As in the beat worker after its first (quiet) poll: the URLconf is loaded.
        from emergency_hq.quake.tasks import warm_up

        warm_up()
        start = time.perf_counter()
        out = StringIO()
        call_command("quake_ingest", str(demo.SAMPLES / "vxse51_tokyo_6lower.xml"), stdout=out)
        returned_s = time.perf_counter() - start
        fanout.log(out.getvalue().strip().splitlines()[-1])
        record = QuakeTelegram.objects.get()
        hq_alert = {record.hq_alert_id}

        def requests_written() -> bool:
            return not ReportRequest.objects.filter(sent_round=0).exists()

        fanout._wait(requests_written, 600, 0.05)
        request_alerts = set(ReportRequest.objects.values_list("alert_id", flat=True))
        expected = Delivery.objects.filter(
            alert_id__in=request_alerts | hq_alert, channel="email", step=1
        ).count()
        fanout._wait(lambda: sum(1 for t, a in sink.by_alert if t >= start) >= expected, 600, 0.02)
        stamps = sorted(t for t, a in sink.by_alert if t >= start)
        time.sleep(2)  # a late duplicate would arrive now
        received = Counter(
            message_id
            for message_id, (t, a) in zip(sink.ids, sink.by_alert, strict=True)
            if t >= start
        )
        first_s = round(stamps[0] - start, 3) if stamps else None
        result = {
            "organizations": args.orgs,
            "contacts_per_org": args.contacts,
            "ingest_returned_s": round(returned_s, 3),
            "first_email_s": first_s,
            "first_hq_email_s": _first_after(sink, start, hq_alert),
            "first_report_request_email_s": _first_after(sink, start, request_alerts),
            "all_emails_s": round(stamps[-1] - start, 3) if stamps else None,
            "emails_expected": expected,
            "emails_received": len(received),
            "duplicates": sum(n - 1 for n in received.values()),
            "report_requests": len(request_alerts),
            "reference_first_email_s": reference_s,
            "ratio": round(first_s / reference_s, 3) if first_s and reference_s else None,
        }
    finally:
        fanout.stop(workers, sink, DB_NAME)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    asyncio.set_event_loop(asyncio.new_event_loop())
    main()
