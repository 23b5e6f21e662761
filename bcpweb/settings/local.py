"""The embedded default for `make run`: SQLite, in-process tasks, console e-mail."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
# The demo accounts of the README have no second factor yet; production keeps it required.
OTP_REQUIRED = env.bool("OTP_REQUIRED", default=False)
