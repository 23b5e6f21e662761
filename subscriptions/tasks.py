"""Celery tasks of subscriptions: close digest windows, forget unconfirmed sign-ups.

``digest_schedule`` runs on commit of each public change and asks for a build when the
window closes; the beat task ``subscriptions.digests_due`` builds whatever is due in any
case, so a lost task message (broker restart) only delays a digest.
"""

from __future__ import annotations

import logging

from celery import shared_task
from kombu.exceptions import OperationalError as KombuOperationalError

from . import digests, services

logger = logging.getLogger(__name__)


def digest_schedule() -> None:
    wait = digests.next_due()
    if wait is None:
        return
    try:
        digests_due.apply_async(countdown=wait + 0.2, retry=False)
    except (KombuOperationalError, OSError) as exc:
        logger.warning("broker unavailable, the beat builds the digest: %s", exc)


@shared_task(name="subscriptions.digests_due", ignore_result=True)
def digests_due() -> int:
    built = 0
    while digests.digest_build() is not None:
        built += 1
    if built:
        digest_schedule()  # changes that came in after the window closed open the next one
    return built


@shared_task(name="subscriptions.unconfirmed_purge", ignore_result=True)
def unconfirmed_purge() -> int:
    return services.unconfirmed_purge()
