"""Load JMA's table of seismic areas (地震情報／細分区域) from a CSV file."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from organizations.jma_areas import AreaTableError, load_areas, parse_table
from organizations.models import JmaArea
from organizations.services import system_actor


class Command(BaseCommand):
    help = (
        "Create or update JMA seismic areas from a CSV (code and name columns; UTF-8 or "
        "Shift_JIS; headers code/name_ja/name_en/prefecture_code/... or JMA's コード/名称)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="CSV file of JMA's 地震情報／細分区域 table")
        parser.add_argument(
            "--deactivate-missing",
            action="store_true",
            help="mark areas that the file does not list as inactive (never deleted)",
        )

    def handle(self, *args, path, deactivate_missing, **options):
        try:
            with open(path, "rb") as f:
                data = f.read(2 * 1024 * 1024 + 1)
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from None
        known = {
            a.code: a for a in JmaArea.objects.all()
        }  # English names and prefectures already known fill the columns the file lacks
        try:
            rows = parse_table(data, known=known or None)
        except AreaTableError as exc:
            raise CommandError(f"{path}: {exc}") from None
        with transaction.atomic():
            counts = load_areas(
                JmaArea, rows, deactivate_missing=deactivate_missing, actor=system_actor()
            )
        self.stdout.write(
            f"{len(rows)} areas read: {counts['created']} created, {counts['updated']} updated,"
            f" {counts['deactivated']} deactivated"
        )
