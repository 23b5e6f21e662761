from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from organizations import services
from organizations.transfer import columns, importers, readers


class Command(BaseCommand):
    help = (
        "Check a CSV/XLSX file of organizations, contacts or members and, with --apply, "
        "write every row (all or nothing). Same rules as the import page."
    )

    def add_arguments(self, parser):
        parser.add_argument("dataset", choices=columns.DATASETS)
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--apply", action="store_true", help="write the rows (default: dry run only)"
        )

    def handle(self, *args, dataset, file, apply, **options):
        actor = services.system_actor()
        try:
            with file.open("rb") as handle:
                table = readers.read_upload(handle)
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror or error}") from error
        except readers.ReadError as error:
            raise CommandError(f"{file}: {error}") from error
        try:
            plan = (
                importers.apply(dataset, table, actor=actor)
                if apply
                else importers.validate(dataset, table, actor=actor)
            )
        except importers.ApplyRefused as refused:
            plan = refused.plan
        for error in plan.errors:
            column = f" [{error.column}]" if error.column else ""
            self.stderr.write(f"row {error.row}{column}: {error.message}")
        if not plan.ok:
            raise CommandError(
                f"{len(plan.bad_rows)} of {plan.total} rows have problems; nothing was changed."
            )
        created, updated = plan.count("create"), plan.count("update")
        unchanged = plan.count("unchanged")
        if apply:
            summary = f"applied: {created} added, {updated} updated, {unchanged} unchanged"
        else:
            summary = (
                f"dry run: {created} to add, {updated} to update, {unchanged} unchanged; "
                "nothing written (use --apply to write)"
            )
        self.stdout.write(self.style.SUCCESS(f"{file.name}: {plan.total} rows {summary}"))
