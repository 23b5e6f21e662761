"""Beat tasks of drills: start the scheduled ones on time, send the injects that are due.

Both carry no arguments, act as the system account and are safe to run twice: a start locks
the drill and checks its state; an inject is claimed by compare-and-set before it is sent.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from organizations.services import system_actor

from . import injects, selectors, services

logger = logging.getLogger(__name__)


@shared_task(name="drills.drills_tick", ignore_result=True)
def drills_tick() -> dict:
    return tick()


def tick(now=None) -> dict[str, int]:
    now = now or timezone.now()
    actor = system_actor()
    started = 0
    for drill in selectors.drills_due_to_start(now):
        try:
            services.drill_start(actor=actor, drill=drill, now=now)
        except services.DrillStateConflict:
            continue  # another run started it first
        started += 1
        logger.info("drill %s started on schedule", drill.pk)
    sent = sum(
        injects.injects_send_due(actor=actor, drill=drill, now=now)
        for drill in selectors.drills_running()
    )
    return {"started": started, "injects": sent}
