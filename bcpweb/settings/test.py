"""Tests run against the real PostgreSQL and Redis of the machine, never a silent SQLite."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bcpweb")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")

from .base import *  # noqa: E402, F403
from .base import CACHES, DATABASES, env  # noqa: E402

if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise RuntimeError("The test settings need PostgreSQL: set DATABASE_URL to a postgres URL.")
if CACHES["default"]["BACKEND"] != "django.core.cache.backends.redis.RedisCache":
    raise RuntimeError("The test settings need Redis: set REDIS_URL.")

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-production-0123456789"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Unit tests run tasks in-process; fault tests start real workers with their own settings.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME", default="test_bcpweb")}
OTP_REQUIRED = True
AXES_ENABLED = True
CACHES["default"]["KEY_PREFIX"] = "bcpweb-test"
# Publishing the board's static copy is tested where asked for (tests/status_board/publish*),
# never as a side effect of every other test's status change.
BOARD_PUBLISH_DIR = env.str("BOARD_PUBLISH_DIR", default="")
