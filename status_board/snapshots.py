"""The cached public board: rebuilt on every change, served without touching PostgreSQL.

One *bundle* holds every cached representation (the public page in Japanese and English,
the board JSON for the public and for members) built from one read of the database. It lives
in Redis for every process, in each process's memory (checked against Redis at most every
``LOCAL_TTL`` seconds) and in a file under ``VAR_DIR`` — the last good copy that is served,
marked with its time, while PostgreSQL is down.

The hot path (``current()``) touches neither Redis nor PostgreSQL: it hands out the memory
copy. Once per ``LOCAL_TTL`` *one* thread of the process asks Redis whether the copy is still
current (one ``MGET`` of two small keys) while the other threads keep serving; once per
``DB_PROBE_INTERVAL`` one thread checks that PostgreSQL answers (stale marking). So a
process makes about 4 Redis and 0.5 PostgreSQL round trips a second, whatever its traffic.

Freshness: ``board_changed()`` (called on commit of every status change) bumps a data
version and rebuilds at once; concurrent changes are coalesced under a lock. A bundle built
for an older data version is rebuilt by the next request that sees it.

Each bundle built is handed to the ``after_rebuild`` hooks: ``status_board.apps`` registers the
task that writes the published static copy (``status_board.publishing``) from it.

Redis outages: a bundle built while Redis was unreachable is marked ``offline`` (in memory and
in the file), and the process remembers that Redis missed something (``cache_lost``). When Redis
answers again, that process (or the next one to start, finding an offline copy in the file)
bumps the data version and rebuilds, so the bundle Redis kept from before the outage never wins
over newer data; of two copies, the one with the higher data version (then the later build)
is served.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import pickle  # noqa: S403 — our own bundle, written and read only by the portal
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection

from .bundles import Bundle, build

logger = logging.getLogger(__name__)

KEY_BUNDLE = "status_board:bundle:v1"
KEY_BUNDLE_ID = "status_board:bundle_id:v1"
KEY_DATA_VERSION = "status_board:data_version:v1"
KEY_LOCK = "status_board:rebuild_lock:v1"
LOCAL_TTL = 0.25  # seconds a process trusts its memory copy without asking Redis
DB_PROBE_INTERVAL = 2.0  # seconds between checks that PostgreSQL still answers

# Redis failures must never break the board: fall back to memory and the file.
try:
    from redis.exceptions import RedisError as _RedisError

    CACHE_ERRORS: tuple[type[BaseException], ...] = (_RedisError, OSError)
except ImportError:  # pragma: no cover - redis is a dependency
    CACHE_ERRORS = (OSError,)


@dataclass
class _Local:
    bundle: Bundle | None = None
    checked: float = 0.0
    db_ok: bool = True
    db_checked: float = 0.0
    # A cache call failed since Redis last heard from us: changes may be missing there.
    cache_lost: bool = False


_local = _Local()
_local_lock = threading.Lock()
# Single flight: one thread per process revalidates the copy (or builds the first one) and
# one probes PostgreSQL; the others keep serving what the process holds meanwhile.
_revalidate_lock = threading.Lock()
_probe_lock = threading.Lock()


def reset_local_state() -> None:
    """Forget this process's copy (tests; after the cache was cleared)."""
    global _local
    _local = _Local()


def _snapshot_path() -> Path:
    # One file per database, so that test runs and installations never share a copy.
    name = f"{connection.settings_dict.get('NAME')}:{settings.CACHES['default'].get('KEY_PREFIX')}"
    digest = hashlib.blake2b(name.encode(), digest_size=6).hexdigest()
    return Path(settings.VAR_DIR) / f"status_board_snapshot-{digest}.pickle"


def _cache_unavailable(error) -> None:
    _local.cache_lost = True
    logger.warning("status board: cache unavailable: %s", error)


def _cache_get_many(keys):
    try:
        return cache.get_many(keys), True
    except CACHE_ERRORS as error:
        _cache_unavailable(error)
        return {}, False


def _known_version() -> int:
    """The highest data version this process has seen, so that versions never go back (after
    a Redis flush or restart the counter starts above it)."""
    return _local.bundle.data_version if _local.bundle is not None else 0


def _newest(*bundles: Bundle | None) -> Bundle | None:
    present = [b for b in bundles if b is not None]
    return max(present, key=lambda b: b.order) if present else None


def _data_version() -> int | None:
    values, ok = _cache_get_many([KEY_DATA_VERSION])
    return values.get(KEY_DATA_VERSION) if ok else None


def board_changed() -> None:
    """A status (or anything shown on the board) changed: rebuild the cached board now."""
    invalidate()
    try:
        rebuild()
    except DatabaseError as error:
        logger.warning("status board: rebuild failed: %s", error)


def invalidate() -> None:
    """Something shown on the board changed; the next request rebuilds it."""
    try:
        try:
            cache.incr(KEY_DATA_VERSION)
        except ValueError:
            cache.add(KEY_DATA_VERSION, _known_version() + 1, timeout=None)
    except CACHE_ERRORS as error:
        _cache_unavailable(error)
    _local.checked = 0.0


