"""Settings shared by every environment; everything tunable comes from the environment.

With no environment at all the portal runs on the embedded default: a SQLite file under
``var/``, Celery tasks executed in-process, e-mail printed to the console.
"""

import ipaddress
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

VAR_DIR = Path(env.str("BCPWEB_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = env.str("SECRET_KEY", default="insecure-embedded-default-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_prometheus",
    "csp",
    "guardian",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "bcpweb",
    "organizations",
    "status_board",
    "alerts",
    "bulletin",
    "emergency_hq",
    "drills",
    "subscriptions",
    "demo",
]

MIDDLEWARE = [
    # First and last but axes: what django-prometheus counts spans every other middleware.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "bcpweb.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "bcpweb.headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "bcpweb.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "bcpweb.middleware.DatabaseUnavailableMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # Last, so that it sees the response of every other middleware (django-axes docs).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "bcpweb.urls"
WSGI_APPLICATION = "bcpweb.wsgi.application"
ASGI_APPLICATION = "bcpweb.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "bcpweb.context_processors.portal",
                "emergency_hq.quake.context_processors.report_requests",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env.int(
        "DB_CONNECT_TIMEOUT", default=3
    )
    # RPO 0 for the second site: "remote_apply" makes every commit wait until the standby
    # has applied it. Only with synchronous_standby_names set on the primary (docs/deploy.md).
    DB_SYNCHRONOUS_COMMIT = env.str("DB_SYNCHRONOUS_COMMIT", default="")
    if DB_SYNCHRONOUS_COMMIT:
        if DB_SYNCHRONOUS_COMMIT not in ("on", "off", "local", "remote_write", "remote_apply"):
            raise ImproperlyConfigured(
                f"DB_SYNCHRONOUS_COMMIT={DB_SYNCHRONOUS_COMMIT!r}: use on, off, local, "
                "remote_write or remote_apply"
            )
        _options = DATABASES["default"]["OPTIONS"]
        _commit = f"-c synchronous_commit={DB_SYNCHRONOUS_COMMIT}"
        _options["options"] = " ".join(filter(None, [_options.get("options"), _commit]))
# The second site: how often a process asks PostgreSQL whether it is a read-only standby.
DB_READ_ONLY_CHECK_SECONDS = env.float("DB_READ_ONLY_CHECK_SECONDS", default=5.0)
# The public board's script polls its fragment this often (an unchanged board answers 304).
BOARD_REFRESH_SECONDS = env.int("BOARD_REFRESH_SECONDS", default=30)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="bcpweb"),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "bcpweb",
        }
    }

# Celery: a real broker when REDIS_URL is set, otherwise tasks run in-process.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TIMEZONE = "Asia/Tokyo"
# Processes per worker (default: one per CPU); the Procfile and compose pass no flag for it.
CELERY_WORKER_CONCURRENCY = env.int("CELERY_WORKER_CONCURRENCY", default=None)
# Beat keeps its last run times under the var directory, not in the working directory.
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Every periodic schedule of the portal lives here, in one place.
CELERY_BEAT_SCHEDULE: dict = {}
# Alerts: re-enqueue due or stuck deliveries and run escalations (alerts.tasks).
CELERY_BEAT_SCHEDULE["alerts-sweep"] = {
    "task": "alerts.deliveries_sweep",
    "schedule": env.float("ALERT_SWEEP_SECONDS", default=15.0),
}
# The JMA earthquake feed (emergency_hq/quake): polled only when a feed is configured, e.g.
# https://www.data.jma.go.jp/developer/xml/feed/eqvol.xml (JMA updates it every minute).
QUAKE_FEED_URL = env.str("QUAKE_FEED_URL", default="")
QUAKE_FEED_POLL_SECONDS = env.float("QUAKE_FEED_POLL_SECONDS", default=60.0)
QUAKE_FEED_TIMEOUT_SECONDS = env.float("QUAKE_FEED_TIMEOUT_SECONDS", default=10.0)
QUAKE_FEED_RETRIES = env.int("QUAKE_FEED_RETRIES", default=3)
QUAKE_FEED_RETRY_SECONDS = env.float("QUAKE_FEED_RETRY_SECONDS", default=2.0)
QUAKE_FEED_MAX_BYTES = env.int("QUAKE_FEED_MAX_BYTES", default=4 * 1024 * 1024)
QUAKE_MAX_BYTES = env.int("QUAKE_MAX_BYTES", default=2 * 1024 * 1024)
# A new quake within this many hours of an open incident's quake joins it as an aftershock.
QUAKE_AFTERSHOCK_HOURS = env.float("QUAKE_AFTERSHOCK_HOURS", default=6.0)
if QUAKE_FEED_URL:
    CELERY_BEAT_SCHEDULE["emergency_hq-quake-feed"] = {
        "task": "emergency_hq.quake_feed_poll",
        "schedule": QUAKE_FEED_POLL_SECONDS,
    }
