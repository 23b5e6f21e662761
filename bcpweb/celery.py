import logging
import os

from celery import Celery, Task, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bcpweb.settings.local")

logger = logging.getLogger(__name__)


class SecondSiteTask(Task):
    """Every task of the portal: idle while the database is a hot standby (second site).

    Until the standby is promoted every write there fails, so a worker or the beat sweeper
    started there skips its tasks instead (the outbox and the sweeper catch up once the
    database accepts writes). Tasks run in-process (eager) belong to a request that has just
    written, so they are not checked.
    """

    _skipping = False  # per process: the skip is logged once, not once per task

    def __call__(self, *args, **kwargs):
        if not self.request.is_eager:
            from bcpweb.second_site import database_read_only

            if database_read_only():
                if not SecondSiteTask._skipping:
                    SecondSiteTask._skipping = True
                    logger.warning(
                        "second site: the database is in recovery (hot standby); task %s and "
                        "every task after it are skipped until it is promoted",
                        self.name,
                    )
                return None
            if SecondSiteTask._skipping:
                SecondSiteTask._skipping = False
                logger.warning("second site: the database accepts writes; tasks run again")
        return super().__call__(*args, **kwargs)


app = Celery("bcpweb", task_cls=SecondSiteTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect
def _warm_up(**_kwargs) -> None:
    """Before the worker takes tasks (and, with the prefork pool, before it forks its
    children, which inherit it): what the first batch of an alert would otherwise load."""
    import django

    django.setup()  # no-op when Celery's Django fixup has already done it
    from alerts.channels.email_render import warm

    try:
        warm()
    except Exception:  # noqa: BLE001 - a worker that cannot warm up still sends, only later
        logger.warning(
            "warming up the worker failed; its first alert loads what it needs", exc_info=True
        )