def rebuild(*, max_rounds: int = 5) -> Bundle | None:
    """Build and store a fresh bundle; coalesces with a rebuild already running elsewhere."""
    bundle = None
    for _round in range(max_rounds):
        try:
            if not cache.add(KEY_LOCK, os.getpid(), timeout=30):
                return bundle  # the holder re-checks the data version when it is done
            locked = True
        except CACHE_ERRORS:
            locked = False
        try:
            version = _data_version()
            if version is None:
                try:
                    cache.add(KEY_DATA_VERSION, _known_version() + 1, timeout=None)
                    version = cache.get(KEY_DATA_VERSION)
                except CACHE_ERRORS as error:
                    _cache_unavailable(error)
                    version = None
            # Without Redis the version is unknown: the newest one seen, and marked offline.
            bundle = build(data_version=_known_version() if version is None else version)
            bundle.offline = version is None
            _store(bundle)
            _published(bundle)
        finally:
            if locked:
                with contextlib.suppress(*CACHE_ERRORS):
                    cache.delete(KEY_LOCK)
        if not locked or _data_version() in (None, bundle.data_version):
            return bundle
    return bundle


def _store(bundle: Bundle) -> None:
    if not bundle.offline:
        try:
            cache.set_many({KEY_BUNDLE: bundle, KEY_BUNDLE_ID: bundle.id}, timeout=None)
        except CACHE_ERRORS as error:
            _cache_unavailable(error)
            bundle.offline = True
    with _local_lock:
        _local.bundle = bundle
        _local.checked = time.monotonic()
        _local.db_ok = True
    path = _snapshot_path()
    try:
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as tmp:
            pickle.dump(bundle, tmp)
        os.replace(tmp.name, path)
    except OSError as error:
        logger.warning("status board: cannot write %s: %s", path, error)


# Called with each bundle built and stored (status_board.apps: the published copy's task).
after_rebuild: list = []


def _published(bundle: Bundle) -> None:
    for hook in after_rebuild:
        hook(bundle)


def latest() -> Bundle:
    """The newest bundle, asking Redis now rather than trusting this process's copy."""
    _local.checked = 0.0
    return current()[0]


def _from_file() -> Bundle | None:
    try:
        with open(_snapshot_path(), "rb") as fh:
            return pickle.load(fh)  # noqa: S301 — written by _store above
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        return None


def _database_answers() -> bool:
    if time.monotonic() - _local.db_checked < DB_PROBE_INTERVAL:
        return _local.db_ok
    if not _probe_lock.acquire(blocking=False):
        return _local.db_ok  # another thread is probing right now
    try:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            ok = True
        except DatabaseError:
            ok = False
            if not connection.in_atomic_block:
                with contextlib.suppress(DatabaseError):
                    connection.close()
        _local.db_ok, _local.db_checked = ok, time.monotonic()
        return ok
    finally:
        _probe_lock.release()


def current() -> tuple[Bundle, bool]:
    """The bundle to serve and whether it is stale (PostgreSQL down: the last good copy).

    Raises ``DatabaseError`` only when there is no copy at all and the database is down.
    """
    local = _local.bundle
    if local is not None:
        if time.monotonic() - _local.checked < LOCAL_TTL:
            return local, not _database_answers()
        if not _revalidate_lock.acquire(blocking=False):
            # Another thread of this process is asking Redis (or rebuilding): serve ours.
            return local, not _database_answers()
    else:
        _revalidate_lock.acquire()  # no copy yet: wait for the thread that fetches one
    try:
        return _revalidate()
    finally:
        _revalidate_lock.release()


def _revalidate() -> tuple[Bundle, bool]:
    local = _local.bundle
    now = time.monotonic()
    if local is not None and now - _local.checked < LOCAL_TTL:
        return local, not _database_answers()  # filled in while we waited for the lock
    if local is None:
        # A new process: a copy built offline in the file means Redis may lack a change.
        saved = _from_file()
        if saved is not None and saved.offline:
            _local.cache_lost = True
    values, cache_ok = _cache_get_many([KEY_BUNDLE_ID, KEY_DATA_VERSION])
    bundle = local
    if cache_ok and (_local.cache_lost or (local is not None and local.offline)):
        # Redis is back after missing changes: what it holds is older than what was posted
        # meanwhile. A new data version makes every process (this one first) rebuild.
        _local.cache_lost = False
        if local is not None:
            local.offline = False  # announced: from now on the new version says it all
        invalidate()
        values, cache_ok = _cache_get_many([KEY_BUNDLE_ID, KEY_DATA_VERSION])
    if cache_ok:
        bundle_id = values.get(KEY_BUNDLE_ID)
        version = values.get(KEY_DATA_VERSION)
        if bundle_id is not None and (local is None or local.id != bundle_id):
            try:
                bundle = _newest(local, cache.get(KEY_BUNDLE))
            except CACHE_ERRORS as error:
                _cache_unavailable(error)
        fresh = bundle is not None and version is not None and bundle.data_version == version
        fresh = fresh and not bundle.offline
    else:
        # Without Redis nobody can tell us about changes: rebuild from time to time.
        fresh = bundle is not None and now - _local.checked < DB_PROBE_INTERVAL
    if fresh:
        with _local_lock:
            _local.bundle, _local.checked = bundle, now
        return bundle, not _database_answers()
    if _database_answers():
        try:
            rebuilt = rebuild()
        except DatabaseError as error:
            logger.warning("status board: rebuild failed: %s", error)
            _local.db_ok, _local.db_checked = False, time.monotonic()
            rebuilt = None
        if rebuilt is not None:
            return rebuilt, False
        if bundle is not None:
            # Another process is rebuilding: serve ours meanwhile and ask again in
            # LOCAL_TTL (not on every request: that would hammer Redis during a rebuild).
            with _local_lock:
                _local.bundle, _local.checked = bundle, now
            return bundle, False
    bundle = bundle or _from_file()
    if bundle is None:
        raise DatabaseError("no status board snapshot and the database is unavailable")
    with _local_lock:
        _local.bundle, _local.checked = bundle, now
    return bundle, True
