"""The demo market: organizations, functions, segments, contacts, profiles, committees and
the demo accounts, loaded through the services as the system user."""

from __future__ import annotations

import secrets
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model

from organizations import catalogue, permissions, services
from organizations.models import (
    BcpProfile,
    BusinessFunction,
    Committee,
    Contact,
    Organization,
    OrganizationFunction,
    SegmentParticipation,
    WebhookEndpoint,
)

from . import data, sites


class Seeder:
    """Creates what is missing. Per organization, a part (its functions, segments, contacts,
    webhooks, profile, committee seats) is seeded only when the organization has none of it,
    so edits and deletions made in the portal are never undone or duplicated."""

    def __init__(self, *, actor, today: date):
        self.actor = actor
        self.today = today
        self.created: Counter[str] = Counter()
        self._defaults: dict[str, dict[str, int | None]] = {}

    def run(self) -> None:
        self.reference_rows()
        organizations = self.organizations()
        ids = [org.pk for org, _fresh in organizations.values()]

        def having(model) -> set[int]:
            rows = model.objects.filter(organization_id__in=ids)
            return set(rows.values_list("organization_id", flat=True))

        with_functions = having(OrganizationFunction)
        with_segments = having(SegmentParticipation)
        with_contacts = having(Contact)
        with_webhooks = having(WebhookEndpoint)
        with_profile = having(BcpProfile)
        person = 0
        english = 0
        for index, spec in enumerate(data.ORGANIZATIONS):
            org, fresh = organizations[spec.code]
            if fresh or org.pk not in with_functions:
                self.functions(spec, org, fresh=fresh)
            if org.pk not in with_segments:
                self.segments(spec, org)
            if org.pk not in with_contacts:
                self.contacts(spec, org, first_person=person, first_english=english)
            person += spec.contacts
            english += spec.english_contacts
            if spec.webhooks and org.pk not in with_webhooks:
                self.webhooks(spec, org)
            if org.pk not in with_profile:
                self.profile(spec, org, index)
        self.committees(organizations)
        self.users(organizations)
        self.created["sites"] += sites.seed_sites(
            actor=self.actor, organizations=[org for org, _fresh in organizations.values()]
        )

    def reference_rows(self) -> None:
        functions = {row[0] for row in catalogue.FUNCTIONS}
        if functions - set(BusinessFunction.objects.values_list("code", flat=True)):
            catalogue.load_functions(BusinessFunction)
        committees = {row[0] for row in catalogue.COMMITTEES}
        if committees - set(Committee.objects.values_list("code", flat=True)):
            catalogue.load_committees(Committee)

    def organizations(self) -> dict[str, tuple[Organization, bool]]:
        existing = services.organizations_by_code(spec.code for spec in data.ORGANIZATIONS)
        result = {}
        for spec in data.ORGANIZATIONS:
            org = existing.get(spec.code)
            if org is not None:
                result[spec.code] = (org, False)
                continue
            org = Organization(
                code=spec.code,
                kind=spec.kind,
                name_ja=spec.name_ja,
                name_en=spec.name_en,
                is_public=spec.is_public,
                website=spec.website,
                address_ja=spec.address_ja,
                address_en=spec.address_en,
            )
            services.organization_save(
                actor=self.actor, organization=org, with_default_functions=True
            )
            self.created["organizations"] += 1
            result[spec.code] = (org, True)
        return result

    def default_functions(self, kind: str) -> dict[str, int | None]:
        if kind not in self._defaults:
            self._defaults[kind] = {
                f.code: f.default_rto_minutes for f in services.default_functions_for(kind)
            }
        return self._defaults[kind]

    def functions(self, spec: data.OrgSpec, org: Organization, *, fresh: bool) -> None:
        # A fresh organization already reports its kind's defaults (organization_save).
        defaults = self.default_functions(org.kind)
        wanted = {c: r for c, r in defaults.items() if c not in spec.drop_functions}
        wanted.update(spec.functions)
        if wanted and (wanted != defaults or not fresh):
            services.organization_functions_set(
                actor=self.actor, organization=org, functions=wanted
            )

    def segments(self, spec: data.OrgSpec, org: Organization) -> None:
        services.organization_segments_set(
            actor=self.actor,
            organization=org,
            segments={
                segment: (
                    Decimal(weight) if weight else None,
                    Decimal(retail_weight) if retail_weight else None,
                )
                for segment, (weight, retail_weight) in spec.segments.items()
            },
        )
        self.created["segment participations"] += len(spec.segments)

    def contacts(
        self, spec: data.OrgSpec, org: Organization, *, first_person: int, first_english: int
    ) -> None:
        area = data.AREAS[spec.area]
        domain = f"{spec.code.lower()}.example.jp"
        saved: list[Contact] = []
        for i, (order, parent, title_ja, title_en) in enumerate(data.contact_tree(spec.contacts)):
            n = first_person + i
            if i < spec.english_contacts:
                name, handle = data.ENGLISH_NAMES[(first_english + i) % len(data.ENGLISH_NAMES)]
                title, language = title_en, "en"
            else:
                family = data.FAMILY_NAMES[n % len(data.FAMILY_NAMES)]
                given = data.GIVEN_NAMES[n % len(data.GIVEN_NAMES)]
                name, handle = f"{family[0]} {given[0]}", f"{given[1]}.{family[1]}"
                title, language = title_ja, "ja"
            contact = Contact(
                organization=org,
                name=name,
                title=title,
                email=f"{handle}@{domain}",
                phone=_phone(area.phone_prefix, 1000 + n),
                sms_number=f"{('090', '080', '070')[n % 3]}-0000-{1000 + n:04d}",
                language=language,
                order=order,
                parent=saved[parent] if parent is not None else None,
            )
            saved.append(services.contact_save(actor=self.actor, contact=contact))
            self.created["contacts"] += 1

    def webhooks(self, spec: data.OrgSpec, org: Organization) -> None:
        for url, description in spec.webhooks:
            webhook = WebhookEndpoint(
                organization=org,
                url=url,
                secret=secrets.token_hex(32),
                description=description,
            )
            services.webhook_save(actor=self.actor, webhook=webhook)
            self.created["webhooks"] += 1

    def profile(self, spec: data.OrgSpec, org: Organization, index: int) -> None:
        template = data.PROFILES[spec.profile]
        overdue = data.OVERDUE_REVIEWS.get(spec.code)
        review = overdue or 30 + (index * 37) % 300
        restore = review + 60 if overdue else 20 + (index * 29) % 330
        drill = review - 20 if overdue else 10 + (index * 23) % 250
        reviewed_on = self.today - timedelta(days=review)
        profile = {
            "plan_version": f"{template.plan_version}（{reviewed_on:%Y-%m}改定）",
            "plan_reviewed_on": reviewed_on,
            "hq_location": template.hq_location,
            "hq_alternate_location": template.hq_alternate_location,
            "backup_site_kind": template.backup_site_kind,
            "backup_site_location": template.backup_site_location,
            "backup_site_distance_km": template.backup_site_distance_km,
            "data_backup_frequency": template.data_backup_frequency,
            "data_backup_offsite": template.data_backup_offsite,
            "last_restore_test_on": self.today - timedelta(days=restore),
            "last_internal_drill_on": self.today - timedelta(days=drill),
            "notes": data.REAL_NOTE if spec.real else data.FICTIONAL_NOTE,
        }
        if spec.code in data.NO_BACKUP_SITE:
            profile.update(
                backup_site_kind="none",
                backup_site_location="",
                backup_site_distance_km=None,
                data_backup_frequency="weekly",
                data_backup_offsite=False,
            )
        services.bcp_profile_update(actor=self.actor, organization=org, data=profile)
        self.created["BCP profiles"] += 1

    def committees(self, organizations: dict[str, tuple[Organization, bool]]) -> None:
        seats = set(
            Committee.members.through.objects.values_list("committee_id", "organization_id")
        )
        seated = {org_id for _committee_id, org_id in seats}
        for committee in Committee.objects.all():
            # An empty committee (new, or deleted and restored by reference_rows) is filled;
            # otherwise only organizations without any seat join, so removals stay removed.
            empty = not any(committee_id == committee.pk for committee_id, _org_id in seats)
            joining = [
                org
                for spec in data.ORGANIZATIONS
                for org in [organizations[spec.code][0]]
                if committee.code in spec.committees and (empty or org.pk not in seated)
            ]
            services.committee_members_add(
                actor=self.actor, committee=committee, organizations=joining
            )
            self.created["committee seats"] += len(joining)

    def users(self, organizations: dict[str, tuple[Organization, bool]]) -> None:
        User = get_user_model()
        existing = {
            u.username: u
            for u in User.objects.filter(username__in=[row[0] for row in data.DEMO_USERS])
        }
        for username, role, org_code, _purpose in data.DEMO_USERS:
            user = existing.get(username)
            organization = organizations[org_code][0] if org_code else None
            if role in permissions.MARKET_ROLES:
                has_role = user is not None and permissions.in_group(user, role)
            else:
                has_role = user is not None and permissions.has_role(user, organization, role)
            password_ok = user is not None and user.check_password(data.DEMO_PASSWORD)
            if has_role and password_ok:
                continue
            services.member_add(
                actor=self.actor,
                username=username,
                role=role,
                organization_code=org_code,
                password=None if password_ok else data.DEMO_PASSWORD,
                email=f"{username}@example.jp" if user is None else None,
            )
            self.created["demo accounts" if user is None else "demo accounts restored"] += 1


def _phone(prefix: str, number: int) -> str:
    """A fictional number in the area's format: 03-0000-1234, 052-000-1234."""
    middle = "0000" if len(prefix) == 2 else "000"
    return f"{prefix}-{middle}-{number:04d}"
