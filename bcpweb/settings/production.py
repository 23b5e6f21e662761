"""Production: PostgreSQL, Redis, a real Celery worker and beat, behind nginx."""

from bcpweb.logs import json_logging

from .base import *  # noqa: F403
from .base import REDIS_URL, STORAGES, env, metrics_networks

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")
if not REDIS_URL:
    raise RuntimeError("Production needs REDIS_URL (cache and Celery broker).")
CELERY_TASK_ALWAYS_EAGER = False

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
STORAGES["staticfiles"] = {
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Monitors and the Prometheus scraper may ask gunicorn directly, without TLS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Behind nginx: the client address comes from the proxy's header for login throttling.
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=1)
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

# /metrics: closed unless the operator names the scraper's addresses or sets a token.
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=[])
METRICS_ALLOWED_NETWORKS = metrics_networks(METRICS_ALLOWED_IPS)
# One JSON object per line (time, level, logger, message, request_id): docs/operations.md.
LOGGING = json_logging(env.str("LOG_LEVEL", default="INFO"))
