"""The portal on a read-only database (the second site before promotion), on one machine.

``standby`` makes this process believe PostgreSQL is a hot standby (pg_is_in_recovery() is
the only thing replaced); ``read_only_transaction`` makes PostgreSQL itself refuse writes
with SQLSTATE 25006, as a standby does. tests/bcpweb/test_second_site.py does it for real.
"""

import logging

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from rest_framework.authtoken.models import Token

from bcpweb import second_site
from bcpweb.celery import app
from status_board import snapshots
from status_board.models import StatusReport
from tests import factories
from tests.alerts.harness import free_port

from .failover import child_env, manage

NOTICE_JA = "読み取り専用：主サイトが利用できません。"
NOTICE_EN = "Read-only: the primary site is unavailable."
REPORT = {"organization": "FIRM-A", "function": "trading", "status": "suspended"}

probe_runs: list[int] = []


@app.task(name="tests.second_site_probe")
def probe():
    probe_runs.append(1)
    return "ran"


@pytest.fixture(autouse=True)
def _fresh_state():
    second_site.reset_state()
    snapshots.reset_local_state()
    yield
    second_site.reset_state()
    snapshots.reset_local_state()


@pytest.fixture
def standby(monkeypatch):
    monkeypatch.setattr(second_site, "_recovery_state", lambda: (True, "0/1"))


@pytest.fixture
def read_only_transaction(transactional_db):
    """From now on PostgreSQL refuses this session's writes, as a standby refuses them."""

    def _set():
        with connection.cursor() as cursor:
            cursor.execute("SET default_transaction_read_only = on")

    yield _set
    with connection.cursor() as cursor:
        cursor.execute("SET default_transaction_read_only = off")


