"""Timestamps read from PostgreSQL parsed by ``datetime.fromisoformat`` (C), not a regex.

Django registers on every psycopg connection a loader that subclasses psycopg's pure-Python
``TimestamptzLoader`` (to attach its time zone), so each timestamp read goes through a regular
expression and several ``int()`` calls in Python, even with psycopg's C extension installed:
~10 µs a value. A drill's results, the board's rebuild and the situation read thousands per
request. This loader gives the same value for the text PostgreSQL sends when the session's
time zone is at offset 0 (Django sets UTC), ``...+00``, and leaves anything else (other
offsets, infinity, years past 9999) to Django's loader.
"""

from __future__ import annotations

from datetime import datetime

from django.db.backends.signals import connection_created

_UTC_SUFFIX = b"+00"


def install(connection) -> None:
    """Put the fast loader in place of Django's on one connection (same time zone)."""
    from psycopg.postgres import types
    from psycopg.pq import Format

    adapters = connection.connection.adapters
    current = adapters.get_loader(types["timestamptz"].oid, Format.TEXT)
    if getattr(current, "fast_timestamps", False):
        return

    class FastTzLoader(current):
        timezone = current.timezone  # Django's cursor() compares it with the connection's
        fast_timestamps = True

        def load(self, data):
            text = bytes(data)
            if text.endswith(_UTC_SUFFIX):
                try:
                    # What Django's loader returns: the wall clock at offset 0, its zone.
                    return datetime.fromisoformat(text.decode()).replace(tzinfo=self.timezone)
                except ValueError:
                    pass
            return super().load(data)

    adapters.register_loader("timestamptz", FastTzLoader)


def _on_connection_created(sender, connection, **kwargs) -> None:
    if connection.vendor == "postgresql":
        install(connection)


def connect() -> None:
    connection_created.connect(_on_connection_created, dispatch_uid="common.pg_timestamps")
