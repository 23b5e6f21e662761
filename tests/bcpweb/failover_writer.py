"""Writes to the primary until it dies, printing each commit PostgreSQL acknowledged.

``python -m tests.bcpweb.failover_writer THREADS`` with DATABASE_URL (and, for RPO 0,
DB_SYNCHRONOUS_COMMIT) in the environment. It connects through the portal's own settings, so
a commit is acknowledged exactly as the portal's would be. First line on stdout:
``synchronous_commit=<value>``; then one line per acknowledged commit: the row id.
"""

import os
import sys
import threading

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bcpweb.settings.test")
django.setup()

from django.db import DatabaseError, connection  # noqa: E402

_print_lock = threading.Lock()


def _write(writer: int) -> None:
    try:
        while True:
            with connection.cursor() as cursor:
                # Autocommit: the statement returns once its commit has been acknowledged.
                cursor.execute(
                    "INSERT INTO failover_probe (writer) VALUES (%s) RETURNING id", [writer]
                )
                (row_id,) = cursor.fetchone()
            with _print_lock:
                print(row_id, flush=True)
    except DatabaseError:
        return  # the primary is gone


def main() -> None:
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        print(f"synchronous_commit={cursor.fetchone()[0]}", flush=True)
    connection.close()
    workers = [threading.Thread(target=_write, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


if __name__ == "__main__":
    main()
