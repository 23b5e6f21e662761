from pathlib import Path

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper

from status_board import snapshots
from tests import factories


@pytest.fixture
def board(report, public_org, org_a, reporter_a):
    factories.organization(
        "PUB-SEC", is_public=True, name_ja="公開証券", name_en="Public Securities"
    )
    tse_reporter = factories.user("pub_rep", role="reporter", organization=public_org)
    report(
        tse_reporter,
        public_org,
        "trading",
        "suspended",
        message="売買を停止しています",
        message_en="Trading is halted",
    )
    report(reporter_a, org_a, "trading", "degraded", message="秘密のメッセージ")
    return public_org


@pytest.fixture
def database_down(monkeypatch):
    def broken(self, *args, **kwargs):
        raise OperationalError("connection refused")

    def _break():
        monkeypatch.setattr(BaseDatabaseWrapper, "_cursor", broken)
        snapshots._local.db_checked = 0.0  # probe at once rather than in two seconds

    return _break


@pytest.mark.django_db
def test_anonymous_visitors_see_public_organizations_with_text_and_icon(client, board):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "公開取引所" in html and "公開証券" in html
    assert "テスト証券A" not in html and "秘密のメッセージ" not in html
    assert '<span class="st st-suspended"><span aria-hidden="true">■</span>停止中</span>' in html
    assert "売買を停止しています" in html
    assert "1つの機能が通常稼働していません" in html  # the market-wide banner
    # Infrastructures first, then the firms.
    assert html.index("公開取引所") < html.index("公開証券")


@pytest.mark.django_db
def test_the_board_reads_in_english(client, board):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Public Exchange" in html and "Trading is halted" in html
    assert "Suspended" in html and "Not reported" in html


