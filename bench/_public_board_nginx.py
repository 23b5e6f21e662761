"""bench/public_board.py's nginx half: nginx in front, the published copy, a churning board.

nginx runs the site of deploy/nginx.conf as `make stack` renders it (deploy/stack.py), in
front of the bench's gunicorn, with one extra plain file under /static/ holding the very
bytes of the published board: the same server, the same connection handling, only the
published board's map and try_files in between. A Celery worker writes the published copy.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from deploy import stack  # noqa: E402 — the project, beside this script's directory

PLAIN = "/static/bench-plain-board.html"


def nginx_binary() -> str:
    found = shutil.which("nginx", path="/usr/sbin:/usr/bin:/sbin")
    if not found:
        subprocess.run(["bash", str(ROOT / "scripts/system-packages.sh"), "stack"], check=True)
        found = shutil.which("nginx", path="/usr/sbin:/usr/bin:/sbin")
    if not found:
        raise RuntimeError("nginx is not installed (bash scripts/system-packages.sh stack)")
    return found


def start_nginx(workdir: Path, port: int, gunicorn_port: int) -> subprocess.Popen:
    config = stack.StackConfig(port=port, web_port=gunicorn_port, var_dir=workdir)
    main = stack.write_nginx(config)
    # The access log of every request would cost nginx more than serving it: off for both.
    main.write_text(main.read_text().replace("access_log /dev/stdout;", "access_log off;"))
    return subprocess.Popen(
        [nginx_binary(), "-p", f"{main.parent}/", "-c", "nginx.conf", "-e", "stderr"]
        + ["-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )


def start_worker(env: dict, root: Path) -> subprocess.Popen:
    celery = str(Path(sys.executable).with_name("celery"))
    return subprocess.Popen(
        [celery, "-A", "bcpweb", "worker", "--concurrency", "1", "--loglevel", "WARNING"]
        + ["--without-gossip", "--without-mingle", "--without-heartbeat"],
        env=env,
        cwd=root,
        start_new_session=True,
    )


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def post_status(base: str, token: str, status: str, message: str) -> None:
    body = json.dumps(
        {"organization": "TSE", "function": "trading", "status": status, "message": message}
    ).encode()
    request = urllib.request.Request(
        f"{base}/api/v1/status-reports/",
        data=body,
        method="POST",
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        if response.status != 201:
            raise RuntimeError(f"posting a status failed: HTTP {response.status}")


def wait_published(url: str, marker: str, since: float, timeout: float = 30) -> float:
    while time.monotonic() - since < timeout:
        with urllib.request.urlopen(url, timeout=10) as response:
            if marker.encode() in response.read():
                return time.monotonic() - since
        time.sleep(0.05)
    raise RuntimeError(f"{marker} never reached the published copy at {url}")


class Churn:
    """A status changes every ``interval`` seconds (through gunicorn's API) while it runs."""

    def __init__(self, base: str, token: str, interval: float = 0.5):
        self.base, self.token, self.interval = base, token, interval
        self.posted = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self):
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        statuses = ("degraded", "suspended", "backup_site", "normal")
        while not self._stop.is_set():
            began = time.monotonic()
            status = statuses[self.posted % len(statuses)]
            post_status(self.base, self.token, status, f"churn-{uuid.uuid4().hex[:8]}")
            self.posted += 1
            self._stop.wait(max(0.0, self.interval - (time.monotonic() - began)))

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def measure_published_freshness(nginx_base: str, base: str, token: str, load) -> float:
    """Post a status while nginx's board is under load; seconds until nginx serves it."""
    marker = f"bench-pub-{uuid.uuid4().hex[:12]}"
    background = threading.Thread(target=load)
    background.start()
    time.sleep(1.0)
    posted = time.monotonic()
    post_status(base, token, "degraded", marker)
    try:
        return wait_published(f"{nginx_base}/", marker, posted)
    finally:
        background.join()
