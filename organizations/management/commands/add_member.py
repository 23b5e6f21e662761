from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django_otp import user_has_device

from organizations import permissions, services, two_factor


class Command(BaseCommand):
    help = "Create or update a user and give it a role (reporter/viewer need --org)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, help=", ".join(permissions.ALL_ROLES))
        parser.add_argument(
            "--org",
            dest="organization",
            help="organization code (needed for reporter/viewer; for a market role, the "
            "user's own organization, e.g. FSA or BOJ for a regulator)",
        )
        parser.add_argument("--password")
        parser.add_argument("--email")

    def handle(self, *args, username, role, organization, password, email, **options):
        try:
            user, created = services.member_add(
                actor=services.system_actor(),
                username=username,
                role=role,
                organization_code=organization,
                password=password,
                email=email,
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        verb = "created" if created else "updated"
        where = f" of {organization.upper()}" if organization else ""
        self.stdout.write(self.style.SUCCESS(f"{verb} {user.username}: {role}{where}"))
        if two_factor.enrolment_link_required(user) and not user_has_device(user, confirmed=True):
            url = two_factor.enrolment_link_issue(actor=services.system_actor(), user=user)
            self.stdout.write(
                f"two-factor enrolment link for {user.username} (single use, expires in "
                f"{settings.OTP_ENROLMENT_LINK_HOURS} h): {url}"
            )
