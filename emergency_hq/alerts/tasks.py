"""Celery tasks of the fan-out: they carry ids only and are safe to run twice."""

from __future__ import annotations

import os
import socket

from celery import shared_task

from . import dispatch


@shared_task(name="emergency_hq.deliveries_send", ignore_result=True)
def deliveries_send(delivery_ids: list[int]) -> int:
    """Send one batch; rows already claimed, sent or not yet due are skipped."""
    worker = f"{deliveries_send.request.hostname or socket.gethostname()}:{os.getpid()}"
    return dispatch.deliveries_process([int(i) for i in delivery_ids], worker=worker)


@shared_task(name="emergency_hq.deliveries_sweep", ignore_result=True)
def deliveries_sweep() -> dict:
    """Beat: re-enqueue due or stuck deliveries and run escalations (see CELERY_BEAT_SCHEDULE)."""
    return dispatch.sweep()
