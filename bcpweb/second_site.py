"""The second site: on a hot standby the portal reads everything and writes nothing.

At the second site (Osaka) the database is a PostgreSQL hot standby streaming from the
primary (Tokyo). Until it is promoted (``manage.py site_promote``) PostgreSQL refuses every
write there with SQLSTATE 25006 (read_only_sql_transaction). This module tells whether the
database is in that state, recognises the error, and answers with a clear 503 instead of 500.

PostgreSQL is asked (``pg_is_in_recovery()``) at most once per ``DB_READ_ONLY_CHECK_SECONDS``
per process, on the connection the request uses anyway. SQLite (the embedded default) is never
read-only.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

READ_ONLY_SQLSTATE = "25006"  # read_only_sql_transaction
RETRY_AFTER_SECONDS = 60  # promotion is an operator's decision: minutes, not seconds
# A write refused because of what the process knew is asked about again after this long, so
# that writes are taken within a second of the promotion (banners follow the usual interval).
WRITE_RECHECK_SECONDS = 1.0
BANNER_MARK = b"<!--site-read-only-->"  # in base.html; replaced while read-only


@dataclass
class _State:
    read_only: bool = False
    checked: float = float("-inf")
    known: bool = False
    replayed: str | None = None  # the standby's replay position when last asked


_state = _State()
_check_lock = threading.Lock()


def reset_state() -> None:
    """Forget what this process knows (tests)."""
    global _state
    _state = _State()


def database_read_only(*, connect: bool = True, for_write: bool = False) -> bool:
    """Whether the default database is a hot standby that refuses writes.

    ``connect=False`` asks only over a connection that is already open, and otherwise answers
    with what the process last knew: a page served from the cache must not open a connection
    just for a banner. ``for_write``: a write is about to be refused on what we know.
    """
    if connection.vendor != "postgresql":
        return False
    interval = settings.DB_READ_ONLY_CHECK_SECONDS
    if for_write and _state.read_only:
        interval = min(interval, WRITE_RECHECK_SECONDS)
    if time.monotonic() - _state.checked < interval:
        return _state.read_only
    if not connect and connection.connection is None:
        return _state.read_only
    if not _check_lock.acquire(blocking=False):
        return _state.read_only  # another thread of this process is asking right now
    try:
        answer = _recovery_state()
        if answer is None:  # unknown: keep the last answer, ask again later
            _state.checked = time.monotonic()
        else:
            _remember(*answer)
    finally:
        _check_lock.release()
    return _state.read_only


def _recovery_state() -> tuple[bool, str | None] | None:
    """(in recovery, replay position) of the database, None when it cannot be asked."""
    try:
        with connection.wrap_database_errors:
            connection.ensure_connection()
            # On the driver's cursor, not Django's: a check made once every few seconds by
            # whichever request comes first must not show up in that page's query count.
            with connection.connection.cursor() as cursor:
                cursor.execute("SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text")
                in_recovery, replayed = cursor.fetchone()
                return bool(in_recovery), replayed
    except DatabaseError as error:
        logger.warning("second site: cannot tell whether the database is read-only: %s", error)
        return None


def _remember(read_only: bool, replayed: str | None = None) -> None:
    if read_only and not _state.read_only:
        logger.warning(
            "second site: the database is a hot standby (in recovery); the portal is "
            "read-only until it is promoted (manage.py site_promote)"
        )
    elif _state.known and _state.read_only and not read_only:
        logger.warning("second site: the database accepts writes again")
    # Changes reach a standby by replication, never through the portal's on-commit rebuild
    # of the cached board: rebuild it when the standby has replayed something new (and once
    # more at the promotion, for what was replayed since the last look).
    board_stale = (read_only and replayed != _state.replayed) or (
        _state.read_only and not read_only
    )
    _state.read_only, _state.checked, _state.known = read_only, time.monotonic(), True
    _state.replayed = replayed if read_only else None
    if board_stale and replayed is not None:
        from status_board import snapshots

        snapshots.invalidate()


def is_read_only_error(error: BaseException) -> bool:
    """A database error that means "this database is read-only" (Django wraps psycopg's)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        code = getattr(current, "sqlstate", None) or getattr(current, "pgcode", None)
        if code == READ_ONLY_SQLSTATE:
            return True
        current = current.__cause__ or current.__context__
    return False


def remember_read_only_error() -> None:
    """A write was just refused: show the banner at once rather than at the next check."""
    _remember(True, _state.replayed)


def read_only_response(request) -> HttpResponse:
    if request.path.startswith("/api/"):
        message = _("Read-only: the primary site is unavailable.")
        response = JsonResponse({"detail": message, "message": message}, status=503)
    else:
        response = HttpResponse(render_to_string("503_read_only.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # Expected at the second site, not a fault: a warning, not django.request's error log.
    logger.warning("second site: write refused, read-only: %s %s", request.method, request.path)
    response._has_been_logged = True
    return response


def with_banner(response: HttpResponse) -> HttpResponse:
    """Put the read-only banner into an HTML page (also the cached public board)."""
    if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
        return response
    if not database_read_only(connect=False) or BANNER_MARK not in response.content:
        return response
    banner = render_to_string("_read_only_banner.html").encode()
    response.content = response.content.replace(BANNER_MARK, banner, 1)
    if response.has_header("Content-Length"):
        response["Content-Length"] = str(len(response.content))
    etag = response.get("ETag")
    if etag and etag.endswith('"'):
        # Another representation: a browser must not keep the banner once writes are back.
        response["ETag"] = etag[:-1] + '-read-only"'
    return response
