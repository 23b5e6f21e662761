"""``GET /healthz``: database, cache, broker and the alert outbox, for load balancers and monitors.

The keys ``db``, ``cache`` and ``broker`` are a contract (docs/deploy.md); ``outbox`` and
``outbox_lag_seconds`` were added after them. 503 when the database fails, or when the oldest
due alert delivery has waited longer than ``HEALTHZ_OUTBOX_LAG_SECONDS`` (0: never).
"""

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


def _check_db() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure is reported, not raised
        return f"error: {type(exc).__name__}"
    return "ok"


def _check_cache() -> str:
    try:
        cache.set("healthz", "1", 10)
        if cache.get("healthz") != "1":
            return "error: cache did not keep a value"
    except Exception as exc:  # noqa: BLE001
        return f"error: {type(exc).__name__}"
    return "ok"


def _check_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "ok"  # tasks run in-process: there is no broker to lose
    try:
        from bcpweb.celery import app

        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=1)
    except Exception as exc:  # noqa: BLE001
        return f"error: {type(exc).__name__}"
    return "ok"


def _check_outbox() -> tuple[str, float | None]:
    """("ok" | "lagging" | "error: ...", seconds the oldest due delivery has waited)."""
    from alerts import monitoring

    try:
        lag = monitoring.outbox_lag_seconds()
    except Exception as exc:  # noqa: BLE001
        return f"error: {type(exc).__name__}", None
    threshold = settings.HEALTHZ_OUTBOX_LAG_SECONDS
    return ("lagging" if threshold and lag > threshold else "ok"), round(lag, 1)


@never_cache
def healthz(request):
    state = {"db": _check_db(), "cache": _check_cache(), "broker": _check_broker()}
    state["outbox"], state["outbox_lag_seconds"] = _check_outbox()
    healthy = state["db"] == "ok" and state["outbox"] != "lagging"
    return JsonResponse(state, status=200 if healthy else 503)
