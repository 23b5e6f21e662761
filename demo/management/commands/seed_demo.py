"""`manage.py seed_demo`: the demo market, loaded through the services as the system user."""

from __future__ import annotations

import time
from collections import Counter

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from demo import data
from demo.activity import seed_activity
from demo.drill import seed_drill
from demo.market import Seeder
from organizations import services
from organizations.models import BcpProfile, Contact, Organization, OrganizationSite


class Command(BaseCommand):
    help = (
        "Load the demo market: the real institutions (JSDA, TSE, OSE, JASDEC, JSCC, BOJ, FSA), "
        "fictional securities firms, banks and a PTS, with their functions, segment shares, "
        "contact trees, BCP profiles and committee seats, and one demo account per role. "
        "Safe to run again: what exists is left as it is (your edits survive) and only what "
        "is missing is created, except that the demo accounts get their role back and their "
        f"password reset to the documented one ({data.DEMO_PASSWORD}). For demos only."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run under the production settings too (it creates accounts with a "
            "published password).",
        )

    def handle(self, *args, force: bool = False, **options):
        if str(getattr(settings, "SETTINGS_MODULE", "")).endswith(".production") and not force:
            raise CommandError(
                "seed_demo creates accounts with a published password; "
                "refusing under the production settings (use --force for a demo stack)."
            )
        started = time.monotonic()
        with transaction.atomic():
            seeder = Seeder(actor=services.system_actor(), today=timezone.localdate())
            seeder.run()
            seeder.created.update(seed_activity(actor=seeder.actor))
            seeder.created.update(seed_drill(actor=seeder.actor, today=seeder.today))
        self.report(seeder, time.monotonic() - started)

    def report(self, seeder: Seeder, seconds: float) -> None:
        kinds = Counter(Organization.objects.values_list("kind", flat=True))
        real = Organization.objects.filter(code__in=data.REAL_CODES).count()
        self.stdout.write(
            f"Demo market: {sum(kinds.values())} organizations ({real} real institutions, "
            f"{kinds['securities_firm']} securities firms, {kinds['bank']} banks, "
            f"{kinds['pts']} PTS), {Contact.objects.count()} contacts, "
            f"{BcpProfile.objects.count()} BCP profiles, "
            f"{OrganizationSite.objects.count()} sites in JMA seismic areas."
        )
        made = ", ".join(f"{what} {n}" for what, n in seeder.created.items() if n)
        self.stdout.write(f"Created by this run: {made or 'nothing'} ({seconds:.1f} s).")
        self.stdout.write(f"Demo accounts (password {data.DEMO_PASSWORD}):")
        for username, role, org_code, purpose in data.DEMO_USERS:
            where = f" of {org_code}" if org_code else ""
            self.stdout.write(f"  {username:<14} {role + where:<22} {purpose}")