# Subscriptions: close the digest windows that are due (a safety net: each change also
# schedules its own build) and delete sign-ups never confirmed (subscriptions.tasks).
CELERY_BEAT_SCHEDULE["subscriptions-digests"] = {
    "task": "subscriptions.digests_due",
    "schedule": env.float("SUBSCRIPTION_DIGEST_SWEEP_SECONDS", default=10.0),
}
CELERY_BEAT_SCHEDULE["subscriptions-purge"] = {
    "task": "subscriptions.unconfirmed_purge",
    "schedule": 3600.0,
}
# Drills: start the scheduled ones on time and send the injects that are due (drills.tasks).
CELERY_BEAT_SCHEDULE["drills-tick"] = {
    "task": "drills.drills_tick",
    "schedule": env.float("DRILL_TICK_SECONDS", default=30.0),
}

# Status reports: an expected recovery time this many minutes in the past is still taken (the
# clock of whoever typed it); older ones are refused. "Undo" of "all normal" lasts this long.
STATUS_RECOVERY_PAST_TOLERANCE_MINUTES = env.int(
    "STATUS_RECOVERY_PAST_TOLERANCE_MINUTES", default=5
)
STATUS_UNDO_SECONDS = env.int("STATUS_UNDO_SECONDS", default=60)
# The published copy of the public board (status_board.publishing): static files that nginx
# serves without Django, rewritten after every change; empty turns publishing off.
BOARD_PUBLISH_DIR = env.str("BOARD_PUBLISH_DIR", default=str(VAR_DIR / "published"))
# A full rewrite from time to time (the 90-day bars change at midnight), and the sweeper that
# pushes the copy to its second, independent target until that target has all of it.
CELERY_BEAT_SCHEDULE["status_board-publish"] = {
    "task": "status_board.board_publish",
    "schedule": env.float("BOARD_PUBLISH_FULL_SECONDS", default=600.0),
    "kwargs": {"full": True},
}
CELERY_BEAT_SCHEDULE["status_board-mirror-sweep"] = {
    "task": "status_board.board_mirror_sweep",
    "schedule": env.float("BOARD_MIRROR_SWEEP_SECONDS", default=30.0),
}
# The second copy: an S3-compatible bucket (boto3; credentials from the usual AWS_* variables)
# and/or an rsync target such as user@osaka.example.jp:/srv/board/ (over SSH).
BOARD_MIRROR_S3_BUCKET = env.str("BOARD_MIRROR_S3_BUCKET", default="")
BOARD_MIRROR_S3_PREFIX = env.str("BOARD_MIRROR_S3_PREFIX", default="")
BOARD_MIRROR_S3_ENDPOINT_URL = env.str("BOARD_MIRROR_S3_ENDPOINT_URL", default="")
BOARD_MIRROR_S3_REGION = env.str("BOARD_MIRROR_S3_REGION", default="ap-northeast-3")
BOARD_MIRROR_RSYNC_TARGET = env.str("BOARD_MIRROR_RSYNC_TARGET", default="")
BOARD_MIRROR_TIMEOUT_SECONDS = env.float("BOARD_MIRROR_TIMEOUT_SECONDS", default=10.0)

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# django-axes: throttle password guessing per user name and address.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)

