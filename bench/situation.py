"""Situation dashboard benchmark (DESIGN §7): the situation API on a large market.

500 organizations x 8 functions with 1,000,000 status-report history rows, bulk-loaded with
one ``INSERT ... SELECT FROM generate_series`` into a PostgreSQL database this script creates
and drops (the history's indexes and foreign keys are built after the load, once; the
database is migrated once and copied from a template for the second size). The situation
API (``GET /api/v1/incidents/{id}/situation/``) is called in-process through Django's full
request stack (middleware, token authentication, DRF) and timed server-side; its SQL queries
are counted. Then all but 50 organizations are deactivated and the count is taken again: it
must not change (the situation reads the current-status table, never the history).

    python bench/situation.py [--scale 1] [--history 1000000] [--calls 60] [--no-10x] [--profile]

Then the same at ten times the organizations (same history size), for how the cost grows.
Goal (DESIGN §7): p50_ms <= 25, the same number of queries at every size, and p50_ms_10x at
most ten times p50_ms (growth at most linear). The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "bench_situation_hq"
TEMPLATE_NAME = f"{DB_NAME}_migrated"
PG = "postgres://postgres@127.0.0.1:5432"
FUNCTIONS = [
    "order_acceptance",
    "trading",
    "market_data",
    "clearing",
    "book_entry",
    "settlement",
    "custody",
    "online_trading",
]


def log(*args) -> None:
    print(*args, flush=True)


def _admin_sql(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _database_exists(name: str) -> bool:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    return found is not None


def _setup_django() -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bcpweb.settings.base",
            "DATABASE_URL": f"{PG}/{DB_NAME}",
            "REDIS_URL": "",
            "CELERY_TASK_ALWAYS_EAGER": "true",
            "ALLOWED_HOSTS": "testserver,127.0.0.1",
            # The bench reads as an HQ machine client: an approved token (docs/security.md).
            "API_TOKENS_FOR_TWO_FACTOR_ROLES": "true",
            "BCPWEB_VAR_DIR": str(Path(tempfile.gettempdir()) / f"bench-situation-{os.getpid()}"),
            "LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# The tables the history load writes: their indexes and foreign keys are dropped for the
# load and built again after it, once each, rather than row by row.
HISTORY_TABLES = ("status_board_statusreport", "status_board_currentstatus")


@contextmanager
def _without_indexes(cursor, tables):
    """Drop the secondary indexes and foreign keys of ``tables`` inside one transaction and
    create the very same again (definitions read from the catalogue) when the block ends."""
    from django.db import transaction

    with transaction.atomic():
        cursor.execute(
            """
            SELECT format('ALTER TABLE %%s DROP CONSTRAINT %%I', conrelid::regclass, conname),
                   format('ALTER TABLE %%s ADD CONSTRAINT %%I %%s', conrelid::regclass, conname,
                          pg_get_constraintdef(oid))
            FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)
            """,
            [list(tables)],
        )
        foreign_keys = cursor.fetchall()
        cursor.execute(
            """
            SELECT 'DROP INDEX ' || i.indexrelid::regclass, pg_get_indexdef(i.indexrelid)
            FROM pg_index i
            WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            """,
            [list(tables)],
        )
        indexes = cursor.fetchall()
        for drop, _ in foreign_keys + indexes:
            cursor.execute(drop)
        yield
        for _, create in indexes + foreign_keys:
            cursor.execute(create)


def _load(n_orgs: int, n_history: int):
    """Organizations, functions and weights with the ORM; the history with one INSERT."""
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from emergency_hq.incidents import services as incident_services
    from organizations import services, two_factor
    from organizations.models import (
        BusinessFunction,
        Organization,
        OrganizationFunction,
        SegmentParticipation,
    )

    system = services.system_actor()
    kinds = {0: ("TSE", "exchange"), 1: ("JSCC", "clearing"), 2: ("JASDEC", "depository")}
    orgs = Organization.objects.bulk_create(
        Organization(
            code=kinds.get(i, (f"FIRM-{i:04d}",))[0],
            name_ja=f"ベンチ証券{i}",
            name_en=f"Bench Securities {i}",
            kind=kinds.get(i, (None, "securities_firm"))[1],
            is_public=i < 3,
        )
        for i in range(n_orgs)
    )
    functions = list(BusinessFunction.objects.filter(code__in=FUNCTIONS))
    OrganizationFunction.objects.bulk_create(
        OrganizationFunction(organization=o, function=f) for o in orgs for f in functions
    )
    firms = orgs[3:]
    share = 100 / max(len(firms), 1)
    SegmentParticipation.objects.bulk_create(
        [
            SegmentParticipation(organization=o, segment=s)
            for o in orgs[:3]
            for s in ("exchange", "bond", "otc")
        ]
        + [
            SegmentParticipation(
                organization=o,
                segment=s,
                weight=round(share, 4),
                retail_weight=round(share, 4) if i % 3 else None,
            )
            for i, o in enumerate(firms)
            for s in (("exchange", "bond") if i % 2 else ("exchange", "otc"))
        ]
    )
    hq, _ = services.member_add(actor=system, username="bench-hq", role="hq_staff")
    token = Token.objects.create(user=hq)
    admin, _ = services.member_add(actor=system, username="bench-admin", role="jsda_admin")
    two_factor.api_token_exempt(actor=admin, user=hq, reason="situation benchmark")
    incident = incident_services.incident_open(
        actor=hq,
        title="ベンチマーク地震",
        kind="earthquake",
        severity=4,
        started_at=timezone.now() - timedelta(hours=2),
    )
    pairs = len(orgs) * len(functions)
    started = time.perf_counter()
    with connection.cursor() as c, _without_indexes(c, HISTORY_TABLES):
        c.execute("SET LOCAL maintenance_work_mem = '256MB'")
        # Row n (id n + 1) belongs to pair n mod pairs; times go back from now in steps of
        # 10 minutes per round. In the newest round three organizations in four reported
        # after the incident began (2 hours ago) and the fourth before it, so it counts as
        # not reported. A pair's newest report is so its row of largest n: the last `pairs`.
        c.execute(
            """
            WITH bench_pairs AS MATERIALIZED (
                SELECT (row_number() OVER (ORDER BY organization_id, function_id) - 1)::int AS k,
                       organization_id, function_id
                FROM organizations_organizationfunction
            )
            INSERT INTO status_board_statusreport
                (id, organization_id, function_id, status, message, message_en,
                 expected_recovery_at, reported_at, reported_by_id, source)
            SELECT n + 1, p.organization_id, p.function_id,
                   (ARRAY['normal', 'backup_site', 'degraded', 'suspended', 'closed'])
                       [1 + (n::bigint * 7919) %% 5],
                   '', '', NULL,
                   now() - make_interval(secs => ((%(history)s - 1 - n) / %(pairs)s) * 600
                                                 + (p.organization_id %% 4) * 3000),
                   %(user)s, 'api'
            FROM generate_series(0, %(history)s - 1) AS n
            JOIN bench_pairs p ON p.k = n %% %(pairs)s
            """,
            {"history": n_history, "pairs": pairs, "user": system.pk},
        )
        c.execute(
            "SELECT setval(pg_get_serial_sequence('status_board_statusreport', 'id'), %s)",
            [max(n_history, 1)],
        )
        c.execute(
            """
            INSERT INTO status_board_currentstatus
                (organization_id, function_id, report_id, status, message, message_en,
                 expected_recovery_at, reported_at, impaired_since)
            SELECT r.organization_id, r.function_id, r.id, r.status, '', '', NULL,
                   r.reported_at,
                   CASE WHEN r.status = 'normal' THEN NULL ELSE r.reported_at END
            FROM status_board_statusreport r
            WHERE r.id > %s
            """,
            [n_history - pairs],
        )
        log(f"inserted the history in {time.perf_counter() - started:.1f}s")
    c = connection.cursor()
    c.execute("ANALYZE")
    c.execute("SELECT count(*) FROM status_board_statusreport")
    rows = c.fetchone()[0]
    log(f"loaded {rows:,} history rows in {time.perf_counter() - started:.1f}s")
    return incident, token.key, rows


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
    for _ in range(calls):
        t0 = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
    return times, len(executed), body


def _profile(url: str, token: str) -> None:
    import cProfile
    import pstats

    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(10):
        client.get(url)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(30)


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def _run(args, n_orgs: int, *, small: int | None) -> dict:
    """One market of ``n_orgs`` in a database of its own: the figures of one size."""
    from django.db import connection

    _fresh_database()
    try:
        incident, token, rows = _load(n_orgs, args.history)
        url = f"/api/v1/incidents/{incident.pk}/situation/"

        times, queries, body = _measure(url, token, args.calls)
        if args.profile:
            _profile(url, token)
        p50, p95 = statistics.median(times), _pct(times, 95)
        log(
            f"{n_orgs} organizations: p50 {p50:.1f} ms, p95 {p95:.1f} ms, {queries} queries; "
            f"reported {body['reported']}, not reported {body['not_reported']}, "
            f"criteria met {sum(c['met'] for c in body['criteria'])}/{len(body['criteria'])}"
        )
        result = {
            "orgs": n_orgs,
            "history_rows": rows,
            "p50_ms": p50,
            "p95_ms": p95,
            "queries": queries,
        }
        if small:
            with connection.cursor() as c:
                c.execute(
                    "UPDATE organizations_organization SET active = false WHERE id NOT IN "
                    "(SELECT id FROM organizations_organization ORDER BY id LIMIT %s)",
                    [small],
                )
            small_times, small_queries, small_body = _measure(url, token, args.calls)
            on_board = small_body["reported"] + small_body["not_reported"]
            log(
                f"{small} organizations: p50 {statistics.median(small_times):.1f} ms, "
                f"{small_queries} queries ({on_board} organizations on the board)"
            )
            result.update(queries_small=small_queries, p50_ms_small=statistics.median(small_times))
        connection.close()
        return result
    finally:
        connection.close()
        _admin_sql(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


def _fresh_database() -> None:
    """An empty migrated database: migrated once, then copied from a template of it, so the
    run at ten times the organizations does not migrate again."""
    from django.core.management import call_command
    from django.db import connection

    _admin_sql(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    if _database_exists(TEMPLATE_NAME):
        _admin_sql(f'CREATE DATABASE "{DB_NAME}" TEMPLATE "{TEMPLATE_NAME}"')
        return
    _admin_sql(f'CREATE DATABASE "{DB_NAME}"')
    t0 = time.perf_counter()
    call_command("migrate", "--noinput", verbosity=0)
    connection.close()
    _admin_sql(f'CREATE DATABASE "{TEMPLATE_NAME}" TEMPLATE "{DB_NAME}"')
    log(f"migrated in {time.perf_counter() - t0:.1f}s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="x the market: 500 orgs at 1")
    parser.add_argument("--orgs", type=int, default=None)
    parser.add_argument("--history", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=60)
    parser.add_argument("--small", type=int, default=50)
    parser.add_argument("--no-10x", action="store_true", help="skip the run at ten times the orgs")
    parser.add_argument("--profile", action="store_true", help="print where one call's time goes")
    args = parser.parse_args()
    n_orgs = args.orgs or int(500 * args.scale)
    _setup_django()
    # A template left by an interrupted run may predate the current migrations.
    _admin_sql(f'DROP DATABASE IF EXISTS "{TEMPLATE_NAME}" WITH (FORCE)')
    try:
        base = _run(args, n_orgs, small=args.small)
        ten = None if args.no_10x else _run(args, n_orgs * 10, small=None)
    finally:
        _admin_sql(f'DROP DATABASE IF EXISTS "{TEMPLATE_NAME}" WITH (FORCE)')
    result = {
        "orgs": n_orgs,
        "history_rows": base["history_rows"],
        "p50_ms": round(base["p50_ms"], 1),
        "p95_ms": round(base["p95_ms"], 1),
        "queries": base["queries"],
        "orgs_small": args.small,
        "queries_small": base["queries_small"],
        "p50_ms_small": round(base["p50_ms_small"], 1),
        "constant_queries": base["queries"] == base["queries_small"],
    }
    if ten is not None:
        result.update(
            orgs_10x=ten["orgs"],
            p50_ms_10x=round(ten["p50_ms"], 1),
            queries_10x=ten["queries"],
            growth_10x=round(ten["p50_ms"] / base["p50_ms"], 2),
        )
    result["goal_met"] = (
        result["p50_ms"] <= 25
        and result["constant_queries"]
        and (ten is None or (ten["queries"] == base["queries"] and result["growth_10x"] <= 10))
    )
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
