"""Replay shipped JMA sample telegrams as if they arrived now (no internet needed)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from emergency_hq.models import QuakeTelegram
from emergency_hq.quake import demo, telegram
from emergency_hq.quake.services import telegram_ingest


class Command(BaseCommand):
    help = (
        "Replay a scenario of the sample telegrams in emergency_hq/quake/samples, with their "
        "times moved to now: " + ", ".join(demo.SCENARIOS) + ". Or name samples to replay."
    )

    def add_arguments(self, parser):
        parser.add_argument("samples", nargs="*", help="sample file names (see --list)")
        parser.add_argument("--scenario", default="tokyo", choices=sorted(demo.SCENARIOS))
        parser.add_argument("--list", action="store_true", help="list the samples and stop")
        parser.add_argument(
            "--as-is", action="store_true", help="keep the samples' own dates and EventIDs"
        )

    def handle(self, *args, samples, scenario, list: bool, as_is: bool, **options):
        if list:
            for name in demo.sample_names():
                self.stdout.write(name)
            return
        from organizations.models import OrganizationSite

        if not OrganizationSite.objects.exists():
            self.stderr.write(
                "no organization has a site yet: only the Tokyo 23 wards rule can act and nobody "
                "is asked to report (manage.py seed_demo gives the demo institutions their sites)"
            )
        names = samples or demo.SCENARIOS[scenario]
        try:
            payloads = [(name, demo.read(name)) for name in names]
        except FileNotFoundError as exc:
            raise CommandError(f"no such sample: {exc} (see --list)") from None
        delta = None
        for name, data in payloads:
            if not as_is:
                if delta is None:
                    # The first quake happened two minutes ago; the others keep their spacing.
                    delta = timezone.now() - timezone.timedelta(minutes=2) - demo.event_time(data)
                    delta = timezone.timedelta(seconds=int(delta.total_seconds()))
                    while QuakeTelegram.objects.filter(
                        event_id=demo.event_time(demo.shifted(data, delta)).strftime("%Y%m%d%H%M%S")
                    ).exists():
                        delta += timezone.timedelta(seconds=1)  # a new EventID each run
                data = demo.shifted(data, delta)
            try:
                parsed = telegram.parse(data)
            except telegram.TelegramError as exc:
                raise CommandError(f"{name}: {exc}") from None
            result = telegram_ingest(telegram=parsed, source=f"demo:{name}")
            self.stdout.write(f"{name}: {result.message}")