def _token(api_client, user):
    token, _ = Token.objects.get_or_create(user=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return api_client


@pytest.mark.django_db
def test_a_write_page_answers_the_bilingual_read_only_503(client, login, reporter_a, standby):
    login(reporter_a)
    response = client.post("/board/FIRM-A/report/all-normal/")
    assert response.status_code == 503
    html = response.content.decode()
    assert NOTICE_JA in html and NOTICE_EN in html
    assert html.index(NOTICE_JA) < html.index(NOTICE_EN)
    assert response["Retry-After"] == "60"
    assert not StatusReport.objects.exists()


@pytest.mark.django_db
def test_an_api_write_answers_json_in_the_callers_language(api_client, reporter_a, standby):
    client = _token(api_client, reporter_a)
    response = client.post("/api/v1/status-reports/", REPORT, format="json")
    assert response.status_code == 503
    assert response.json() == {"detail": NOTICE_JA, "message": NOTICE_JA}
    assert response["Retry-After"] == "60"
    english = client.post(
        "/api/v1/status-reports/", REPORT, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert english.json()["message"] == NOTICE_EN
    assert not StatusReport.objects.exists()


@pytest.mark.django_db
def test_reads_still_work_and_pages_show_the_banner(client, login, reporter_a, standby):
    public = client.get("/")
    assert public.status_code == 200 and NOTICE_JA in public.content.decode()
    assert client.get("/api/v1/board/").status_code == 200
    login(reporter_a)
    page = client.get("/board/FIRM-A/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'class="banner warn read-only"' in html and NOTICE_EN in html


@pytest.mark.django_db
def test_after_the_promotion_the_next_write_is_taken_without_waiting_for_the_banner_interval(
    client, login, reporter_a, monkeypatch, settings
):
    settings.DB_READ_ONLY_CHECK_SECONDS = 60
    monkeypatch.setattr(second_site, "WRITE_RECHECK_SECONDS", 0)
    state = [(True, "0/1")]
    monkeypatch.setattr(second_site, "_recovery_state", lambda: state[0])
    login(reporter_a)
    assert client.post("/board/FIRM-A/report/all-normal/").status_code == 503
    state[0] = (False, "0/1")  # site_promote ran
    assert NOTICE_JA in client.get("/board/FIRM-A/").content.decode(), "60 s not over yet"
    assert client.post("/board/FIRM-A/report/all-normal/").status_code == 302
    assert StatusReport.objects.exists()
    assert NOTICE_JA not in client.get("/board/FIRM-A/").content.decode()


@pytest.mark.django_db
def test_no_banner_while_the_database_takes_writes(client, login, reporter_a):
    assert NOTICE_JA not in client.get("/").content.decode()
    login(reporter_a)
    assert NOTICE_JA not in client.get("/board/FIRM-A/").content.decode()


@pytest.mark.django_db
def test_the_cached_board_changes_its_etag_while_read_only(client, monkeypatch, public_org):
    writable = client.get("/")
    second_site.reset_state()
    monkeypatch.setattr(second_site, "_recovery_state", lambda: (True, "0/1"))
    read_only = client.get("/")
    assert read_only["ETag"] != writable["ETag"]
    # The copy with the banner is not confirmed as current once writes are back.
    monkeypatch.setattr(second_site, "_recovery_state", lambda: (False, None))
    second_site.reset_state()
    again = client.get("/", HTTP_IF_NONE_MATCH=read_only["ETag"])
    assert again.status_code == 200 and NOTICE_JA not in again.content.decode()


@pytest.mark.django_db
def test_login_at_the_standby_is_a_clean_503(client, reporter_a, standby):
    response = client.post(
        "/accounts/login/", {"username": "reporter_a", "password": "x"}, HTTP_ACCEPT="text/html"
    )
    assert response.status_code == 503 and NOTICE_JA in response.content.decode()


@pytest.mark.django_db
def test_the_language_can_still_be_switched(client, standby):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert "Read-only" in client.get("/").content.decode()


def test_a_write_refused_by_postgresql_is_the_read_only_503(
    client, login, reporter_a, read_only_transaction
):
    login(reporter_a)
    read_only_transaction()  # PostgreSQL refuses the write; this process did not know yet
    response = client.post("/board/FIRM-A/report/all-normal/")
    assert response.status_code == 503
    assert NOTICE_JA in response.content.decode() and "Traceback" not in response.content.decode()
    assert second_site.database_read_only(connect=False), "the banner shows from now on"


def test_an_api_write_refused_by_postgresql_is_json(api_client, reporter_a, read_only_transaction):
    client = _token(api_client, reporter_a)
    read_only_transaction()
    response = client.post("/api/v1/status-reports/", REPORT, format="json")
    assert response.status_code == 503
    assert response.json()["message"] == NOTICE_JA


def test_a_read_only_error_is_recognised_through_djangos_wrapping():
    import psycopg
    from django.db import InternalError, OperationalError

    class ReadOnly(psycopg.errors.ReadOnlySqlTransaction):
        pass

    wrapped = InternalError("cannot execute INSERT in a read-only transaction")
    wrapped.__cause__ = ReadOnly("cannot execute INSERT in a read-only transaction")
    assert ReadOnly.sqlstate == "25006"
    assert second_site.is_read_only_error(wrapped)
    assert not second_site.is_read_only_error(OperationalError("connection refused"))


def test_sqlite_is_never_read_only(monkeypatch):
    monkeypatch.setattr(connection, "vendor", "sqlite")
    monkeypatch.setattr(second_site, "_recovery_state", lambda: pytest.fail("asked SQLite"))
    assert second_site.database_read_only() is False


@pytest.mark.django_db
def test_the_standby_state_is_asked_at_most_once_per_interval(monkeypatch, settings):
    settings.DB_READ_ONLY_CHECK_SECONDS = 60
    asked = []
    monkeypatch.setattr(second_site, "_recovery_state", lambda: asked.append(1) or (True, "0/1"))
    assert all(second_site.database_read_only() for _ in range(50))
    assert len(asked) == 1


@pytest.mark.django_db
def test_what_the_standby_replays_reaches_the_cached_board(
    client, monkeypatch, settings, public_org
):
    """Replication never runs the portal's on-commit rebuild: the replay position does."""
    from status_board import services

    settings.DB_READ_ONLY_CHECK_SECONDS = 0  # every request looks
    position = ["0/100"]
    monkeypatch.setattr(second_site, "_recovery_state", lambda: (True, position[0]))
    reporter = factories.user("pub_reporter", role="reporter", organization=public_org)
    assert "本日は停電" not in client.get("/").content.decode()
    services.status_report_create(  # committed "in Tokyo": no on-commit callback runs here
        actor=reporter,
        organization=public_org,
        entry=services.ReportInput(function="trading", status="degraded", message="本日は停電"),
    )
    assert "本日は停電" not in client.get("/").content.decode(), "nothing replayed yet"
    position[0] = "0/200"
    assert "本日は停電" in client.get("/").content.decode()


@pytest.mark.django_db
def test_the_real_check_says_the_test_database_takes_writes(django_assert_num_queries):
    with django_assert_num_queries(0):  # not counted against the page that happens to ask
        assert second_site.database_read_only() is False


def test_celery_tasks_are_skipped_on_a_standby_and_logged_once(monkeypatch, caplog):
    monkeypatch.setattr(second_site, "_recovery_state", lambda: (True, "0/1"))
    probe_runs.clear()
    with caplog.at_level(logging.WARNING, logger="bcpweb.celery"):
        assert probe() is None and probe() is None  # run as a worker runs it
    assert probe_runs == []
    skips = [r for r in caplog.records if "skipped" in r.getMessage()]
    assert len(skips) == 1 and "tests.second_site_probe" in skips[0].getMessage()

    monkeypatch.setattr(second_site, "_recovery_state", lambda: (False, None))
    second_site.reset_state()
    assert probe() == "ran" and probe_runs == [1]


def test_eager_tasks_belong_to_a_request_that_wrote_and_are_not_checked(monkeypatch):
    monkeypatch.setattr(second_site, "_recovery_state", lambda: pytest.fail("checked"))
    probe_runs.clear()
    # Not .get(): it consults Celery's process-wide "inside a task" flag, which is not
    # thread-safe; eager tasks run at once in two threads (the live server's request threads
    # and the test's own) can leave it set, and .get() then refuses (CI saw it once).
    result = probe.apply()
    assert result.successful() and result.result == "ran"


@pytest.mark.django_db
def test_site_promote_refuses_a_database_that_is_not_a_standby():
    with pytest.raises(CommandError, match="not a standby"):
        call_command("site_promote")


@pytest.mark.parametrize(
    ("database", "message"),
    [
        ("sqlite:///{tmp}/db.sqlite3", "not PostgreSQL"),
        ("postgres://postgres@127.0.0.1:{port}/bcpweb", "cannot promote 127.0.0.1:"),
    ],
    ids=["sqlite", "unreachable"],
)
def test_site_promote_refuses_with_a_message_and_no_traceback(tmp_path, database, message):
    url = database.format(tmp=tmp_path, port=free_port())
    result = manage("site_promote", env=_local_env(tmp_path, DATABASE_URL=url))
    assert result.returncode != 0
    assert message in result.stderr and "Traceback" not in result.stderr


def _local_env(tmp_path, **env):
    return child_env(DJANGO_SETTINGS_MODULE="bcpweb.settings.local", BCPWEB_VAR_DIR=tmp_path, **env)


_SHOW = (
    "from django.db import connection as c; k = c.cursor(); k.execute('SHOW synchronous_commit');"
    " print('synchronous_commit', k.fetchone()[0])"
)


def test_db_synchronous_commit_reaches_the_connection(tmp_path):
    url = "postgres://postgres@127.0.0.1:5432/postgres"
    good = _local_env(tmp_path, DATABASE_URL=url, DB_SYNCHRONOUS_COMMIT="remote_apply")
    result = manage("shell", "-c", _SHOW, env=good)
    assert "synchronous_commit remote_apply" in result.stdout, result.stderr
    bad = _local_env(tmp_path, DATABASE_URL=url, DB_SYNCHRONOUS_COMMIT="sometimes")
    result = manage("shell", "-c", _SHOW, env=bad)
    assert result.returncode != 0 and "DB_SYNCHRONOUS_COMMIT='sometimes'" in result.stderr
