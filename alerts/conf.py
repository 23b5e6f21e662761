"""Tunables of the fan-out: Django settings win, then the environment, then the defaults."""

from __future__ import annotations

from common.tunables import tunable

_DEFAULTS: dict[str, tuple[type, object]] = {
    # Messages per worker task: one SMTP connection sends the whole batch.
    "ALERT_BATCH_SIZE": (int, 200),
    # SMTP sessions one batch sends over at once (one message per session per round);
    # 0 sends one message at a time through Django's SMTP backend, without the pool.
    "ALERT_SMTP_CONNECTIONS": (int, 8),
    # How long a worker keeps those sessions open between batches (0: close after each).
    "ALERT_SMTP_IDLE_SECONDS": (float, 5.0),
    "ALERT_WEBHOOK_BATCH_SIZE": (int, 10),
    "ALERT_MAX_ATTEMPTS": (int, 6),
    "ALERT_BACKOFF_BASE_SECONDS": (float, 30.0),
    "ALERT_BACKOFF_CAP_SECONDS": (float, 900.0),
    # A claim older than this belongs to a dead worker: the sweeper puts the row back.
    "ALERT_CLAIM_TIMEOUT_SECONDS": (float, 300.0),
    # A queued row whose task has not run after this long is enqueued again.
    "ALERT_REQUEUE_AFTER_SECONDS": (float, 120.0),
    "ALERT_SWEEP_LIMIT": (int, 5000),
    "ALERT_WEBHOOK_TIMEOUT_SECONDS": (float, 5.0),
    "ALERT_ACK_MAX_AGE_DAYS": (float, 7.0),
    "ALERT_DEFAULT_STEP_MINUTES": (int, 15),
    "ALERT_SMS_BACKEND": (str, "alerts.channels.sms.ConsoleBackend"),
    "ALERT_SMS_FILE_PATH": (str, ""),
}


def get(name: str):
    return tunable(_DEFAULTS, name)
