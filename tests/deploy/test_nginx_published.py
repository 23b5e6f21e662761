"""nginx serves the published board from its files while gunicorn is not running.

The site template of deploy/nginx.conf, rendered as `make stack` renders it, on a private
port, in front of a gunicorn address where nothing listens: the public board still answers,
in the visitor's language, compressed and with validators; members and unknown pages reach
for Django (and get the gateway error that shows it is down).
"""

from __future__ import annotations

import gzip
import http.client
import json
import shutil
import subprocess

import pytest

from deploy import stack
from tests import factories
from tests.alerts.harness import ROOT, free_port, wait_for
from tests.status_board.conftest import report  # noqa: F401, F811 — a status post, on commit

pytestmark = pytest.mark.django_db


def _nginx() -> str:
    found = shutil.which("nginx", path="/usr/sbin:/usr/bin:/sbin")
    if not found:  # what `make test` installs; fails loudly where it cannot
        subprocess.run(["bash", str(ROOT / "scripts/system-packages.sh"), "stack"], check=True)
        found = shutil.which("nginx", path="/usr/sbin:/usr/bin:/sbin")
    assert found, "nginx is not installed"
    return found


@pytest.fixture
def nginx(tmp_path, settings):
    config = stack.StackConfig(port=free_port(), web_port=free_port(), var_dir=tmp_path / "var")
    published = config.var_dir / "published"
    settings.BOARD_PUBLISH_DIR = str(published)
    main = stack.write_nginx(config)
    process = subprocess.Popen(
        [
            _nginx(),
            "-p",
            f"{main.parent}/",
            "-c",
            "nginx.conf",
            "-e",
            "stderr",
            "-g",
            "daemon off;",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )

    def get(path, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", config.port, timeout=10)
        try:
            connection.request("GET", path, headers=headers or {})
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def up():
        assert process.poll() is None, process.stdout.read().decode()
        try:
            return get("/nginx-health")[0] == 200
        except OSError:
            return False

    try:
        wait_for(up, 15, interval=0.1, message="nginx did not start")
        yield get, published
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture
def board(report):  # noqa: F811
    exchange = factories.organization("PUB-EX", kind="exchange", is_public=True)
    reporter = factories.user("reporter_pub", role="reporter", organization=exchange)
    report(
        reporter,
        exchange,
        "trading",
        "suspended",
        message="売買停止-nginx",
        message_en="Halted (nginx)",
    )
    return exchange


def test_nginx_serves_the_published_board_while_gunicorn_is_down(nginx, board):
    get, published = nginx
    assert (published / "ja/index.html").exists()
    # Nothing listens where gunicorn should: every page of Django fails at the gateway...
    assert get("/accounts/login/")[0] == 502
    # ...and the public board answers from its copy, with its generation and time.
    status, headers, body = get("/")
    assert status == 200, body[:300]
    assert body == (published / "ja/index.html").read_bytes()
    assert "売買停止-nginx" in body.decode() and "公開コピー: 第" in body.decode()
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["ETag"] and headers["Last-Modified"]
    assert "Accept-Language" in headers["Vary"]
    assert get("/", {"If-None-Match": headers["ETag"]})[0] == 304
    _security_headers_are_djangos(headers)


def _security_headers_are_djangos(headers) -> None:
    """The copy carries the policy Django puts on the same page: no inline code, no camera..."""
    from django.conf import settings

    from bcpweb.headers import permissions_policy

    def directives(policy: str) -> dict[str, list[str]]:
        parts = (part.split() for part in policy.split(";") if part.strip())
        return {name: values for name, *values in parts}

    assert (
        directives(headers["Content-Security-Policy"])
        == (settings.CONTENT_SECURITY_POLICY["DIRECTIVES"])
    )
    assert headers["Permissions-Policy"] == permissions_policy(settings.PERMISSIONS_POLICY)
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == settings.SECURE_REFERRER_POLICY
    assert headers["X-Frame-Options"] == settings.X_FRAME_OPTIONS


def test_the_language_comes_from_the_cookie_then_accept_language(nginx, board):
    get, _published = nginx
    english = get("/", {"Accept-Language": "en-US,en;q=0.9"})[2].decode()
    assert "Halted (nginx)" in english and 'lang="en"' in english
    assert 'lang="ja"' in get("/", {"Accept-Language": "ja,en;q=0.5"})[2].decode()
    assert 'lang="ja"' in get("/", {"Accept-Language": "fr"})[2].decode()
    cookie = {"Accept-Language": "en", "Cookie": "django_language=ja"}
    assert 'lang="ja"' in get("/", cookie)[2].decode()
    assert 'lang="en"' in get("/board/PUB-EX/", {"Cookie": "django_language=en"})[2].decode()


def test_feeds_json_and_compressed_copies(nginx, board):
    get, published = nginx
    status, headers, body = get("/feeds/status.atom")
    assert status == 200 and headers["Content-Type"].startswith("application/atom+xml")
    _security_headers_are_djangos(headers)
    assert "売買停止-nginx" in body.decode()
    assert get("/board/PUB-EX/feed.atom", {"Accept-Language": "en"})[0] == 200
    status, headers, body = get("/api/v1/board/")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    assert json.loads(body)["organizations"][0]["code"] == "PUB-EX"
    status, headers, body = get("/board/PUB-EX/", {"Accept-Encoding": "gzip"})
    assert status == 200 and headers.get("Content-Encoding") == "gzip"
    assert gzip.decompress(body) == (published / "ja/board/PUB-EX/index.html").read_bytes()


def test_members_and_pages_without_a_file_go_to_django(nginx, board):
    get, _published = nginx
    assert get("/", {"Cookie": "sessionid=abc"})[0] == 502
    assert get("/api/v1/board/", {"Authorization": "Token abc"})[0] == 502
    assert get("/board/PUB-EX/?x=1")[0] == 502
    assert get("/board/NO-SUCH/")[0] == 502
    assert get("/board/language/?language=en")[0] == 502
    assert get("/members/board/")[0] == 502


def test_the_copy_follows_the_next_change(nginx, board, report):  # noqa: F811
    get, _published = nginx
    reporter = factories.user("reporter_pub2", role="reporter", organization=board)
    report(reporter, board, "trading", "normal", message="再開-nginx")
    assert "再開-nginx" in get("/")[2].decode()
