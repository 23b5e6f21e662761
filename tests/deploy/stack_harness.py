"""The deployed stack for a test: `python -m deploy.stack` (what `make stack` runs) on free
ports, with its own database, a private Redis, an SMTP sink, and a small HTTP client.

Every process is cleaned up by ``Deployment.close``, also when the test fails half-way.
"""

from __future__ import annotations

import contextlib
import email.policy
import http.cookiejar
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email import message_from_bytes
from pathlib import Path

from deploy import stack
from tests.alerts.harness import (
    FAST_ALERTS,
    ROOT,
    RedisServer,
    SmtpSink,
    free_port,
    wait_for,
)

_STARTED = re.compile(r"system\s+\| (\w+)\.1 started \(pid=(\d+)\)")
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class RecordingSink(SmtpSink):
    """The fault tests' sink, keeping each message (parsed) and its envelope recipients."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):
        parsed = message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append((list(envelope.rcpt_tos), parsed))
        return await super().handle_DATA(server, session, envelope)

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for rcpts, m in list(self.messages) if address in rcpts]

    def with_subject(self, marker: str) -> list[tuple[list[str], email.message.EmailMessage]]:
        return [(r, m) for r, m in list(self.messages) if marker in str(m["Subject"])]


@dataclass
class Page:
    status: int
    url: str
    body: str

    def csrf(self) -> str:
        match = _CSRF.search(self.body)
        assert match, f"no CSRF token on {self.url}"
        return match.group(1)


class WebClient:
    """A browser's share of HTTP: cookies, redirects, an Origin on every POST, a language."""

    def __init__(self, base_url: str, language: str = "en"):
        self.base_url = base_url
        self.language = language
        self.cookies = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def request(self, path: str, *, data: bytes | None = None, headers=None) -> Page:
        url = path if path.startswith("http") else self.base_url + path
        request = urllib.request.Request(url, data=data, headers={**(headers or {})})
        request.add_header("Accept-Language", self.language)
        if data is not None:
            request.add_header("Origin", self.base_url)
        try:
            with self._opener.open(request, timeout=30) as response:
                return Page(response.status, response.url, response.read().decode())
        except urllib.error.HTTPError as error:
            return Page(error.code, error.url, error.read().decode(errors="replace"))
        except urllib.error.URLError as error:  # nothing listens (yet): status 0
            return Page(0, url, str(error.reason))

    def get(self, path: str) -> Page:
        return self.request(path)

    def post(self, path: str, fields: dict | list, *, csrf_from: Page | None = None) -> Page:
        pairs = list(fields.items()) if isinstance(fields, dict) else list(fields)
        token = (csrf_from or self.get(path)).csrf()
        body = urllib.parse.urlencode([("csrfmiddlewaretoken", token), *pairs]).encode()
        return self.request(
            path, data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
        )

    def post_json(self, path: str, payload: str, *, token: str) -> Page:
        return self.request(
            path,
            data=payload.encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
        )


class Honcho:
    """One `python -m deploy.stack [process ...]`: it prepares, then becomes honcho."""

    def __init__(self, args: list[str], log: Path):
        self.log = log
        self._out = log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "deploy.stack", *args],
            cwd=ROOT,
            env=_clean_environment(),
            stdout=self._out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        return self.log.read_bytes().decode(errors="replace")

    def pids(self) -> dict[str, int]:
        """The process group of each Procfile process (honcho starts each in its own)."""
        return {name: int(pid) for name, pid in _STARTED.findall(self.output())}

    def wait_for_output(self, pattern: str, timeout: float = 180) -> None:
        wait_for(
            lambda: re.search(pattern, self.output()) or self.process.poll() is not None,
            timeout,
            interval=0.2,
            message=f"no {pattern!r} from the stack:\n{self.output()[-4000:]}",
        )
        assert self.process.poll() is None, f"the stack exited:\n{self.output()[-4000:]}"

    def kill(self, *names: str) -> None:
        """SIGKILL to whole process groups, as a crash or the OOM killer would."""
        for name in names:
            _killpg(self.pids()[name], signal.SIGKILL)

    def stop(self) -> None:
        """SIGTERM to honcho, which stops every process it started before it exits (or to
        the preparing steps, which share its process group)."""
        if self.process.poll() is None:
            _killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                _killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
                # honcho died before its children: end them by the groups it reported.
                for pid in self.pids().values():
                    _killpg(pid, signal.SIGKILL)
        self._out.close()


def _killpg(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)


def _clean_environment() -> dict[str, str]:
    # The stack takes its settings from its own file; the test run's must not reach it.
    return {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}


class Deployment:
    """The stack's pieces for one test; ``start`` runs `make stack`'s entry point."""

    def __init__(self, database: str):
        self.dir = Path(tempfile.mkdtemp(prefix="bcpweb-stack-"))
        self.database = database
        self.database_url = f"postgres://postgres@127.0.0.1:5432/{database}"
        self.port = free_port()
        self.web_port = free_port()
        self.redis = RedisServer(free_port(), self.dir)
        self.sink = RecordingSink()
        self.running: list[Honcho] = []
        self.base_url = f"http://127.0.0.1:{self.port}"
        _drop_database(database)

    @property
    def config(self) -> stack.StackConfig:
        return stack.StackConfig(var_dir=self.dir / "var")

    def start(self, *names: str) -> Honcho:
        args = [
            "--port",
            str(self.port),
            "--web-port",
            str(self.web_port),
            "--database-url",
            self.database_url,
            "--redis-url",
            self.redis.url,
            "--var-dir",
            str(self.dir / "var"),
            "--email-host",
            "127.0.0.1",
            "--email-port",
            str(self.sink.port),
            *[f"--set={name}={value}" for name, value in FAST_ALERTS.items()],
            # One worker process: the kill then lands while the only batch in flight waits for
            # a held RCPT. A second process could be between a message's final dot and the
            # server's 250 at that instant — that message arrives, unrecorded, and is sent
            # again (same Message-ID), the one copy SMTP itself cannot rule out.
            "--set=CELERY_WORKER_CONCURRENCY=1",
            *names,
        ]
        honcho = Honcho(args, self.dir / f"stack-{len(self.running)}.log")
        self.running.append(honcho)
        return honcho

    def manage(self, *args: str, stdin: str | None = None) -> str:
        """A management command with the stack's environment, as an operator runs one."""
        values = stack.read_env_file(self.config.env_file)
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=stack.process_environment(values),
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, f"manage.py {args[0]}: {result.stdout}{result.stderr}"
        return result.stdout

    def logs(self) -> str:
        return "\n".join(h.output()[-3000:] for h in self.running)

    def close(self) -> None:
        for honcho in reversed(self.running):
            honcho.stop()
        self.sink.stop()
        self.redis.stop()
        _drop_database(self.database)
        shutil.rmtree(self.dir, ignore_errors=True)


def _drop_database(name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(
        "postgres://postgres@127.0.0.1:5432/postgres", autocommit=True
    ) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
