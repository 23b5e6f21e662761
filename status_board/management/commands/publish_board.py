"""Write the published copy of the public board now (every file; normally a task does it)."""

from django.core.management.base import BaseCommand

from status_board import mirror, publishing


class Command(BaseCommand):
    help = "Write the public board's static copy into BOARD_PUBLISH_DIR (and its second copy)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--mirror", action="store_true", help="then push it to the configured second copy"
        )

    def handle(self, *args, **options):
        publication = publishing.publish(full=True)
        if publication is None:
            self.stdout.write("BOARD_PUBLISH_DIR is empty: publishing is off.")
            return
        self.stdout.write(
            f"published board: {publishing.publish_dir()} (generation {publication.generation},"
            f" {len(publication.written)} files written, {len(publication.removed)} removed)"
        )
        if options["mirror"]:
            for result in mirror.sync_all():
                state = f"error: {result.error}" if result.error else "up to date"
                self.stdout.write(
                    f"second copy ({result.target}): {result.sent} sent, "
                    f"{result.pending} pending, {state}"
                )
