"""Public board under disaster traffic (DESIGN §7).

Starts the production configuration — gunicorn, production settings, PostgreSQL, Redis —
with N organizations, then loads, side by side in the same run and the same server:
  * ``/``            the public board (served from the cache rebuilt on every change);
  * ``/bench/bare/`` a bare Django view returning the very same bytes from memory.
Load comes from Debian's ``wrk`` (installed when missing) or, failing that, a Python load
generator. While the board is under load a status is posted through the API and the board
is polled until it shows it: that delay is ``freshness_s``.

The machine is small and shared, so its speed changes from one second to the next. The two
halves are therefore measured in many short slices of equal length, interleaved in pairs
whose order alternates (board-bare, bare-board, ...), after an equal warm-up of each; a
change of machine speed then hits both halves alike. ``ratio`` is the median over the pairs
of board/bare requests per second; ``board_rps``, ``bare_rps`` and ``p99_ms`` are the
medians over the slices.

Then nginx in front (deploy/nginx.conf as `make stack` renders it, bench/_public_board_nginx.py),
with a Celery worker writing the published copy (status_board/publishing.py), side by side:
  * ``/`` through nginx: the published copy (map, try_files);
  * a plain file under ``/static/`` with the very same bytes;
  * ``/`` through nginx again while a status changes every 0.5 s, against its steady rate.
``nginx_ratio`` is the median of board/plain pairs, ``churn_ratio`` of changing/steady pairs;
``published_freshness_s``: from a status posted (under load) to nginx serving it.

The last line printed is one JSON object:
{"board_rps", "bare_rps", "ratio", "p99_ms", "freshness_s", "nginx_board_rps",
"plain_file_rps", "nginx_p99_ms", "nginx_ratio", "churn_rps", "churn_ratio",
"published_freshness_s"}. Goals: ratio >= 0.8, freshness_s <= 2, nginx_ratio >= 0.8,
churn_ratio >= 0.9, published_freshness_s <= 2.

    .venv/bin/python bench/public_board.py                 # full scale: 500 organizations
    .venv/bin/python bench/public_board.py --orgs 50 --rounds 3   # a quick look
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

import _public_board_nginx as front

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PYTHON = sys.executable
# Overridable, so that two checkouts can run the benchmark at once without sharing.
DB_NAME = os.environ.get("BENCH_PUBLIC_BOARD_DB", "bench_public_board")
REDIS_DB = int(os.environ.get("BENCH_PUBLIC_BOARD_REDIS_DB", "13"))


def log(message: str) -> None:
    print(message, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(workdir: Path, port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "_public_board_settings",
            "PYTHONPATH": f"{BENCH}{os.pathsep}{ROOT}",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
            "REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
            "CACHE_KEY_PREFIX": "bench-board",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "SECURE_SSL_REDIRECT": "False",
            "SESSION_COOKIE_SECURE": "False",
            "CSRF_COOKIE_SECURE": "False",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": f"http://127.0.0.1:{port}",
            "BCPWEB_VAR_DIR": str(workdir),
            "STATIC_ROOT": str(workdir / "static"),
            "BENCH_BARE_BODY": str(workdir / "board.html"),
            "BOARD_PUBLISH_DIR": str(workdir / "published"),
            "LOG_LEVEL": "WARNING",
            "AXES_ENABLED": "False",
        }
    )
    return env


def recreate_database() -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{DB_NAME}"')


def drop_database() -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(f"redis://127.0.0.1:6379/{REDIS_DB}").flushdb()


SEED = r"""
import random, sys
import django
django.setup()
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token
from organizations import services as org_services
from organizations.models import BusinessFunction, Organization, OrganizationFunction
from status_board import snapshots
from status_board.models import CurrentStatus, StatusReport

n = int(sys.argv[1])
rng = random.Random(42)
system = org_services.system_actor()
infra = [("TSE", "exchange"), ("OSE", "exchange"), ("JSCC", "clearing"),
         ("JASDEC", "depository"), ("BOJ", "central_bank"), ("PTS-A", "pts")]
orgs = [Organization(code=c, name_ja=f"{c} 市場インフラ", name_en=f"{c} Infrastructure",
                     kind=k, is_public=True) for c, k in infra]
for i in range(n - len(infra)):
    kind = "bank" if i % 10 == 9 else "securities_firm"
    orgs.append(Organization(code=f"FIRM-{i:04d}", name_ja=f"ベンチ証券{i:04d}株式会社",
                             name_en=f"Bench Securities {i:04d}", kind=kind,
                             is_public=(i % 10 == 0)))
