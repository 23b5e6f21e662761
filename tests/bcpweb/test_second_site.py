"""The second site for real: a primary (Tokyo), a hot standby streaming from it (Osaka).

Both are private PostgreSQL clusters made here with initdb and pg_basebackup on free ports,
never the machine's shared cluster. The portal runs under gunicorn at each site. Measured
and written as one JSON line to stdout and var/failover.json:

- RPO: how many commits the primary acknowledged that the standby never got when the primary
  was killed (``pg_ctl stop -m immediate``) mid-write, and how many WAL bytes it had not
  received — with asynchronous replication, and with ``DB_SYNCHRONOUS_COMMIT=remote_apply``
  plus ``synchronous_standby_names`` (expected 0 lost).
- RTO: from "primary killed" to "first write accepted at the second site", following the
  steps of docs/deploy.md (``manage.py site_promote``; the web there already names the
  promoted server, so no restart). The decision to fail over is not included.
"""

from __future__ import annotations

import shutil
import time

import pytest

from tests.alerts.harness import RedisServer, Worker, free_port, wait_for

from .failover import ROOT, Browser, Portal, Writer, manage, portal_env, write_figures
from .pg_cluster import Cluster, private_root

pytestmark = pytest.mark.slow

NOTICE_JA = "読み取り専用：主サイトが利用できません。"
NOTICE_EN = "Read-only: the primary site is unavailable."
DEMO_PASSWORD = "bcpweb-demo-2026"
REPORT = {"organization": "SAKURA", "function": "trading", "status": "degraded"}
PROBE_TABLE = "CREATE TABLE failover_probe (id bigserial PRIMARY KEY, writer int NOT NULL)"

FIGURES: dict = {}


@pytest.fixture(scope="module", autouse=True)
def _report_figures(request):
    yield
    if FIGURES:
        line = write_figures(FIGURES, ROOT / "var" / "failover.json")
        capture = request.config.pluginmanager.getplugin("capturemanager")
        with capture.global_and_fixture_disabled():
            print(f"\n{line}")


@pytest.fixture
def cleanup():
    """Everything started is stopped, and the clusters' directories removed, even on failure."""
    steps = []
    yield steps.append
    for step in reversed(steps):
        try:
            step()
        except Exception as error:  # noqa: BLE001 - one failed stop must not keep the others
            print(f"cleanup: {error}")


@pytest.fixture
def root(cleanup):
    path = private_root("bcpweb-second-site-")
    cleanup(lambda: shutil.rmtree(path, ignore_errors=True))
    return path


@pytest.fixture
def clusters(root, cleanup):
    def _make(name: str) -> Cluster:
        cluster = Cluster(root, name, free_port())
        cleanup(cluster.kill)
        return cluster

    return _make


def _started(process, cleanup):
    cleanup(process.stop)
    return process.start()


def _kill_mid_write(primary: Cluster, writer: Writer, *, commits: int = 300, before=None) -> float:
    wait_for(
        lambda: len(writer.acknowledged()) >= commits or not writer.running(),
        60,
        message="the writer did not get going",
    )
    assert writer.running(), writer.text()[-2000:]
    if before is not None:
        before()
    killed_at = time.monotonic()
    primary.kill()
    return killed_at


def _losses(primary: Cluster, standby: Cluster, writer: Writer, database: str) -> dict:
    """What the standby lacks of what the dead primary had committed."""
    wait_for(lambda: not writer.running(), 30, message="the writer outlived the primary")
    acknowledged = writer.acknowledged()
    present = {row[0] for row in standby.query("SELECT id FROM failover_probe", (), database)}
    received = standby.value("SELECT pg_last_wal_receive_lsn()::text")
    wal_bytes, commits = primary.wal_after(received)
    return {
        "committed": len(acknowledged),
        "lost_transactions": len(acknowledged - present),
        "wal_bytes_missing": wal_bytes,
        "wal_commits_missing": commits,
    }


