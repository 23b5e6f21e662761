"""The second, independent copy of the published board: an S3-compatible bucket and/or rsync.

After each publication (``tasks.board_publish``) and every ``BOARD_MIRROR_SWEEP_SECONDS`` (the
beat's ``status_board.board_mirror_sweep``) each configured target receives what it lacks.
What a target holds is recorded next to the published files (``.mirror-<target>.json``: the
content hash of each file it was sent); what differs from the manifest is *pending*. A target
that cannot be reached keeps its record, so the next sweep sends the same files again, and a
status post never waits for it.

    BOARD_MIRROR_S3_BUCKET (+ _PREFIX, _ENDPOINT_URL, _REGION; credentials as boto3 reads them)
    BOARD_MIRROR_RSYNC_TARGET   e.g. board@osaka.example.jp:/srv/board/ (rsync over SSH)
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import mimetypes
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from . import publishing

logger = logging.getLogger(__name__)

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".atom": "application/atom+xml; charset=utf-8",
}


@dataclass
class SyncResult:
    target: str
    sent: int
    removed: int
    pending: int
    error: str = ""


def configured() -> bool:
    return bool(settings.BOARD_MIRROR_S3_BUCKET or settings.BOARD_MIRROR_RSYNC_TARGET)


def _record_path(root: Path, target: str) -> Path:
    return root / f".mirror-{target}.json"


def read_record(root: Path, target: str) -> dict[str, str]:
    try:
        return json.loads(_record_path(root, target).read_bytes())
    except (OSError, ValueError):
        return {}


def _wanted(root: Path) -> dict[str, str]:
    """Every published file and the hash of its content; the manifest itself goes last."""
    manifest = publishing.read_manifest(root)
    wanted = {rel: entry["sha"] for rel, entry in manifest.get("files", {}).items()}
    if manifest.get("generation"):
        wanted[publishing.MANIFEST] = str(manifest["generation"])
    return wanted


def pending(root: Path, target: str) -> tuple[list[str], list[str]]:
    """(files to send, files to remove) for ``target``."""
    wanted = _wanted(root)
    record = read_record(root, target)
    send = sorted((r for r in wanted if record.get(r) != wanted[r]), key=_manifest_last)
    return send, sorted(set(record) - set(wanted))


def _manifest_last(rel: str) -> tuple[bool, str]:
    return rel == publishing.MANIFEST, rel


def _content_type(rel: str) -> str:
    suffix = Path(rel).suffix
    return CONTENT_TYPES.get(suffix) or mimetypes.guess_type(rel)[0] or "application/octet-stream"


class S3Target:
    name = "s3"

    def __init__(self):
        import boto3
        from botocore.config import Config

        timeout = settings.BOARD_MIRROR_TIMEOUT_SECONDS
        self.bucket = settings.BOARD_MIRROR_S3_BUCKET
        self.prefix = settings.BOARD_MIRROR_S3_PREFIX.strip("/")
        self.client = boto3.client(
            "s3",
            endpoint_url=settings.BOARD_MIRROR_S3_ENDPOINT_URL or None,
            region_name=settings.BOARD_MIRROR_S3_REGION or None,
            config=Config(
                connect_timeout=timeout,
                read_timeout=timeout,
                retries={"max_attempts": 1, "mode": "standard"},
            ),
        )

    def key(self, rel: str) -> str:
        return f"{self.prefix}/{rel}" if self.prefix else rel

    def sync(self, root: Path, send: list[str], remove: list[str], record: dict, wanted: dict):
        for rel in send:
            try:
                body = (root / rel).read_bytes()
            except FileNotFoundError:
                continue  # replaced or removed meanwhile: the next round sends what is there
            self.client.put_object(
                Bucket=self.bucket,
                Key=self.key(rel),
                Body=body,
                ContentType=_content_type(rel),
                CacheControl="public, max-age=5",
            )
            record[rel] = wanted[rel]
        for rel in remove:
            self.client.delete_object(Bucket=self.bucket, Key=self.key(rel))
            record.pop(rel, None)


class RsyncTarget:
    name = "rsync"

    def sync(self, root: Path, send: list[str], remove: list[str], record: dict, wanted: dict):
        timeout = max(1, round(settings.BOARD_MIRROR_TIMEOUT_SECONDS))
        # The whole copy at once (rsync sends only what differs); dot files stay home.
        command = [
            "rsync",
            "-a",
            "--delete",
            "--delay-updates",
            "--exclude=.*",
            f"--timeout={timeout}",
            f"{root}/",
            settings.BOARD_MIRROR_RSYNC_TARGET,
        ]
        result = subprocess.run(  # noqa: S603 — a fixed argument list, no shell
            command, capture_output=True, text=True, timeout=timeout * 6
        )
        if result.returncode != 0:
            raise OSError(f"rsync exited {result.returncode}: {result.stderr.strip()[:300]}")
        record.clear()
        record.update(wanted)


def targets() -> list:
    found = []
    if settings.BOARD_MIRROR_S3_BUCKET:
        found.append(S3Target())
    if settings.BOARD_MIRROR_RSYNC_TARGET:
        found.append(RsyncTarget())
    return found


def _sync_one(root: Path, target) -> SyncResult:
    wanted = _wanted(root)
    send, remove = pending(root, target.name)
    record = read_record(root, target.name)
    before = dict(record)
    error = ""
    try:
        if send or remove:
            target.sync(root, send, remove, record, wanted)
    except Exception as exc:  # unreachable, refused, timed out: all retried by the sweep
        error = f"{type(exc).__name__}: {exc}"
        logger.warning("status board: second copy (%s) not reached: %s", target.name, error)
    if record != before:
        publishing.atomic_write(_record_path(root, target.name), json.dumps(record).encode())
    left, gone = pending(root, target.name)
    sent = sum(1 for rel in send if record.get(rel) == wanted.get(rel))
    return SyncResult(target.name, sent, len(remove) - len(gone), len(left) + len(gone), error)


def sync_all(*, max_rounds: int = 3) -> list[SyncResult]:
    """Send each target what it lacks; a sweep already running elsewhere is left to finish."""
    root = publishing.publish_dir()
    if root is None or not configured() or not (root / publishing.MANIFEST).exists():
        return []
    with open(root / ".mirror.lock", "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return []
        try:
            results: list[SyncResult] = []
            for _round in range(max_rounds):
                generation = publishing.read_manifest(root).get("generation")
                results = [_sync_one(root, target) for target in targets()]
                failed = any(r.error for r in results)
                if failed or publishing.read_manifest(root).get("generation") == generation:
                    break
            return results
        finally:
            with contextlib.suppress(OSError):
                fcntl.flock(lock, fcntl.LOCK_UN)