with transaction.atomic():
    Organization.objects.bulk_create(orgs)
    functions = list(BusinessFunction.objects.all())
    links = []
    for org in Organization.objects.all():
        for f in functions:
            if org.kind in (f.default_kinds or []):
                links.append(OrganizationFunction(organization=org, function=f))
    OrganizationFunction.objects.bulk_create(links)
    now = timezone.now()
    reports = []
    for of in links:
        if rng.random() < 0.8:
            status = rng.choices(["normal", "backup_site", "degraded", "suspended"],
                                 [90, 4, 4, 2])[0]
            reports.append(StatusReport(organization=of.organization, function=of.function,
                status=status, message="" if status == "normal" else "ベンチマーク用の報告",
                reported_at=now, reported_by=system, source="api"))
    StatusReport.objects.bulk_create(reports)
    CurrentStatus.objects.bulk_create([CurrentStatus(organization=r.organization,
        function=r.function, report=r, status=r.status, message=r.message,
        reported_at=r.reported_at, impaired_since=None if r.status == "normal" else now)
        for r in reports])
tse = Organization.objects.get(code="TSE")
user, _ = org_services.member_add(actor=system, username="bench-tse", role="reporter",
                                  organization_code="TSE")
print(Token.objects.get_or_create(user=user)[0].key)
snapshots.invalidate()
print(Organization.objects.count(), Organization.objects.filter(is_public=True).count(),
      len(links), len(reports), file=sys.stderr)
"""


def manage(env, *args, check=True):
    return subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        check=check,
        capture_output=True,
        text=True,
    )


def ensure_wrk() -> str | None:
    wrk = shutil.which("wrk")
    if wrk:
        return wrk
    log("wrk is missing: apt-get install -y wrk")
    try:
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "wrk"], check=True, capture_output=True, timeout=300
        )
    except (OSError, subprocess.SubprocessError) as error:
        log(f"could not install wrk ({error}); using the Python load generator")
        return None
    return shutil.which("wrk")


def get(url: str, headers: dict | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read()


def wait_until_up(url: str, proc, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("gunicorn exited; see its output above")
        try:
            get(url)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {timeout} s")


_WRK_RPS = re.compile(r"Requests/sec:\s+([\d.]+)")
_WRK_P99 = re.compile(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", re.M)


def run_wrk(wrk: str, url: str, seconds: float, connections: int, threads: int) -> dict:
    out = subprocess.run(
        [wrk, f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rps = float(_WRK_RPS.search(out).group(1))
    match = _WRK_P99.search(out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    p99 = float(match.group(1)) * scale[match.group(2)] if match else float("nan")
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} error responses under load\n{out}")
    return {"rps": rps, "p99_ms": p99}


def run_python_load(url: str, seconds: float, connections: int, threads: int) -> dict:
    """A keep-alive load generator for machines without wrk."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker():
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        mine = []
        while time.monotonic() < stop:
            start = time.perf_counter()
            conn.request("GET", parts.path)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{url}: HTTP {response.status}")
            mine.append(time.perf_counter() - start)
        with lock:
            latencies.extend(mine)

    workers = [threading.Thread(target=worker) for _ in range(connections)]
    began = time.monotonic()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.monotonic() - began
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000 if latencies else float("nan")
    return {"rps": len(latencies) / elapsed, "p99_ms": p99}


