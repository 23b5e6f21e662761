from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from organizations import services, two_factor


class Command(BaseCommand):
    help = (
        "Issue a one-time link with which USER enrols the first second factor (HQ, admin "
        "and superuser accounts cannot enrol without one). Earlier unused links stop working."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Unknown user: {username}")
        try:
            url = two_factor.enrolment_link_issue(actor=services.system_actor(), user=user)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(f"two-factor enrolment link for {user.username} (single use): {url}")
