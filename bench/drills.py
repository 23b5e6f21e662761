"""Drill results benchmark (DESIGN §7): the results API of a drill of 500 participants.

500 participants x 10 contacts, started through the drills services (the 【訓練】 alert and a
timed inject: 10,000 deliveries), then answered the way a morning leaves it recorded: every
delivery accepted but a few that bounced, nine firms in ten acknowledging (some late, by
contacts of every escalation step), eight in ten reporting every function, seven in ten
acknowledging the inject. ``GET /api/v1/drills/{id}/results/`` is called in-process through
Django's full request stack (middleware, token authentication, DRF) and timed server-side;
its SQL queries are counted, and counted again on a drill of 50 participants: they must not
change. Side by side in the same run: the drill's detail endpoint, as a floor.

    python bench/drills.py [--scale 1.0] [--calls 60]

``--scale`` multiplies both drills' sizes (0.1: 50 and 5 participants). Goal: p50_ms <= 50
and queries == queries_small. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "bench_drills_results"
PG = "postgres://postgres@127.0.0.1:5432"
CONTACTS = 10


def log(*args) -> None:
    print(*args, flush=True)


def _admin_sql(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _setup_django() -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bcpweb.settings.base",
            "DATABASE_URL": f"{PG}/{DB_NAME}",
            "REDIS_URL": "",
            "CELERY_TASK_ALWAYS_EAGER": "true",
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "ALLOWED_HOSTS": "testserver,127.0.0.1",
            # The bench reads as an HQ machine client: an approved token (docs/security.md).
            "API_TOKENS_FOR_TWO_FACTOR_ROLES": "true",
            "BCPWEB_VAR_DIR": str(Path(tempfile.gettempdir()) / f"bench-drills-{os.getpid()}"),
            "LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _market(n: int, prefix: str):
    """n securities firms with their default functions and 10 contacts in 4 orders each."""
    from organizations.models import (
        BusinessFunction,
        Contact,
        Organization,
        OrganizationFunction,
    )

    orgs = Organization.objects.bulk_create(
        Organization(
            code=f"{prefix}-{i:04d}",
            name_ja=f"ベンチ証券{prefix}{i}",
            name_en=f"Bench Securities {prefix}{i}",
            kind="securities_firm",
        )
        for i in range(n)
    )
    functions = [
        f for f in BusinessFunction.objects.all() if "securities_firm" in (f.default_kinds or [])
    ]
    OrganizationFunction.objects.bulk_create(
        OrganizationFunction(organization=o, function=f) for o in orgs for f in functions
    )
    Contact.objects.bulk_create(
        Contact(
            organization=o,
            name=f"担当{k}",
            email=f"c{k}@{o.code.lower()}.example.test",
            order=1 + k // 3,
        )
        for o in orgs
        for k in range(CONTACTS)
    )
    return orgs


def _drill(hq, orgs, *, title: str):
    """Plan and start through the services; then record what the morning would have left."""
    from django.db import transaction
    from django.utils import timezone

    from alerts.models import Acknowledgement, AlertTarget, Delivery, DeliveryStatus
    from drills import services
    from drills.board import participants_tally
    from drills.models import DrillStatusReport
    from organizations.models import OrganizationFunction

    rng = random.Random(len(orgs))
    start = timezone.now() - timedelta(hours=1)
    drill = services.drill_plan(
        actor=hq,
        title_ja=title,
        scenario_ja="震度6強",
        audience="organizations",
        organizations=[o.code for o in orgs],
        answer_minutes=30,
        announced=False,
        injects=[services.InjectInput(offset_minutes=0, title_ja="余震", body_ja="…")],
    )
    with transaction.atomic():
        drill = services.drill_start(actor=hq, drill=drill, now=start)
        alerts = [drill.alert_id, drill.injects.get().alert_id]
        # Recorded before the commit, so that nothing is actually sent.
        Delivery.objects.filter(alert_id__in=alerts, status=DeliveryStatus.QUEUED).update(
            status=DeliveryStatus.SENT, sent_at=start + timedelta(seconds=5), attempts=1
        )
        Delivery.objects.filter(alert_id__in=alerts, status=DeliveryStatus.HELD).update(
            status=DeliveryStatus.SENT, sent_at=start + timedelta(minutes=16), attempts=1
        )
        # One firm in 37: every address bounced (unreachable, with its contacts to fix).
        bounced = list(
            AlertTarget.objects.filter(alert_id=drill.alert_id)
            .order_by("pk")
            .values_list("pk", flat=True)
        )[::37]
        Delivery.objects.filter(target_id__in=bounced).update(
            status=DeliveryStatus.FAILED, last_error="550 mailbox unavailable", sent_at=None
        )
    targets = list(
        AlertTarget.objects.filter(alert_id__in=alerts).select_related("alert").order_by("pk")
    )
    for i, t in enumerate(targets):
        if t.pk in bounced:
            continue
        if t.alert_id != drill.alert_id and i % 10 < 7:
            seconds = rng.randint(60, 1500)
        elif t.alert_id == drill.alert_id and i % 10 < 9:
            seconds = int(rng.lognormvariate(4.9, 0.9))
        else:
            continue
        t.acknowledged_at = t.answered_at = start + timedelta(seconds=seconds)
        t.answer, t.answered_by, t.late = "confirmed", "担当0", seconds > 1800
        t.escalate_at = None
    answered = [t for t in targets if t.acknowledged_at]
    AlertTarget.objects.bulk_update(
        answered,
        ["acknowledged_at", "answered_at", "answer", "answered_by", "late", "escalate_at"],
        batch_size=1000,
    )
    acks = []
    for t in answered:
        contact = t.tree.contacts[(t.pk * 7) % len(t.tree.contacts)]
        acks.append(
            Acknowledgement(
                target=t,
                answer="confirmed",
                contact_key=contact.id,
                answered_by=contact.name,
                via="link",
                late=t.late,
            )
        )
    Acknowledgement.objects.bulk_create(acks, batch_size=1000)
    functions = {}
    for org_id, function_id in OrganizationFunction.objects.filter(
        organization__in=orgs
    ).values_list("organization_id", "function_id"):
        functions.setdefault(org_id, []).append(function_id)
    reports = []
    for i, org in enumerate(orgs):
        if i % 10 >= 8:
            continue
        first = start + timedelta(seconds=int(rng.lognormvariate(6.2, 0.6)))
        for k, function_id in enumerate(functions.get(org.pk, [])):
            for again in range(2 if k == 0 else 1):
                reports.append(
                    DrillStatusReport(
                        drill=drill,
                        organization=org,
                        function_id=function_id,
                        status="normal" if again else "degraded",
                        reported_at=first + timedelta(minutes=3 * k + 10 * again),
                        reported_by=hq,
                        source="api",
                    )
                )
    DrillStatusReport.objects.bulk_create(reports, batch_size=2000)
    participants_tally(drill=drill)
    return drill, len(targets), len(reports)


CPU: list[float] = []  # this process's CPU time of the last measured calls (ms)


def _measure(url: str, token: str, calls: int) -> tuple[list[float], int, dict]:
    from django.db import connection
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.get(url)  # warm up: connection, content types, templates
    assert response.status_code == 200, response.content[:500]
    executed: list[str] = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    # An execute wrapper, not the debug query log: each request start resets that log.
    with connection.execute_wrapper(count):
        body = client.get(url).json()
    times = []
    CPU.clear()
    for _ in range(calls):
        t0, c0 = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        CPU.append((time.process_time() - c0) * 1000)
        assert response.status_code == 200
    return times, len(executed), body


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--calls", type=int, default=60)
    args = parser.parse_args()
    big_n = max(2, round(500 * args.scale))
    small_n = max(1, round(50 * args.scale))

    _admin_sql(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    _admin_sql(f'CREATE DATABASE "{DB_NAME}"')
    try:
        _setup_django()
        from django.core.management import call_command
        from django.db import connection
        from rest_framework.authtoken.models import Token

        from drills import services
        from organizations import services as org_services
        from organizations import two_factor

        t0 = time.perf_counter()
        call_command("migrate", "--noinput", verbosity=0)
        system = org_services.system_actor()
        hq, _ = org_services.member_add(actor=system, username="bench-hq", role="hq_staff")
        token = Token.objects.create(user=hq).key
        admin, _ = org_services.member_add(actor=system, username="bench-admin", role="jsda_admin")
        two_factor.api_token_exempt(actor=admin, user=hq, reason="drills benchmark")
        big, big_targets, big_reports = _drill(hq, _market(big_n, "BIG"), title="ベンチ大")
        small, _small_targets, _r = _drill(hq, _market(small_n, "SML"), title="ベンチ小")
        log(
            f"loaded in {time.perf_counter() - t0:.1f}s: {big_n} participants x {CONTACTS} "
            f"contacts, {big_targets} alert targets, {big_reports} drill reports"
        )
        url = f"/api/v1/drills/{big.pk}/results/"
        times, queries, body = _measure(url, token, args.calls)
        p50, p95 = statistics.median(times), _pct(times, 95)
        cpu = statistics.median(CPU)
        log(
            f"{big_n} participants (running, live figures): p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
            f"{cpu:.1f} ms CPU here, {queries} queries; acknowledged {body['acknowledged']}, "
            f"reported {body['reported']}, p50 to ack {body['time_to_ack_s']['p50']} s"
        )
        detail, _dq, _b = _measure(f"/api/v1/drills/{big.pk}/", token, args.calls)
        small_times, small_queries, _sb = _measure(
            f"/api/v1/drills/{small.pk}/results/", token, args.calls
        )
        log(
            f"{small_n} participants: p50 {statistics.median(small_times):.1f} ms, "
            f"{small_queries} queries; drill detail p50 {statistics.median(detail):.1f} ms"
        )
        services.drill_close(actor=hq, drill=big)
        closed, closed_queries, _cb = _measure(url, token, args.calls)
        log(f"closed (frozen figures): p50 {statistics.median(closed):.1f} ms, {closed_queries} q")
        connection.close()
    finally:
        _admin_sql(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    result = {
        "participants": big_n,
        "contacts_per_participant": CONTACTS,
        "p50_ms": round(p50, 1),
        "p95_ms": round(p95, 1),
        # The machine may be shared: the portal process's own CPU time per call, beside it.
        "p50_cpu_ms": round(cpu, 1),
        "queries": queries,
        "participants_small": small_n,
        "queries_small": small_queries,
        "p50_ms_small": round(statistics.median(small_times), 1),
        "p50_ms_closed": round(statistics.median(closed), 1),
        "p50_ratio_to_detail": round(p50 / statistics.median(detail), 2),
        "constant_queries": queries == small_queries,
        "goal_met": p50 <= 50 and queries == small_queries,
    }
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