def measure_freshness(base: str, token: str, load) -> float:
    """Post a status while the board is under load; seconds until the board shows it."""
    marker = f"bench-{uuid.uuid4().hex[:12]}"
    background = threading.Thread(target=load)
    background.start()
    time.sleep(1.0)
    posted = time.monotonic()
    front.post_status(base, token, "degraded", marker)
    freshness = None
    while time.monotonic() - posted < 30:
        if marker.encode() in get(f"{base}/")[1]:
            freshness = time.monotonic() - posted
            break
        time.sleep(0.05)
    background.join()
    if freshness is None:
        raise RuntimeError("the posted status never appeared on the public board")
    return freshness


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=500)
    parser.add_argument("--duration", type=float, default=2.0, help="seconds per load slice")
    parser.add_argument("--rounds", type=int, default=12, help="board/bare pairs, interleaved")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of warm-up, each")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--python-load", action="store_true", help="do not use wrk")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bcpweb-bench-board-"))
    port = free_port()
    env = environment(workdir, port)
    base = f"http://127.0.0.1:{port}"
    wrk = None if args.python_load else ensure_wrk()
    log(f"setting up: {args.orgs} organizations, PostgreSQL db {DB_NAME}, Redis db {REDIS_DB}")
    recreate_database()
    flush_redis()
    server = worker = nginx = None
    nginx_port = free_port()
    nginx_base = f"http://127.0.0.1:{nginx_port}"
    try:
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")
        seeded = subprocess.run(
            [PYTHON, "-c", SEED, str(args.orgs)],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        token = seeded.stdout.strip().splitlines()[-1]
        orgs, public, functions, reports = seeded.stderr.strip().splitlines()[-1].split()
        log(
            f"seeded {orgs} organizations ({public} public), {functions} functions, "
            f"{reports} current statuses"
        )
        # wrk opens all its keep-alive connections at once and keeps them for the whole
        # slice. A gthread worker accepts as many as it can (1,000 by default), so one worker
        # often took all 16 and the other idled: a slice ran at half speed by luck of the
        # draw (~1,200 instead of ~2,900 req/s, for the board and the bare view alike). Cap
        # each worker at its share plus one, as a sync worker (production's kind) would
        # never hold more than it serves; the spare slots take the freshness probe.
        worker_connections = -(-args.connections // args.workers) + 1
        server = subprocess.Popen(
            [
                str(Path(PYTHON).with_name("gunicorn")),
                "bcpweb.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "--worker-class",
                "gthread",
                "--threads",
                str(args.threads),
                "--log-level",
                "warning",
                "--keep-alive",
                "5",
                "--worker-connections",
                str(worker_connections),
            ],
            env=env,
            cwd=ROOT,
            start_new_session=True,
        )
        wait_until_up(f"{base}/healthz", server)
        status, board = get(f"{base}/")
        if status != 200:
            raise RuntimeError(f"the board answered HTTP {status}")
        (workdir / "board.html").write_bytes(board)
        if get(f"{base}/bench/bare/")[1] != board:
            raise RuntimeError("the bare view does not return the board's bytes")
        log(f"public board: {len(board):,} bytes of HTML")
        threads = 2
        # nginx in front: the published copy (written by a Celery worker) and a plain file.
        worker = front.start_worker(env, ROOT)
        published = manage(env, "publish_board").stdout.strip()
        log(published)
        nginx = front.start_nginx(workdir, nginx_port, port)
        wait_until_up(f"{nginx_base}/nginx-health", nginx)
        copy = (workdir / "published" / "ja" / "index.html").read_bytes()
        (workdir / "static" / front.PLAIN.rsplit("/", 1)[1]).write_bytes(copy)
        if get(f"{nginx_base}/")[1] != copy or get(f"{nginx_base}{front.PLAIN}")[1] != copy:
            raise RuntimeError("nginx does not serve the published copy's bytes")
        log(f"published board through nginx: {len(copy):,} bytes, plain file {front.PLAIN}")

        def load(url, seconds=args.duration):
            if wrk:
                return run_wrk(wrk, url, seconds, args.connections, threads)
            return run_python_load(url, seconds, args.connections, threads)

        board_url, bare_url = f"{base}/", f"{base}/bench/bare/"
        load(board_url, args.warmup)  # warm both up, equally
        load(bare_url, args.warmup)
        board_runs, bare_runs, pair_ratios = [], [], []
        for n in range(args.rounds):
            # Alternate the order so that neither half always runs right after the other.
            order = (board_url, bare_url) if n % 2 == 0 else (bare_url, board_url)
            runs = {url: load(url) for url in order}
            board_runs.append(runs[board_url])
            bare_runs.append(runs[bare_url])
            pair_ratios.append(board_runs[-1]["rps"] / bare_runs[-1]["rps"])
            log(
                f"pair {n + 1:2d} ({'board first' if n % 2 == 0 else 'bare first '}): "
                f"board {board_runs[-1]['rps']:.0f} req/s (p99 {board_runs[-1]['p99_ms']:.1f} ms)"
                f", bare {bare_runs[-1]['rps']:.0f} req/s (p99 {bare_runs[-1]['p99_ms']:.1f} ms)"
                f", ratio {pair_ratios[-1]:.3f}"
            )
        freshness = measure_freshness(
            base, token, lambda: load(board_url, max(4.0, args.duration * 2))
        )
        nginx_board_url, plain_url = f"{nginx_base}/", f"{nginx_base}{front.PLAIN}"
        load(nginx_board_url, args.warmup)
        load(plain_url, args.warmup)
        nginx_runs, plain_runs, nginx_ratios = [], [], []
        for n in range(args.rounds):
            order = (nginx_board_url, plain_url) if n % 2 == 0 else (plain_url, nginx_board_url)
            runs = {url: load(url) for url in order}
            nginx_runs.append(runs[nginx_board_url])
            plain_runs.append(runs[plain_url])
            nginx_ratios.append(nginx_runs[-1]["rps"] / plain_runs[-1]["rps"])
            log(
                f"nginx pair {n + 1:2d}: published board {nginx_runs[-1]['rps']:.0f} req/s"
                f" (p99 {nginx_runs[-1]['p99_ms']:.2f} ms), plain file"
                f" {plain_runs[-1]['rps']:.0f} req/s, ratio {nginx_ratios[-1]:.3f}"
            )
        # The same board while a status changes every 0.5 s, against its own steady rate.
        churn = front.Churn(base, token, interval=0.5)
        steady_runs, churn_runs, churn_ratios = [], [], []
        for n in range(max(3, args.rounds // 2)):
            if n % 2 == 0:
                steady = load(nginx_board_url)
                with churn:
                    changing = load(nginx_board_url)
            else:
                with churn:
                    changing = load(nginx_board_url)
                steady = load(nginx_board_url)
            steady_runs.append(steady)
            churn_runs.append(changing)
            churn_ratios.append(changing["rps"] / steady["rps"])
            log(
                f"churn pair {n + 1:2d}: steady {steady['rps']:.0f} req/s, while changing"
                f" {changing['rps']:.0f} req/s, ratio {churn_ratios[-1]:.3f}"
            )
        log(f"{churn.posted} statuses posted during the churn slices")
        published_freshness = front.measure_published_freshness(
            nginx_base, base, token, lambda: load(nginx_board_url, max(4.0, args.duration * 2))
        )
        board_rps = statistics.median(r["rps"] for r in board_runs)
        bare_rps = statistics.median(r["rps"] for r in bare_runs)
        total_ratio = sum(r["rps"] for r in board_runs) / sum(r["rps"] for r in bare_runs)
        result = {
            "board_rps": round(board_rps, 1),
            "bare_rps": round(bare_rps, 1),
            "ratio": round(statistics.median(pair_ratios), 3),
            "p99_ms": round(statistics.median(r["p99_ms"] for r in board_runs), 2),
            "freshness_s": round(freshness, 3),
            "nginx_board_rps": round(statistics.median(r["rps"] for r in nginx_runs), 1),
            "plain_file_rps": round(statistics.median(r["rps"] for r in plain_runs), 1),
            "nginx_p99_ms": round(statistics.median(r["p99_ms"] for r in nginx_runs), 2),
            "nginx_ratio": round(statistics.median(nginx_ratios), 3),
            "churn_rps": round(statistics.median(r["rps"] for r in churn_runs), 1),
            "churn_ratio": round(statistics.median(churn_ratios), 3),
            "published_freshness_s": round(published_freshness, 3),
        }
        log(
            f"{args.rounds} pairs of {args.duration:g} s slices: pair ratios "
            f"{min(pair_ratios):.3f}..{max(pair_ratios):.3f}, median {result['ratio']}; "
            f"all board requests / all bare requests {total_ratio:.3f}"
        )
        log(
            f"load generator: {'wrk' if wrk else 'python'}, {args.connections} connections, "
            f"gunicorn {args.workers} workers x {args.threads} threads, "
            f"at most {worker_connections} connections each"
        )
        log(
            f"board {result['board_rps']} req/s vs bare {result['bare_rps']} req/s (medians): "
            f"ratio {result['ratio']} (goal >= 0.8); p99 {result['p99_ms']} ms; "
            f"a posted status was public after {result['freshness_s']} s (goal <= 2 s)"
        )
        log(
            f"through nginx: published board {result['nginx_board_rps']} req/s vs plain file"
            f" {result['plain_file_rps']} req/s: nginx_ratio {result['nginx_ratio']} (goal >= 0.8);"
            f" while a status changes every 0.5 s {result['churn_rps']} req/s: churn_ratio"
            f" {result['churn_ratio']} (goal >= 0.9); published after"
            f" {result['published_freshness_s']} s (goal <= 2 s)"
        )
        print(json.dumps(result), flush=True)
        return 0
    finally:
        front.stop(nginx)
        front.stop(worker)
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        if not args.keep:
            drop_database()
            flush_redis()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
