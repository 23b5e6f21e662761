"""Read a JMA seismic-intensity telegram or a JMA Atom feed and act on it (DESIGN §6)."""

from django.core.management.base import BaseCommand, CommandError

from emergency_hq.quake.reading import READ, ingest_source


class Command(BaseCommand):
    help = (
        "Read a JMA seismic-intensity telegram (VXSE51/VXSE53) or a JMA Atom feed from a file "
        "or an http(s) URL and act on it. Exit 0: read (acted on or deliberately ignored); "
        "1: malformed, truncated, oversize, wrong namespace or unknown intensity (nothing "
        "changed); 2: the source cannot be read."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", metavar="PATH|URL")

    def handle(self, *args, source, **options):
        report = ingest_source(source)
        for line in report.lines:
            self.stdout.write(line)
        if report.code == READ:
            return
        for line in report.errors[1:]:
            self.stderr.write(line)
        raise CommandError(report.errors[0], returncode=report.code)
