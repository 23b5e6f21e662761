"""Celery tasks of the status board: the published copy and its second, independent copy."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import DatabaseError

from . import mirror, publishing

logger = logging.getLogger(__name__)


@shared_task(name="status_board.board_publish", ignore_result=True)
def board_publish(full: bool = False) -> None:
    """Write the public board's static files, then push them to the second copy."""
    try:
        publication = publishing.publish(full=full)
    except (DatabaseError, OSError) as error:
        logger.warning("status board: publication failed: %s", error)
        return
    if publication is not None and mirror.configured():
        board_mirror_sweep.delay()


def publish_soon(bundle=None) -> None:
    """After a rebuild: ask a worker to publish. Never raises (the status post goes on)."""
    if not publishing.enabled() or publishing.publishing_now():
        return
    try:
        board_publish.delay()
    except Exception as error:  # the broker may be down too: the beat's full one catches up
        logger.warning("status board: could not ask for a publication: %s", error)


@shared_task(name="status_board.board_mirror_sweep", ignore_result=True)
def board_mirror_sweep() -> None:
    """Push what the second copy lacks; retried by the beat while its target is unreachable."""
    mirror.sync_all()