# Two-factor: required for market-wide staff roles unless relaxed for a demo.
OTP_REQUIRED_GROUPS = ["hq_staff", "jsda_admin"]
OTP_REQUIRED = env.bool("OTP_REQUIRED", default=True)
OTP_TOTP_ISSUER = "BCP WEB"
# The first device of an HQ or admin account is enrolled through a one-time link.
OTP_ENROLMENT_LINK_HOURS = env.int("OTP_ENROLMENT_LINK_HOURS", default=72)
# API tokens of accounts that need a second factor: refused unless this is on AND a JSDA
# administrator approved the token (docs/security.md).
API_TOKENS_FOR_TWO_FACTOR_ROLES = env.bool("API_TOKENS_FOR_TWO_FACTOR_ROLES", default=False)

ANONYMOUS_USER_NAME = None  # guardian: anonymous visitors hold no object permissions
GUARDIAN_RENDER_403 = False

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Uploaded files are served through permission-checking views, never by URL alone.
PROTECTED_MEDIA_ROOT = Path(env.str("PROTECTED_MEDIA_ROOT", default=str(VAR_DIR / "protected")))
# Spreadsheet imports of organizations, contacts and members (organizations/transfer).
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=10 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=20_000)
# Larger files are applied by a Celery worker instead of inside the request.
IMPORT_INLINE_ROWS = env.int("IMPORT_INLINE_ROWS", default=500)
# Members' webhook URLs: https to public addresses only, unless allowed here (common.netguard).
WEBHOOK_ALLOW_HTTP = env.bool("WEBHOOK_ALLOW_HTTP", default=False)
WEBHOOK_ALLOWED_NETWORKS = env.list("WEBHOOK_ALLOWED_NETWORKS", default=[])
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="BCP WEB <bcpweb@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header turns "not logged in" into a 401, not a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "bcpweb.api_auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PARSER_CLASSES": [
        "common.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "common.api.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "common.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "common.schema.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "BCP WEB API",
    "DESCRIPTION": "Market-wide business-continuity coordination portal (REST API v1).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name per vocabulary (DESIGN §3), so that codes show as enums that never collide.
    "ENUM_NAME_OVERRIDES": {
        "OrganizationKindEnum": "organizations.vocabulary.OrganizationKind",
        "SegmentEnum": "organizations.vocabulary.Segment",
        "LanguageEnum": "organizations.vocabulary.Language",
        "StatusEnum": "status_board.vocabulary.Status",
        "ReportSourceEnum": "status_board.vocabulary.Source",
        "IncidentKindEnum": "emergency_hq.models.IncidentKind",
        "IncidentStateEnum": "emergency_hq.models.IncidentState",
        "DecisionActionEnum": "emergency_hq.models.DecisionAction",
        "HQRoleEnum": "emergency_hq.models.HQRole",
        "CircularCategoryEnum": "bulletin.models.Category",
        "CircularAudienceEnum": "bulletin.models.Audience",
        "AlertAnswerEnum": "alerts.models.AckAnswer",
        "AlertTargetStateEnum": "alerts.selectors.TARGET_STATES",
        "DrillStateEnum": "drills.models.DrillState",
        "DrillAudienceEnum": "drills.models.DrillAudience",
        "DrillInjectKindEnum": "drills.models.InjectKind",
    },
}

# Content-Security-Policy and Permissions-Policy (docs/security.md).
from .headers import CONTENT_SECURITY_POLICY, PERMISSIONS_POLICY  # noqa: E402, F401

# Operations (docs/operations.md). /metrics answers the direct peers of these addresses or
# networks, and any client sending "Authorization: Bearer <METRICS_BEARER_TOKEN>". Open to
# this machine by default; production settings close it unless configured.
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1", "::1"])
METRICS_BEARER_TOKEN = env.str("METRICS_BEARER_TOKEN", default="")
# /healthz answers 503 once the oldest due alert delivery has waited this long (0: never).
HEALTHZ_OUTBOX_LAG_SECONDS = env.float("HEALTHZ_OUTBOX_LAG_SECONDS", default=600.0)


def metrics_networks(entries: list[str]) -> list:
    try:
        return [ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry]
    except ValueError as error:
        raise ImproperlyConfigured(f"METRICS_ALLOWED_IPS: {error}") from error


METRICS_ALLOWED_NETWORKS = metrics_networks(METRICS_ALLOWED_IPS)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
