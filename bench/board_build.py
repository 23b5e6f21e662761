"""Public board rebuild benchmark (DESIGN §7, issue 16): the build behind the board's cache.

Every status change rebuilds the cached board (``status_board.bundles.build``: the public page
in Japanese and English, its fragment and stale notice, the board JSON for the public and for
members) in the process that posted it, so its time is part of how soon a change is visible.
The market: N organizations (six market infrastructures, the rest securities firms and
banks), each with the functions of its kind, eight in ten of them with a current status (a
few impaired), every organization on the public board (the largest public page: the worst
case for the build). Loaded into a PostgreSQL database this script creates and drops; no Redis.

Side by side in the same run, as the floor: ``fetch_ms``, the bare SQL of what the build reads
(active organizations, their functions, their current statuses) fetched as tuples through the
same connection. ``ratio_vs_fetch`` = build_ms / fetch_ms is what the build costs above reading
its data. Each figure is the median of ``--runs`` builds (after one warm-up); the build's SQL
queries are counted.

    python bench/board_build.py [--scale 1] [--runs 7] [--no-10x] [--profile]

Then the same at ten times the organizations. Goal: build_ms <= 100 at 500 organizations,
build_ms_10x at most ten times build_ms, the same number of queries at both sizes. The last
line printed is one JSON object.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "bench_board_build"
PG = "postgres://postgres@127.0.0.1:5432"
INFRA = [
    ("TSE", "exchange"),
    ("OSE", "exchange"),
    ("JSCC", "clearing"),
    ("JASDEC", "depository"),
    ("BOJ", "central_bank"),
    ("PTS-A", "pts"),
]
FETCH_SQL = [
    """SELECT id, code, name_ja, name_en, kind, is_public FROM organizations_organization
       WHERE active""",
    """SELECT of.organization_id, of.rto_minutes, f.id, f.code, f.name_ja, f.name_en,
              f.default_rto_minutes
       FROM organizations_organizationfunction of
       JOIN organizations_businessfunction f ON f.id = of.function_id
       JOIN organizations_organization o ON o.id = of.organization_id AND o.active
       ORDER BY f.display_order, f.code""",
    """SELECT c.organization_id, c.function_id, c.status, c.message, c.message_en,
              c.reported_at, c.expected_recovery_at, c.impaired_since
       FROM status_board_currentstatus c
       JOIN organizations_organization o ON o.id = c.organization_id AND o.active""",
]


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
            "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
            "BCPWEB_VAR_DIR": str(Path(tempfile.gettempdir()) / f"bench-board-{os.getpid()}"),
            "LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _load(n: int) -> tuple[int, int]:
    from django.db import transaction
    from django.utils import timezone

    from organizations import services as org_services
    from organizations.models import BusinessFunction, Organization, OrganizationFunction
    from status_board.models import CurrentStatus, StatusReport

    rng = random.Random(42)
    system = org_services.system_actor()
    orgs = [
        Organization(code=c, name_ja=f"{c} 市場インフラ", name_en=f"{c} Infrastructure", kind=k)
        for c, k in INFRA
    ]
    for i in range(n - len(INFRA)):
        orgs.append(
            Organization(
                code=f"FIRM-{i:05d}",
                name_ja=f"ベンチ証券{i:05d}株式会社",
                name_en=f"Bench Securities {i:05d}",
                kind="bank" if i % 10 == 9 else "securities_firm",
            )
        )
    for org in orgs:
        org.is_public = True
    with transaction.atomic():
        Organization.objects.bulk_create(orgs)
        functions = list(BusinessFunction.objects.all())
        links = [
            OrganizationFunction(organization=org, function=f)
            for org in Organization.objects.all()
            for f in functions
            if org.kind in (f.default_kinds or [])
        ]
        OrganizationFunction.objects.bulk_create(links)
        now = timezone.now()
        reports = []
        for of in links:
            if rng.random() < 0.8:
                status = rng.choices(
                    ["normal", "backup_site", "degraded", "suspended"], [90, 4, 4, 2]
                )[0]
                impaired = status != "normal"
                reports.append(
                    StatusReport(
                        organization=of.organization,
                        function=of.function,
                        status=status,
                        message="システム障害のため一部の注文を受け付けていません"
                        if impaired
                        else "",
                        message_en="Some orders are not accepted" if impaired else "",
                        expected_recovery_at=now + timezone.timedelta(hours=2)
                        if impaired
                        else None,
                        reported_at=now,
                        reported_by=system,
                        source="api",
                    )
                )
        StatusReport.objects.bulk_create(reports)
        CurrentStatus.objects.bulk_create(
            CurrentStatus(
                organization=r.organization,
                function=r.function,
                report=r,
                status=r.status,
                message=r.message,
                message_en=r.message_en,
                expected_recovery_at=r.expected_recovery_at,
                reported_at=r.reported_at,
                impaired_since=None if r.status == "normal" else now,
            )
            for r in reports
        )
    return len(links), len(reports)


def _fetch() -> int:
    from django.db import connection

    rows = 0
    with connection.cursor() as c:
        for sql in FETCH_SQL:
            c.execute(sql)
            rows += len(c.fetchall())
    return rows


def _timed(fn, runs: int) -> tuple[list[float], object]:
    result = fn()  # warm-up: connection, templates, translations
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return times, result


def _run(args, n: int) -> dict:
    _admin_sql(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    _admin_sql(f'CREATE DATABASE "{DB_NAME}"')
    try:
        from django.core.management import call_command
        from django.db import connection

        from status_board import bundles

        call_command("migrate", "--noinput", verbosity=0)
        t0 = time.perf_counter()
        cells, reported = _load(n)
        with connection.cursor() as c:
            c.execute("ANALYZE")
        log(
            f"{n} organizations, {cells} functions, {reported} current statuses loaded in "
            f"{time.perf_counter() - t0:.1f}s"
        )
        # Interleaved, so that a change of machine speed hits both halves alike.
        build_times, fetch_times = [], []
        bundle = bundles.build(data_version=1)
        _fetch()
        for _ in range(args.runs):
            t0 = time.perf_counter()
            bundle = bundles.build(data_version=1)
            build_times.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            _fetch()
            fetch_times.append((time.perf_counter() - t0) * 1000)
        executed: list[str] = []

        def count(execute, sql, params, many, context):
            executed.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            bundles.build(data_version=1)
        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(3):
                bundles.build(data_version=1)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        sizes = {k: len(v.body) for k, v in bundle.variants.items()}
        build_ms, fetch_ms = statistics.median(build_times), statistics.median(fetch_times)
        log(
            f"{n} organizations: build p50 {build_ms:.1f} ms "
            f"(runs {', '.join(f'{t:.1f}' for t in build_times)}), "
            f"bare fetch p50 {fetch_ms:.1f} ms, {len(executed)} queries, bytes {sizes}"
        )
        connection.close()
        return {
            "orgs": n,
            "cells": cells,
            "build_ms": build_ms,
            "fetch_ms": fetch_ms,
            "queries": len(executed),
            "bytes": sum(sizes.values()),
        }
    finally:
        _admin_sql(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="x the market: 500 orgs at 1")
    parser.add_argument("--runs", type=int, default=7, help="builds per size (median), >= 3")
    parser.add_argument("--no-10x", action="store_true", help="skip the run at ten times the orgs")
    parser.add_argument("--profile", action="store_true", help="print where a build's time goes")
    args = parser.parse_args()
    args.runs = max(args.runs, 3)
    n = max(int(500 * args.scale), len(INFRA) + 1)
    _setup_django()
    base = _run(args, n)
    result = {
        "orgs": n,
        "runs": args.runs,
        "build_ms": round(base["build_ms"], 1),
        "fetch_ms": round(base["fetch_ms"], 1),
        "ratio_vs_fetch": round(base["build_ms"] / base["fetch_ms"], 1),
        "queries": base["queries"],
        "bundle_bytes": base["bytes"],
    }
    if not args.no_10x:
        ten = _run(args, n * 10)
        result.update(
            orgs_10x=ten["orgs"],
            build_ms_10x=round(ten["build_ms"], 1),
            fetch_ms_10x=round(ten["fetch_ms"], 1),
            ratio_vs_fetch_10x=round(ten["build_ms"] / ten["fetch_ms"], 1),
            queries_10x=ten["queries"],
            growth_10x=round(ten["build_ms"] / base["build_ms"], 2),
        )
    result["goal_met"] = result["build_ms"] <= 100 and (
        args.no_10x or (result["queries_10x"] == result["queries"] and result["growth_10x"] <= 10)
    )
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
