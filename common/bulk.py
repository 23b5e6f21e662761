"""Many new rows at once: PostgreSQL's COPY, or bulk_create where there is no COPY (SQLite).

An alert to the whole market writes thousands of outbox rows in the transaction of the
decision that sends it; building a model instance per row and Django's bulk INSERT, which
prepares and quotes each value in Python, cost most of that time. Here a row is a dict of
column values (by attribute name, e.g. ``alert_id``); fields it leaves out get their default.
Like bulk_create this sends no signals and calls no ``save()``, and ``auto_now_add`` is not
applied (give such fields a value); unlike it, it gives no primary keys back.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, models
from psycopg.types.json import Jsonb


def _fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def insert_rows(model: type[models.Model], rows: Sequence[dict]) -> None:
    if not rows:
        return
    fields = _fields(model)
    defaults = {f.attname: f.get_default() for f in fields}
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**{**defaults, **row}) for row in rows], batch_size=500)
        return
    json_fields = {f.attname for f in fields if isinstance(f, models.JSONField)}
    names = [f.attname for f in fields]
    quote = connection.ops.quote_name
    sql = (
        f"COPY {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        "FROM STDIN"
    )
    connection.ensure_connection()
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            values = [row.get(name, defaults[name]) for name in names]
            if json_fields:
                values = [
                    Jsonb(v) if name in json_fields and v is not None else v
                    for name, v in zip(names, values, strict=True)
                ]
            copy.write_row(values)
