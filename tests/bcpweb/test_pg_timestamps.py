"""Timestamps read in C give exactly what Django's own loader gives (common/pg_timestamps)."""

from __future__ import annotations

from datetime import UTC, datetime

import psycopg
import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import register_tzloader

pytestmark = pytest.mark.django_db

VALUES = [
    "2026-03-11 05:46:18.123456+00",
    "2026-03-11 05:46:18+00",
    "2026-03-11 14:46:18.1+09",
    "1999-12-31 23:59:59.999999+00",
    "2000-02-29 00:00:00.000001+00",
    "0001-01-01 00:00:00+00",
    "9999-12-31 23:59:59.999999+00",
]


def _read(cursor, value: str):
    cursor.execute("SELECT %s::timestamptz", [value])
    return cursor.fetchone()[0]


def test_every_connection_reads_timestamps_with_the_fast_loader():
    connection.ensure_connection()
    from psycopg.postgres import types
    from psycopg.pq import Format

    loader = connection.connection.adapters.get_loader(types["timestamptz"].oid, Format.TEXT)
    assert getattr(loader, "fast_timestamps", False)
    assert loader.timezone == connection.timezone  # Django's cursor() check still agrees


@pytest.mark.parametrize("value", VALUES)
def test_the_value_is_what_djangos_loader_returns(value):
    with connection.cursor() as fast:
        got = _read(fast, value)
    with connection.cursor() as cursor:
        register_tzloader(connection.timezone, cursor.cursor)  # Django's own, on this cursor
        expected = _read(cursor, value)
    assert got == expected and got.tzinfo is expected.tzinfo
    assert got.isoformat() == expected.isoformat()


def test_a_model_reads_back_what_it_stored():
    from organizations.models import Organization

    stamp = datetime(2026, 3, 11, 5, 46, 18, 123456, tzinfo=UTC)
    org = Organization.objects.create(code="TS-1", name_ja="時刻", name_en="Time", kind="pts")
    Organization.objects.filter(pk=org.pk).update(updated_at=stamp)
    assert Organization.objects.get(pk=org.pk).updated_at == stamp


def test_infinity_is_refused_as_django_refuses_it():
    with connection.cursor() as cursor, pytest.raises(psycopg.DataError):
        _read(cursor.cursor, "infinity")
