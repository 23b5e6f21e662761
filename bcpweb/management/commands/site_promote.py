"""Promote the second site: the hot standby this portal reads from becomes the primary."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

INSUFFICIENT_PRIVILEGE = "42501"


def _where(settings_dict) -> str:
    """host:port/name, never the password."""
    host = settings_dict.get("HOST") or "localhost"
    port = settings_dict.get("PORT") or "5432"
    return f"{host}:{port}/{settings_dict.get('NAME')}"


def _sqlstate(error: BaseException) -> str | None:
    cause = error.__cause__ or error
    return getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)


class Command(BaseCommand):
    help = (
        "Promote the PostgreSQL hot standby named by DATABASE_URL to primary (pg_promote), "
        "so that the second site accepts writes; then says what to restart."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="database alias")
        parser.add_argument(
            "--wait",
            type=int,
            default=60,
            help="seconds to wait for PostgreSQL to finish the promotion (default 60)",
        )

    def handle(self, *args, database, wait, **options):
        connection = connections[database]
        where = _where(connection.settings_dict)
        if connection.vendor != "postgresql":
            raise CommandError(
                f"{where} is {connection.vendor}, not PostgreSQL: there is no standby to "
                "promote. Point DATABASE_URL at the standby of the second site."
            )
        user = connection.settings_dict.get("USER") or "(default user)"
        try:
            with connection.cursor() as cursor:
                if not self._in_recovery(cursor):
                    raise CommandError(
                        f"{where} is not a standby (not in recovery): it already accepts "
                        "writes, nothing to promote. Is DATABASE_URL the second site's database?"
                    )
                self.stdout.write(f"promoting {where} (waiting up to {wait} s) ...")
                cursor.execute("SELECT pg_promote(true, %s)", [wait])
                finished = cursor.fetchone()[0]
                still_standby = self._in_recovery(cursor)
        except DatabaseError as error:
            if _sqlstate(error) == INSUFFICIENT_PRIVILEGE:
                raise CommandError(
                    f"the database user {user} may not promote {where}: run this with a "
                    f"superuser in DATABASE_URL, or GRANT EXECUTE ON FUNCTION pg_promote TO {user}"
                ) from error
            raise CommandError(f"cannot promote {where}: {error}".strip()) from error
        if not finished or still_standby:
            raise CommandError(
                f"{where} did not finish its promotion within {wait} s: look at its log, "
                "then run this command again (or with a longer --wait)."
            )
        self.stdout.write(self.style.SUCCESS(f"promoted: {where} is the primary now."))
        self.stdout.write(self._next_steps(where))

    @staticmethod
    def _in_recovery(cursor) -> bool:
        cursor.execute("SELECT pg_is_in_recovery()")
        return bool(cursor.fetchone()[0])

    @staticmethod
    def _next_steps(where: str) -> str:
        seconds = f"{settings.DB_READ_ONLY_CHECK_SECONDS:g}"
        return (
            "next:\n"
            "  1. Keep the old primary down (fence it): it must never take writes again as a\n"
            "     primary. Rebuild it later as a standby of this server (pg_basebackup -R).\n"
            f"  2. Web processes whose DATABASE_URL names {where} take writes again\n"
            f"     without a restart (within a second of the next write; the read-only banner\n"
            f"     goes within {seconds} s). Any other web, worker or beat process: set\n"
            f"     DATABASE_URL to this server ({where}) and restart it.\n"
            "  3. Start the Celery worker and beat at this site (docker compose: the\n"
            "     'promoted' profile, see docs/deploy.md); the sweeper then sends what was\n"
            "     waiting in the outbox.\n"
            "  4. Point the portal's DNS name (or the load balancer) at this site."
        )
