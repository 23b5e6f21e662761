"""Private PostgreSQL clusters for the second-site tests: a primary and its hot standby.

Each cluster lives in its own temporary directory and listens on its own port, so killing it
never touches the machine's shared PostgreSQL. PostgreSQL refuses to run as root: when the
tests run as root, every server binary runs as the ``postgres`` user (``runuser``).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import psycopg


def _bin_dir() -> Path:
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: p.parts)
    if not versions:
        raise RuntimeError("PostgreSQL server binaries not found: install postgresql or set PG_BIN")
    return versions[-1].parent


PG_BIN = _bin_dir()


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def run_pg(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    command = _as_postgres([str(PG_BIN / args[0]), *args[1:]])
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise AssertionError(f"{' '.join(args[:1])} failed: {result.stdout}{result.stderr}")
    return result


def private_root(prefix: str) -> Path:
    """A temporary directory the postgres user may enter (pytest's tmp_path is root-only)."""
    import tempfile

    root = Path(tempfile.mkdtemp(prefix=prefix))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    return root


class Cluster:
    def __init__(self, root: Path, name: str, port: int):
        self.root = root
        self.name = name
        self.port = port
        self.datadir = root / name
        self.log = root / f"{name}.log"
        self._stalled: list[int] = []

    def url(self, database: str = "bcpweb", user: str = "postgres") -> str:
        return f"postgres://{user}@127.0.0.1:{self.port}/{database}"

    def _settings(self) -> str:
        return (
            f"\nport = {self.port}\n"
            "listen_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{self.root}'\n"
            f"cluster_name = '{self.name}'\n"
            "max_connections = 40\n"
            "shared_buffers = 32MB\n"
        )

    def init_primary(self) -> Cluster:
        run_pg(
            "initdb", "-D", str(self.datadir), "-U", "postgres", "--auth=trust",
            "-E", "UTF8", "--locale=C.UTF-8",
        )  # fmt: skip
        with open(self.datadir / "postgresql.conf", "a") as conf:
            conf.write(self._settings())
            conf.write("wal_level = replica\nmax_wal_senders = 5\nhot_standby = on\n")
        with open(self.datadir / "pg_hba.conf", "a") as hba:
            hba.write("host replication all 127.0.0.1/32 trust\n")
        return self

    def init_standby_of(self, primary: Cluster) -> Cluster:
        """pg_basebackup -R: a copy of the primary that streams from it once started."""
        run_pg(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
            "-D", str(self.datadir), "-R", "-X", "stream", "--checkpoint=fast",
            "-d", f"application_name={self.name}",
        )  # fmt: skip
        with open(self.datadir / "postgresql.conf", "a") as conf:
            conf.write(self._settings())  # the copy says the primary's port: ours wins
        return self

    def start(self) -> Cluster:
        run_pg("pg_ctl", "-D", str(self.datadir), "-l", str(self.log), "-w", "-t", "60", "start")
        return self

    def stop(self, mode: str = "fast") -> None:
        if (self.datadir / "postmaster.pid").exists():
            run_pg("pg_ctl", "-D", str(self.datadir), "-m", mode, "-w", "stop")

    def kill(self) -> None:
        """Like losing the site: no shutdown checkpoint, nothing more sent to the standby."""
        if not self._stalled:
            self.stop("immediate")
            return
        # A stopped walsender cannot act on the shutdown signal: let every other process of
        # the cluster die first, then the walsenders, so nothing more is sent in between.
        stopping = subprocess.Popen(
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.datadir), "-m", "immediate",
                          "-w", "stop"]),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(0.5)
        for pid in self._stalled:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        stopping.wait(60)
        self._stalled = []

    def stall_replication(self) -> None:
        """The link to the standby stalls: the primary's walsenders stop sending (SIGSTOP)."""
        self._stalled = [row[0] for row in self.query("SELECT pid FROM pg_stat_replication")]
        assert self._stalled, "no standby is streaming from this cluster"
        for pid in self._stalled:
            os.kill(pid, signal.SIGSTOP)

    def query(self, sql: str, params=(), database: str = "postgres"):
        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=database, autocommit=True
        ) as conn:
            cursor = conn.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def value(self, sql: str, params=(), database: str = "postgres"):
        return self.query(sql, params, database)[0][0]

    def wal_after(self, lsn: str) -> tuple[int, int]:
        """(bytes, commit records) this dead cluster wrote to its WAL after ``lsn``.

        Read from its pg_wal with pg_waldump: what a standby that had received up to
        ``lsn`` never got.
        """
        result = subprocess.run(
            _as_postgres(
                [str(PG_BIN / "pg_waldump"), "--path", str(self.datadir / "pg_wal"),
                 "--start", lsn]
            ),
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        end = parse_lsn(lsn)
        commits = 0
        for line in result.stdout.splitlines():
            found = re.search(r"len \(rec/tot\):\s*\d+/\s*(\d+).*lsn: ([0-9A-F]+/[0-9A-F]+)", line)
            if found:
                end = max(end, parse_lsn(found.group(2)) + int(found.group(1)))
                commits += "desc: COMMIT" in line
        return max(0, end - parse_lsn(lsn)), commits


def parse_lsn(text: str) -> int:
    high, low = text.split("/")
    return (int(high, 16) << 32) + int(low, 16)
