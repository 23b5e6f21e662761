"""Real processes for the fault tests: a private redis-server, an SMTP sink, Celery workers.

The private Redis listens on its own port so that stopping it never touches the Redis that
other test runs share. Workers use the test database (rows are committed by
``transactional_db``) and run with eager mode off.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from email import message_from_bytes
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float, interval: float = 0.1, message: str = "timed out"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(message)


class RedisServer:
    def __init__(self, port: int, workdir: Path):
        self.port = port
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
                "--protected-mode",
                "yes",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self._up, 10, message="redis-server did not start")

    def _up(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        """Stopped hard: without persistence every queued task message is lost."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


class SmtpSink:
    """aiosmtpd on loopback that counts every accepted message by its Message-ID.

    ``hold_at``: the n-th recipient command is answered only after ``hold_seconds``, and
    ``holding`` is set meanwhile — a moment when a worker is certainly in the middle of a
    batch. ``rcpt_delay`` slows every message down.
    """

    def __init__(
        self, *, hold_at: int | None = None, hold_seconds: float = 0, rcpt_delay: float = 0
    ):
        from aiosmtpd.controller import Controller

        self.port = free_port()
        self.received: list[str] = []
        self.rcpts = 0
        self.hold_at = hold_at
        self.hold_seconds = hold_seconds
        self.rcpt_delay = rcpt_delay
        self.holding = threading.Event()
        self._lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        # Like Postfix, take MAIL/RCPT/DATA pipelined (aiosmtpd reads commands in order).
        session.host_name = hostname
        return [*responses[:-1], "250-PIPELINING", responses[-1]]

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self._lock:
            self.rcpts += 1
            n = self.rcpts
        if self.hold_at is not None and n == self.hold_at:
            self.holding.set()
            await asyncio.sleep(self.hold_seconds)
        elif self.rcpt_delay:
            await asyncio.sleep(self.rcpt_delay)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content)
        with self._lock:
            self.received.append(message["Message-ID"])
        return "250 Message accepted for delivery"

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()

    @property
    def duplicates(self) -> int:
        return sum(n - 1 for n in Counter(self.received).values())


class Worker:
    def __init__(self, name: str, env: dict[str, str], logdir: Path, *, beat: bool = False):
        self.name = name
        self.log = logdir / f"{name}.log"
        args = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "bcpweb",
            "worker",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"{name}@%h",
            "-l",
            "INFO",
        ]
        if beat:
            args += ["-B", "-s", str(logdir / f"{name}-beat-schedule")]
        self.args = args
        self.env = env
        self.process: subprocess.Popen | None = None

    def start(self, wait: bool = True) -> Worker:
        self._out = self.log.open("ab")
        self.process = subprocess.Popen(
            self.args,
            cwd=ROOT,
            env=self.env,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        if wait:
            wait_for(
                lambda: b" ready." in self.log.read_bytes() or self.process.poll(),
                60,
                message=f"worker {self.name} did not start: {self.tail()}",
            )
            assert self.process.poll() is None, self.tail()
        return self

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        self._out.close()

    def tail(self, n: int = 3000) -> str:
        return self.log.read_bytes()[-n:].decode(errors="replace") if self.log.exists() else ""


# Sweeps, claims and retries in seconds rather than minutes, so that a test sees recovery.
FAST_ALERTS = {
    "ALERT_SWEEP_SECONDS": "0.5",
    "ALERT_CLAIM_TIMEOUT_SECONDS": "3",
    "ALERT_REQUEUE_AFTER_SECONDS": "3",
    "ALERT_BACKOFF_BASE_SECONDS": "0.2",
    "ALERT_BACKOFF_CAP_SECONDS": "1",
    "ALERT_MAX_ATTEMPTS": "3",
    "ALERT_WEBHOOK_TIMEOUT_SECONDS": "1",
    "ALERT_BATCH_SIZE": "5",
}


def worker_env(*, database: str, broker: str, smtp_port: int, **extra) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "tests.alerts.worker_settings",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
            "CELERY_BROKER_URL": broker,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "PYTHONPATH": str(ROOT),
            **FAST_ALERTS,
        }
    )
    env.pop("TEST_DATABASE_NAME", None)
    env.update({k: str(v) for k, v in extra.items()})
    return env
