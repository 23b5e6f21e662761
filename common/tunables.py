"""Tunables of an app: a Django setting wins, then the environment, then the app's default."""

from __future__ import annotations

import environ
from django.conf import settings

_env = environ.Env()
_GETTERS = {int: _env.int, float: _env.float, str: _env.str}


def tunable(defaults: dict[str, tuple[type, object]], name: str):
    """``defaults``: {name: (type, default)} of the app asking."""
    if hasattr(settings, name):
        return getattr(settings, name)
    kind, default = defaults[name]
    return _GETTERS[kind](name, default=default)
