"""Reads that never return rows the user may not see."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from . import permissions
from .models import (
    BcpProfile,
    Contact,
    JmaArea,
    Organization,
    OrganizationFunction,
    OrganizationSite,
)


def organizations_visible(*, user) -> QuerySet[Organization]:
    """Members see every active organization; everyone else the public ones."""
    qs = Organization.objects.filter(active=True)
    if not permissions.is_member(user):
        qs = qs.filter(is_public=True)
    return qs


def organizations_with_functions(*, user) -> QuerySet[Organization]:
    return organizations_visible(user=user).prefetch_related(
        Prefetch(
            "organization_functions",
            queryset=OrganizationFunction.objects.select_related("function").order_by(
                "function__display_order", "function__code"
            ),
        )
    )


def organizations_of_user(*, user) -> QuerySet[Organization]:
    return Organization.objects.filter(pk__in=permissions.member_organization_ids(user))


def organization_get_visible(*, user, code: str) -> Organization:
    """The organization or Http404 — invisible ones look exactly like missing ones."""
    from django.http import Http404

    org = Organization.objects.filter(code=code.upper()).first()
    if org is None or not permissions.can(user, permissions.Action.VIEW_ORGANIZATION, org):
        raise Http404
    return org


def contacts_of(*, user, organization: Organization) -> QuerySet[Contact]:
    permissions.require(user, permissions.Action.VIEW_CONTACTS, organization)
    return organization.contacts.select_related("parent").order_by("order", "name")


def contact_tree(*, user, organization: Organization) -> list[tuple[int, Contact]]:
    """The contacts as (depth, contact) in tree order: each parent before its children."""
    contacts = list(contacts_of(user=user, organization=organization))
    children: dict[int | None, list[Contact]] = {}
    ids = {c.pk for c in contacts}
    for c in contacts:
        parent = c.parent_id if c.parent_id in ids else None
        children.setdefault(parent, []).append(c)
    out: list[tuple[int, Contact]] = []

    def walk(parent_id, depth):
        for c in children.get(parent_id, []):
            out.append((depth, c))
            walk(c.pk, depth + 1)

    walk(None, 0)
    return out


def bcp_profiles_overview(*, user) -> QuerySet[Organization]:
    permissions.require(user, permissions.Action.ADMINISTER)
    return (
        Organization.objects.filter(active=True)
        .select_related("bcp_profile")
        .order_by("kind", "code")
    )


def bcp_profile_of(*, user, organization: Organization) -> BcpProfile:
    permissions.require(user, permissions.Action.VIEW_PROFILE, organization)
    return BcpProfile.objects.filter(organization=organization).first() or BcpProfile(
        organization=organization
    )


def sites_of(*, user, organization: Organization) -> QuerySet[OrganizationSite]:
    permissions.require(user, permissions.Action.VIEW_PROFILE, organization)
    return organization.sites.select_related("area").order_by("kind", "area__code")


def areas_active() -> QuerySet[JmaArea]:
    return JmaArea.objects.filter(active=True).order_by("code")


def sites_in_areas(area_codes) -> QuerySet[OrganizationSite]:
    """Sites of active organizations in these JMA areas (for the earthquake feed, no user)."""
    return OrganizationSite.objects.filter(
        area_id__in=list(area_codes), organization__active=True
    ).select_related("organization", "area")


def site_area_codes() -> set[str]:
    """Every JMA area where an active organization has a site."""
    return set(
        OrganizationSite.objects.filter(organization__active=True)
        .values_list("area_id", flat=True)
        .distinct()
    )