@pytest.mark.django_db
def test_the_language_switch_works_without_a_csrf_token(client, board):
    response = client.get("/board/language/", {"language": "en", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert "Public Exchange" in client.get("/").content.decode()
    evil = client.get("/board/language/", {"language": "ja", "next": "https://evil.example/"})
    assert evil["Location"] == "/"


@pytest.mark.django_db
def test_all_normal_banner(client, report, public_org):
    reporter = factories.user("pub_rep", role="reporter", organization=public_org)
    for function in ("order_acceptance", "trading", "market_data"):
        report(reporter, public_org, function, "normal")
    assert "報告のあった市場機能はすべて通常稼働しています" in client.get("/").content.decode()


@pytest.mark.django_db
def test_a_posted_status_is_visible_at_once_and_changes_the_etag(client, board, report):
    first = client.get("/")
    reporter = factories.user("pub_rep2", role="reporter", organization=board)
    report(reporter, board, "trading", "backup_site", message="大阪のバックアップ拠点で稼働")
    second = client.get("/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200
    assert "大阪のバックアップ拠点で稼働" in second.content.decode()
    assert client.get("/", HTTP_IF_NONE_MATCH=second["ETag"]).status_code == 304


@pytest.mark.django_db
def test_another_process_sees_the_change_through_redis(client, board, report):
    client.get("/")
    reporter = factories.user("pub_rep2", role="reporter", organization=board)
    report(reporter, board, "trading", "closed", message="本日休業")
    snapshots.reset_local_state()  # as if this were another gunicorn worker
    assert "本日休業" in client.get("/").content.decode()


@pytest.mark.django_db
def test_a_cold_cache_is_rebuilt_from_the_database(client, board):
    from django.core.cache import cache

    client.get("/")
    cache.clear()
    snapshots.reset_local_state()
    assert "売買を停止しています" in client.get("/").content.decode()


@pytest.mark.django_db
def test_the_board_is_served_with_validators_and_vary(client, board):
    response = client.get("/")
    assert response["ETag"] and response["Last-Modified"]
    assert "Accept-Language" in response["Vary"] and "Cookie" in response["Vary"]
    assert client.get("/", HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]).status_code == 304


@pytest.mark.django_db
@pytest.mark.allow_error_log
def test_with_postgresql_down_the_board_serves_its_last_copy_marked_stale(
    client, board, database_down
):
    fresh = client.get("/")
    assert "一時的に" not in fresh.content.decode()
    database_down()
    stale = client.get("/")
    assert stale.status_code == 200
    html = stale.content.decode()
    assert "売買を停止しています" in html
    assert "最新の情報を一時的に取得できません" in html  # marked ...
    generated = snapshots.current()[0].generated_at
    assert generated.astimezone().strftime("%H:%M") in html  # ... with its time
    assert stale["ETag"] != fresh["ETag"]
    assert client.get("/api/v1/board/").status_code == 200
    # Other pages answer a clean 503.
    other = client.get(f"/board/{board.code}/")
    assert other.status_code == 503 and "Traceback" not in other.content.decode()


@pytest.mark.django_db
@pytest.mark.allow_error_log
def test_a_member_with_a_session_still_gets_the_board_when_postgresql_is_down(
    client, login, board, reporter_a, database_down
):
    login(reporter_a)
    client.get("/")
    database_down()
    response = client.get("/")
    assert response.status_code == 200 and "売買を停止しています" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.allow_error_log
def test_the_last_good_copy_survives_a_redis_flush(client, board, database_down):
    from django.core.cache import cache

    client.get("/")
    cache.clear()
    snapshots.reset_local_state()
    database_down()
    response = client.get("/")
    assert response.status_code == 200 and "売買を停止しています" in response.content.decode()


@pytest.mark.django_db
def test_a_logged_in_member_sees_the_public_board_with_their_own_header(
    client, login, board, reporter_a
):
    login(reporter_a)
    html = client.get("/").content.decode()
    assert "reporter_a" in html and "公開取引所" in html and "テスト証券A" not in html
    assert 'href="/members/board/"' in html


@pytest.mark.django_db
def test_rebuilding_takes_the_same_queries_whatever_the_number_of_organizations(
    django_assert_num_queries, board
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        snapshots.build()
    for i in range(15):
        factories.organization(f"MORE-{i:02d}", is_public=i % 2 == 0)
    with django_assert_num_queries(len(few.captured_queries)):
        snapshots.build()


@pytest.mark.django_db
def test_the_page_is_light_and_readable_without_javascript(client, report):
    """HTML + CSS of the public board with the demo data stays under 60 KB."""
    from django.contrib.staticfiles import finders
    from django.core.management import call_command

    from organizations.models import Organization
    from status_board import services

    call_command("seed_demo", verbosity=0)
    for org in Organization.objects.filter(is_public=True):
        held = org.organization_functions.values_list("function__code", flat=True)
        entries = [
            services.ReportInput(f, "degraded", message="一部の店舗で受付を停止しています。" * 3)
            for f in held
        ]
        if entries:
            reporter = factories.user(f"rep-{org.code.lower()}", role="reporter", organization=org)
            report(reporter, org, entries[0].function, "suspended", message="障害対応中" * 10)
            services.status_reports_create(actor=reporter, organization=org, entries=entries)
    snapshots.invalidate()
    snapshots.reset_local_state()
    response = client.get("/")
    html = response.content
    css = sum(
        Path(finders.find(path)).stat().st_size
        for path in ("css/site.css", "status_board/board.css")
    )
    # Everything is in the HTML itself; the only scripts are deferred static files that add
    # the self-refresh (issue 11), never inline code.
    import re

    scripts = re.findall(rb"<script[^>]*>", html)
    assert all(re.fullmatch(rb'<script src="/static/[^"]+\.js" defer>', s) for s in scripts)
    assert len(html) + css <= 60 * 1024, (len(html), css)
    assert (
        html.count(b'class="org"')
        == Organization.objects.filter(is_public=True).exclude(organization_functions=None).count()
    )
