"""Processes for the second-site tests: the portal (gunicorn), a writer, a small browser."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tests.alerts.harness import Worker, free_port, wait_for

ROOT = Path(__file__).resolve().parents[2]


def child_env(**overrides) -> dict[str, str]:
    """This environment for a child process, without the test run's own database."""
    env = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_NAME", "DATABASE_URL")}
    env["PYTHONPATH"] = str(ROOT)
    env.update({k: str(v) for k, v in overrides.items()})
    return env


def portal_env(*, database_url: str, redis_url: str, var_dir: Path, **extra) -> dict[str, str]:
    return child_env(
        DJANGO_SETTINGS_MODULE="bcpweb.settings.test",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        BCPWEB_VAR_DIR=var_dir,
        **extra,
    )


def manage(*args: str, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


class _Child(Worker):
    """A child process in its own session, its output in a log file (the harness's Worker)."""

    def __init__(self, name: str, env: dict[str, str], logdir: Path, args: list[str]):
        super().__init__(name, env, logdir)
        self.args = args

    def start(self) -> _Child:
        super().start(wait=False)
        return self

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def text(self) -> str:
        return self.tail(10_000_000)


class Portal(_Child):
    """gunicorn serving the portal against one database, as at one site."""

    def __init__(self, name: str, env: dict[str, str], logdir: Path):
        self.port = free_port()
        super().__init__(f"web-{name}", env, logdir, [
            sys.executable, "-m", "gunicorn", "bcpweb.wsgi:application",
            "--bind", f"127.0.0.1:{self.port}", "--workers", "1", "--threads", "4",
            "--access-logfile", "-", "--error-logfile", "-",
        ])  # fmt: skip

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Portal:
        super().start()
        wait_for(
            lambda: not self.running() or Browser().get(self.url + "/healthz").status == 200,
            60,
            interval=0.3,
            message=f"the portal did not start: {self.tail()}",
        )
        assert self.running(), self.tail()
        return self


class Writer(_Child):
    """tests/bcpweb/failover_writer.py: commits as fast as it can until the primary dies."""

    def __init__(self, env: dict[str, str], logdir: Path, threads: int = 4):
        args = [sys.executable, "-m", "tests.bcpweb.failover_writer", str(threads)]
        super().__init__(f"writer-{time.monotonic_ns()}", env, logdir, args)

    def acknowledged(self) -> set[int]:
        return {int(line) for line in self.text().split() if line.isdigit()}

    def synchronous_commit(self) -> str:
        found = re.search(r"synchronous_commit=(\w+)", self.text())
        return found.group(1) if found else ""


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: str

    def json(self):
        return json.loads(self.body)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Cookies (session, CSRF) kept across requests and sites, like one user's browser."""

    def __init__(self):
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect()
        )

    def request(self, method: str, url: str, data=None, headers=None) -> Answer:
        body = None
        headers = dict(headers or {})
        if isinstance(data, dict) and headers.get("Content-Type") == "application/json":
            body = json.dumps(data).encode()
        elif data is not None:
            body = urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(url, data=body, headers=headers, method=method)
        try:
            with self.opener.open(request, timeout=30) as response:
                return Answer(response.status, dict(response.headers), response.read().decode())
        except urllib.error.HTTPError as error:
            return Answer(error.code, dict(error.headers), error.read().decode())
        except (urllib.error.URLError, ConnectionError) as error:
            return Answer(0, {}, str(error))

    def get(self, url: str, **headers) -> Answer:
        return self.request("GET", url, headers=headers)

    def csrf_post(self, page_url: str, url: str, data: dict) -> Answer:
        """POST a form the way a browser does: the token from the page, the cookie kept."""
        page = self.get(page_url)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        assert token, f"no CSRF token on {page_url}: {page.status}"
        return self.request(
            "POST", url, {**data, "csrfmiddlewaretoken": token.group(1)}, {"Referer": page_url}
        )


def write_figures(figures: dict, path: Path) -> str:
    line = json.dumps(figures, sort_keys=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(line + "\n")
    return line
