"""Settings for the real Celery workers of the fault tests: the test database, SMTP out."""

from bcpweb.settings.test import *  # noqa: F403
from bcpweb.settings.test import env

CELERY_TASK_ALWAYS_EAGER = False
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env.str("EMAIL_HOST", default="127.0.0.1")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_TIMEOUT = 10
AXES_ENABLED = False
