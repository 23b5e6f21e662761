"""Keep an uploaded file's rows on the server between the dry run and the apply step.

The browser only ever holds a random token. The rows live in a file under VAR_DIR that names
its owner; apply reads them from there (never from the form), checks the owner and age,
claims the file with an atomic rename so that a double click applies it once, and checks
every row again before writing.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from .readers import Table

MAX_AGE_SECONDS = 60 * 60
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{40,64}$")


@dataclass
class Pending:
    token: str
    user_id: int
    dataset: str
    filename: str
    created: float
    table: Table


def _directory() -> Path:
    directory = Path(settings.VAR_DIR) / "imports"
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory


def _path(token: str) -> Path | None:
    if not _TOKEN.match(token or ""):
        return None
    return _directory() / f"{token}.json"


def sweep(now: float | None = None) -> None:
    """Forget uploads nobody applied in time."""
    now = now or time.time()
    for path in _directory().iterdir():
        try:
            if now - path.stat().st_mtime > MAX_AGE_SECONDS:
                path.unlink()
        except FileNotFoundError:
            continue


def pending_save(*, user, dataset: str, filename: str, table: Table) -> str:
    sweep()
    token = secrets.token_urlsafe(32)
    path = _path(token)
    payload = {
        "user": user.pk,
        "dataset": dataset,
        "filename": filename,
        "created": time.time(),
        "header": table.header,
        "rows": table.rows,
    }
    partial = path.with_suffix(".json.part")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        json.dump(payload, out, ensure_ascii=False)
    os.replace(partial, path)
    return token


def pending_load(*, user, token: str, claimed: bool = False) -> Pending | None:
    """The upload, or None when it is unknown, expired or someone else's."""
    path = _path(token)
    if path is not None and claimed:
        path = path.with_suffix(".json.applying")
    if path is None or not path.exists():
        return None
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if payload.get("user") != getattr(user, "pk", user):
        return None
    if time.time() - payload.get("created", 0) > MAX_AGE_SECONDS:
        pending_discard(token)
        return None
    table = Table(
        header=list(payload["header"]),
        rows=[(int(number), list(cells)) for number, cells in payload["rows"]],
    )
    return Pending(
        token=token,
        user_id=payload["user"],
        dataset=payload["dataset"],
        filename=payload.get("filename", ""),
        created=payload["created"],
        table=table,
    )


def pending_claim(token: str) -> bool:
    """Take the upload for applying; False when another request took it first."""
    path = _path(token)
    if path is None:
        return False
    try:
        os.replace(path, path.with_suffix(".json.applying"))
    except FileNotFoundError:
        return False
    return True


def pending_discard(token: str) -> None:
    path = _path(token)
    if path is None:
        return
    for candidate in (path, path.with_suffix(".json.applying")):
        candidate.unlink(missing_ok=True)


def result_save(token: str, *, user_id: int, **result) -> None:
    """What became of an upload applied in the background, for its owner to read."""
    path = _path(token)
    if path is None:
        return
    partial = path.with_suffix(".result.part")
    partial.write_text(json.dumps({"user": user_id, **result}, ensure_ascii=False), "utf-8")
    os.chmod(partial, 0o600)
    os.replace(partial, path.with_suffix(".result"))


def result_load(*, user, token: str) -> dict | None:
    path = _path(token)
    if path is None:
        return None
    path = path.with_suffix(".result")
    try:
        result = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return result if result.get("user") == user.pk else None
