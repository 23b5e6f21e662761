from django.apps import AppConfig


class BcpwebConfig(AppConfig):
    name = "bcpweb"
    verbose_name = "BCP WEB"

    def ready(self) -> None:
        from common import pg_timestamps

        # Every connection of every process (web, worker, commands) reads timestamps in C.
        pg_timestamps.connect()
