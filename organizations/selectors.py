"""Reads that never return rows the user may not see."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from . import permissions
from .models import (
    BcpProfile,
    Committee,
    Contact,
    JmaArea,
    Organization,
    OrganizationFunction,
    OrganizationSite,
    SegmentParticipation,
)
from .vocabulary import OrganizationKind, Segment


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


# --- audiences: whom a circular, an alert or a drill reaches ----------------------------


@dataclass
class AudienceChoice:
    """The active organizations an audience reaches, with what was chosen to reach them."""

    organizations: list[Organization] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    segments: list[str] = field(default_factory=list)
    committees: list[Committee] = field(default_factory=list)


def _codes(values: Iterable, *, upper: bool) -> list[str]:
    out = []
    for value in values or []:
        text = str(getattr(value, "code", value)).strip()
        if text:
            out.append(text.upper() if upper else text)
    return list(dict.fromkeys(out))


def organizations_for_audience(
    *,
    audience: str,
    organizations: Iterable = (),
    kinds: Iterable[str] = (),
    segments: Iterable[str] = (),
    committees: Iterable = (),
) -> AudienceChoice:
    """Resolve an audience to active organizations, sorted by code.

    ``audience`` is ``members`` (every active organization), ``organizations`` (codes or
    rows), ``kinds``, ``segments`` (``all`` = every segment participant) or ``committees``.
    Unknown codes, an empty choice or a choice that reaches nobody raise ValidationError
    under the field of the choice.
    """
    active = Organization.objects.filter(active=True).order_by("code")
    if audience == "members":
        return AudienceChoice(organizations=list(active))
    if audience == "organizations":
        codes = _codes(organizations, upper=True)
        if not codes:
            raise ValidationError({"organizations": _("List the organization codes.")})
        found = {o.code: o for o in active.filter(code__in=codes)}
        unknown = [c for c in codes if c not in found]
        if unknown:
            raise ValidationError(
                {
                    "organizations": _("Unknown organization: %(codes)s")
                    % {"codes": ", ".join(unknown)}
                }
            )
        return AudienceChoice(organizations=sorted(found.values(), key=lambda o: o.code))
    if audience == "kinds":
        chosen = _codes(kinds, upper=False)
        if not chosen or set(chosen) - set(OrganizationKind.values):
            raise ValidationError(
                {
                    "kinds": _("Choose organization kinds from: %(choices)s.")
                    % {"choices": ", ".join(OrganizationKind.values)}
                }
            )
        targets = list(active.filter(kind__in=chosen))
        if not targets:
            raise ValidationError({"kinds": _("No active organization is of these kinds.")})
        return AudienceChoice(organizations=targets, kinds=sorted(chosen))
    if audience == "segments":
        chosen = _codes(segments, upper=False)
        if not chosen or set(chosen) - set(Segment.values):
            raise ValidationError(
                {
                    "segments": _("Choose market segments from: %(choices)s.")
                    % {"choices": ", ".join(Segment.values)}
                }
            )
        rows = SegmentParticipation.objects.all()
        if Segment.ALL not in chosen:
            rows = rows.filter(segment__in=chosen)
        targets = list(active.filter(pk__in=rows.values("organization_id")))
        if not targets:
            raise ValidationError(
                {"segments": _("No active organization takes part in these segments.")}
            )
        return AudienceChoice(organizations=targets, segments=sorted(chosen))
    if audience == "committees":
        codes = _codes(committees, upper=True)
        found = list(Committee.objects.filter(code__in=codes))
        unknown = sorted(set(codes) - {c.code for c in found})
        if not codes or unknown:
            raise ValidationError(
                {
                    "committees": _("Unknown committee: %(codes)s")
                    % {"codes": ", ".join(unknown) or "—"}
                }
            )
        targets = list(active.filter(committees__in=found).distinct())
        if not targets:
            raise ValidationError(
                {"committees": _("These committees have no active member organization.")}
            )
        return AudienceChoice(organizations=targets, committees=found)
    raise ValidationError({"audience": _("Unknown audience %(value)s.") % {"value": audience}})
