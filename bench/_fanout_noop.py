"""The no-op task the fan-out benchmark compares against (imported by its workers)."""

from celery import shared_task


@shared_task(name="bench.noop", ignore_result=True)
def noop() -> None:
    return None