def test_the_standby_reads_refuses_writes_and_takes_over_after_promotion(root, clusters, cleanup):
    # --- Tokyo: the primary, with the portal's schema and the demo data -------------------
    tokyo = clusters("tokyo").init_primary().start()
    tokyo.query("CREATE DATABASE bcpweb")
    redis = RedisServer(free_port(), root)
    redis.start()
    cleanup(redis.stop)
    tokyo_env = portal_env(
        database_url=tokyo.url(), redis_url=f"{redis.url[:-2]}/0", var_dir=root / "tokyo-var"
    )
    for command in (["migrate", "-v0"], ["seed_demo"]):
        done = manage(*command, env=tokyo_env)
        assert done.returncode == 0, done.stderr[-3000:]
    token = manage("drf_create_token", "demo-reporter", env=tokyo_env).stdout.split()[2]
    tokyo.query(PROBE_TABLE, (), "bcpweb")
    tokyo.query("CREATE ROLE operator LOGIN", (), "bcpweb")  # not allowed to promote

    # --- Osaka: a base backup of Tokyo, streaming from it -----------------------------------
    osaka = clusters("osaka").init_standby_of(tokyo).start()
    tokyo.query("INSERT INTO failover_probe (writer) VALUES (-1)", (), "bcpweb")
    wait_for(
        lambda: osaka.value("SELECT count(*) FROM failover_probe WHERE writer = -1", (), "bcpweb"),
        10,
        message="a row written in Tokyo did not reach Osaka",
    )
    assert tokyo.query("SELECT application_name, state, sync_state FROM pg_stat_replication") == [
        ("osaka", "streaming", "async")
    ]
    assert osaka.value("SELECT pg_is_in_recovery()") is True

    # A member logged in at Tokyo; the same browser then reaches Osaka (same SECRET_KEY).
    web_tokyo = _started(Portal("tokyo", tokyo_env, root), cleanup)
    member = Browser()
    login = member.csrf_post(
        web_tokyo.url + "/accounts/login/",
        web_tokyo.url + "/accounts/login/",
        {"username": "demo-reporter", "password": DEMO_PASSWORD},
    )
    assert login.status == 302, login.body[-500:]

    osaka_env = portal_env(
        database_url=osaka.url(), redis_url=f"{redis.url[:-2]}/1", var_dir=root / "osaka-var"
    )
    web_osaka = _started(Portal("osaka", osaka_env, root), cleanup)
    _reads_work_with_the_banner(web_osaka, member, token)
    # A status posted in Tokyo reaches Osaka's cached public board by replication alone.
    posted = member.request(
        "POST",
        web_tokyo.url + "/api/v1/status-reports/",
        {**REPORT, "function": "settlement", "message": "大阪へ複製"},
        {"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    assert posted.status == 201, posted.body
    wait_for(
        lambda: "大阪へ複製" in Browser().get(web_osaka.url + "/").body,
        30,
        interval=0.5,
        message="Osaka's public board did not show what Tokyo posted",
    )
    _writes_are_refused_cleanly(web_osaka, member, token)

    # Celery at Osaka: a worker with beat runs, but every task is skipped (logged once).
    worker_env = {
        **osaka_env,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_BROKER_URL": f"{redis.url[:-2]}/2",
        "ALERT_SWEEP_SECONDS": "0.3",
    }
    worker = Worker("osaka", worker_env, root, beat=True).start()
    cleanup(worker.stop)
    wait_for(lambda: "are skipped until" in worker.tail(100_000), 30, message=worker.tail())
    time.sleep(1.5)  # several more sweeps
    assert worker.tail(100_000).count("are skipped until") == 1, worker.tail()

    refused = manage("site_promote", env={**osaka_env, "DATABASE_URL": osaka.url(user="operator")})
    assert refused.returncode != 0 and "may not promote" in refused.stderr, refused.stderr
    assert "Traceback" not in refused.stderr
    assert osaka.value("SELECT pg_is_in_recovery()") is True

    # --- Tokyo is lost mid-write; Osaka is promoted (docs/deploy.md) -----------------------
    writer = _started(Writer(tokyo_env, root), cleanup)

    def osaka_serves_a_page():
        # Under steady traffic its read-only state is at most DB_READ_ONLY_CHECK_SECONDS old.
        assert NOTICE_JA in member.get(web_osaka.url + "/members/board/").body

    killed_at = _kill_mid_write(tokyo, writer, before=osaka_serves_a_page)
    promoted = manage("site_promote", env=osaka_env)
    promote_s = time.monotonic() - killed_at
    assert promoted.returncode == 0, promoted.stderr
    assert "promoted" in promoted.stdout and "next:" in promoted.stdout
    api = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    wait_for(
        lambda: (
            member.request("POST", web_osaka.url + "/api/v1/status-reports/", REPORT, api).status
            == 201
        ),
        60,
        interval=0.1,
        message="Osaka did not accept writes after the promotion",
    )
    rto_s = time.monotonic() - killed_at
    FIGURES.update(
        {f"rpo_async_{k}": v for k, v in _losses(tokyo, osaka, writer, "bcpweb").items()}
    )
    FIGURES.update({"rto_s": round(rto_s, 2), "rto_promote_command_s": round(promote_s, 2)})
    assert FIGURES["rpo_async_committed"] > 0
    # Every commit acknowledged but missing is also a commit record Osaka never received.
    assert FIGURES["rpo_async_lost_transactions"] <= FIGURES["rpo_async_wal_commits_missing"]

    # --- After promotion: Osaka takes writes, shows no banner, Celery works ------------------
    page = member.get(web_osaka.url + "/members/board/")
    assert page.status == 200 and NOTICE_JA not in page.body
    normal = member.csrf_post(
        web_osaka.url + "/board/SAKURA/report/",
        web_osaka.url + "/board/SAKURA/report/all-normal/",
        # SAKURA reported an impaired function before the failure: the portal asks first.
        {"confirm": "yes"},
    )
    assert normal.status == 302, normal.body[-500:]
    wait_for(lambda: "tasks run again" in worker.tail(100_000), 30, message=worker.tail())
    for process in (web_osaka, web_tokyo):
        assert "Traceback" not in process.text(), process.text()[-3000:]
    assert "Traceback" not in worker.tail(1_000_000)


def _reads_work_with_the_banner(web: Portal, member: Browser, token: str) -> None:
    anonymous = Browser()
    for path in ("/", "/board/TSE/", "/circulars/", "/accounts/login/"):
        page = anonymous.get(web.url + path)
        assert page.status == 200, (path, page.status, page.body[-500:])
        assert NOTICE_JA in page.body and NOTICE_EN in page.body, path
    board = anonymous.get(web.url + "/", **{"Accept-Language": "en"})
    assert board.headers["ETag"].endswith('-read-only"')
    for path in ("/feeds/status.atom", "/api/v1/board/", "/api/v1/organizations/"):
        assert anonymous.get(web.url + path).status == 200, path
    assert anonymous.get(web.url + "/api/v1/board/").json()["organizations"]
    for path in ("/members/board/", "/my/", "/board/SAKURA/report/"):
        page = member.get(web.url + path)
        assert page.status == 200 and NOTICE_JA in page.body, (path, page.status)
    history = anonymous.get(
        web.url + "/api/v1/status-reports/?organization=SAKURA",
        Authorization=f"Token {token}",
    )
    assert history.status == 200, history.body


def _writes_are_refused_cleanly(web: Portal, member: Browser, token: str) -> None:
    page = member.csrf_post(
        web.url + "/board/SAKURA/report/", web.url + "/board/SAKURA/report/all-normal/", {}
    )
    assert page.status == 503 and page.headers["Retry-After"] == "60"
    assert NOTICE_JA in page.body and NOTICE_EN in page.body
    api = member.request(
        "POST",
        web.url + "/api/v1/status-reports/",
        REPORT,
        {"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    assert api.status == 503 and api.headers["Retry-After"] == "60"
    assert api.json() == {"detail": NOTICE_JA, "message": NOTICE_JA}
    visitor = Browser()
    login = visitor.csrf_post(
        web.url + "/accounts/login/",
        web.url + "/accounts/login/",
        {"username": "demo-reporter", "password": DEMO_PASSWORD},
    )
    assert login.status == 503 and NOTICE_JA in login.body


@pytest.mark.parametrize("commit", ["async", "remote_apply"])
def test_when_the_link_stalls_before_the_loss_only_remote_apply_keeps_every_commit(
    clusters, root, cleanup, commit
):
    """Osaka stops receiving for a second, then Tokyo is lost: the RPO of each setting."""
    primary = clusters(f"tokyo_{commit}").init_primary().start()
    standby = clusters(f"osaka_{commit}").init_standby_of(primary).start()
    primary.query(PROBE_TABLE)
    extra = {}
    if commit == "remote_apply":
        primary.query(f"ALTER SYSTEM SET synchronous_standby_names = 'osaka_{commit}'")
        primary.query("SELECT pg_reload_conf()")
        extra["DB_SYNCHRONOUS_COMMIT"] = "remote_apply"
    wait_for(
        lambda: (
            primary.query("SELECT sync_state FROM pg_stat_replication")
            == [("sync" if commit == "remote_apply" else "async",)]
        ),
        10,
        message="the standby is not streaming as expected",
    )
    env = portal_env(
        database_url=primary.url("postgres"),
        redis_url="redis://127.0.0.1:1/0",  # never used by the writer
        var_dir=root / f"{commit}-var",
        **extra,
    )
    writer = _started(Writer(env, root), cleanup)

    def stall_for_a_second():
        primary.stall_replication()
        time.sleep(1)

    _kill_mid_write(primary, writer, before=stall_for_a_second)
    killed_at = time.monotonic()
    promoted = manage("site_promote", env={**env, "DATABASE_URL": standby.url("postgres")})
    assert promoted.returncode == 0, promoted.stderr
    standby.query("INSERT INTO failover_probe (writer) VALUES (-2)")
    rto_s = time.monotonic() - killed_at

    expected = "remote_apply" if commit == "remote_apply" else "on"
    assert writer.synchronous_commit() == expected
    losses = _losses(primary, standby, writer, "postgres")
    FIGURES.update({f"rpo_stalled_{commit}_{k}": v for k, v in losses.items()})
    FIGURES[f"rto_{commit}_database_s"] = round(rto_s, 2)
    assert losses["committed"] > 0
    assert losses["lost_transactions"] <= losses["wal_commits_missing"]
    if commit == "remote_apply":
        assert losses["lost_transactions"] == 0, losses
    else:
        assert losses["lost_transactions"] > 0, f"a stalled link lost nothing: {losses}"
