"""Every write to organizations, roles, contacts and BCP profiles goes through here.

Each service is atomic, takes the acting user keyword-only and records it in the history
(``_history_user``), so changes made by commands and tasks are attributed too.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from common.text import strip_control_characters

from . import permissions
from .models import (
    BcpProfile,
    BusinessFunction,
    Committee,
    Contact,
    JmaArea,
    Organization,
    OrganizationFunction,
    OrganizationSite,
    SegmentParticipation,
    WebhookEndpoint,
)

User = get_user_model()

# The market-wide groups and the model permissions they need in Django admin.
_ADMIN_APPS = ("organizations", "status_board", "bulletin", "emergency_hq", "auth", "authtoken")


SYSTEM_USERNAME = "system"


def system_actor():
    """The account that commands and tasks act as when no person does (never logs in)."""
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"is_active": False, "first_name": "BCP WEB"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    user.is_system_actor = True
    return user


def strip_text_fields(instance) -> None:
    """Drop control characters from every text field of a row about to be saved."""
    for field in instance._meta.concrete_fields:
        if isinstance(field, models.CharField | models.TextField):
            value = getattr(instance, field.attname)
            if isinstance(value, str):
                setattr(instance, field.attname, strip_control_characters(value))


def attribute(instance, actor) -> None:
    """Make simple-history record ``actor`` for the next save of ``instance``."""
    if actor is not None and getattr(actor, "is_authenticated", False):
        instance._history_user = actor


def roles_ensure() -> None:
    """Create the market-wide groups; jsda_admin gets every model permission for admin."""
    for name in permissions.MARKET_ROLES:
        Group.objects.get_or_create(name=name)
    admin_group = Group.objects.get(name=permissions.JSDA_ADMIN)
    admin_group.permissions.set(Permission.objects.filter(content_type__app_label__in=_ADMIN_APPS))


@transaction.atomic
def role_grant(*, actor, user, role: str, organization: Organization | None = None) -> None:
    if role not in permissions.ALL_ROLES:
        raise ValidationError(_("Unknown role: %(role)s") % {"role": role})
    if role in permissions.ORGANIZATION_ROLES:
        if organization is None:
            raise ValidationError(_("The role %(role)s needs an organization.") % {"role": role})
        assign_perm(f"organizations.{role}", user, organization)
        if role == permissions.REPORTER:
            # A reporter also reads: the members' area is part of reporting.
            assign_perm(f"organizations.{permissions.VIEWER}", user, organization)
    else:
        roles_ensure()
        user.groups.add(Group.objects.get(name=role))
        if role == permissions.JSDA_ADMIN and not user.is_staff:
            user.is_staff = True
            attribute(user, actor)
            user.save(update_fields=["is_staff"])
    permissions.forget(user)


@transaction.atomic
def role_revoke(*, actor, user, role: str, organization: Organization | None = None) -> None:
    if role in permissions.ORGANIZATION_ROLES:
        remove_perm(f"organizations.{role}", user, organization)
    else:
        user.groups.remove(*Group.objects.filter(name=role))
    permissions.forget(user)


@transaction.atomic
def member_add(
    *,
    actor,
    username: str,
    role: str,
    organization_code: str | None = None,
    password: str | None = None,
    email: str | None = None,
) -> tuple[Any, bool]:
    """Create (or update) a user and give it a role; returns (user, created)."""
    if role not in permissions.ALL_ROLES:
        raise ValidationError(
            _("Unknown role %(role)s; use one of: %(roles)s")
            % {"role": role, "roles": ", ".join(permissions.ALL_ROLES)}
        )
    organization = None
    if role in permissions.ORGANIZATION_ROLES and not organization_code:
        raise ValidationError(_("The role %(role)s needs --org CODE.") % {"role": role})
    if organization_code:
        organization = Organization.objects.filter(code=organization_code.upper()).first()
        if organization is None:
            raise ValidationError(_("Unknown organization: %(code)s") % {"code": organization_code})
    # Not get_or_create: the first history row of a new user must name the actor too.
    user = User.objects.filter(username=username).first()
    created = user is None
    if created:
        user = User(username=username)
    if email is not None:
        from django.core.validators import validate_email

        validate_email(email)
        user.email = email
    if password:
        user.set_password(password)
    elif created:
        user.set_unusable_password()
    attribute(user, actor)
    user.save()
    role_grant(actor=actor, user=user, role=role, organization=organization)
    if role in permissions.MARKET_ROLES and organization is not None:
        # A market role with --org also belongs to its own organization (FSA, BOJ staff):
        # it reads that organization's area and may answer its alerts as a regulator.
        role_grant(actor=actor, user=user, role=permissions.VIEWER, organization=organization)
    return user, created


def default_functions_for(kind: str) -> list[BusinessFunction]:
    return [f for f in BusinessFunction.objects.all() if kind in (f.default_kinds or [])]


@transaction.atomic
def organization_save(*, actor, organization: Organization, with_default_functions: bool = False):
    strip_text_fields(organization)
    organization.full_clean()
    attribute(organization, actor)
    organization.save()
    if with_default_functions and not organization.organization_functions.exists():
        organization_functions_set(
            actor=actor,
            organization=organization,
            functions={
                f.code: f.default_rto_minutes for f in default_functions_for(organization.kind)
            },
        )
    return organization


@transaction.atomic
def organization_functions_set(
    *, actor, organization: Organization, functions: dict[str, int | None]
) -> None:
    """Make the organization report exactly these function codes, each with its RTO."""
    catalogue = {f.code: f for f in BusinessFunction.objects.filter(code__in=functions)}
    unknown = sorted(set(functions) - set(catalogue))
    if unknown:
        raise ValidationError(_("Unknown function: %(codes)s") % {"codes": ", ".join(unknown)})
    current = {
        of.function.code: of
        for of in organization.organization_functions.select_related("function")
    }
    for code, of in current.items():
        if code not in functions:
            attribute(of, actor)
            of.delete()
    for code, rto in functions.items():
        of = current.get(code) or OrganizationFunction(
            organization=organization, function=catalogue[code]
        )
        if of.pk and of.rto_minutes == rto:
            continue
        of.rto_minutes = rto
        attribute(of, actor)
        of.save()


@transaction.atomic
def organization_segments_set(
    *, actor, organization: Organization, segments: dict[str, tuple[Any, Any]]
) -> None:
    """Make the organization take part in exactly these segments: {code: (weight, retail)}."""
    permissions.require(actor, permissions.Action.ADMINISTER)
    current = {s.segment: s for s in organization.segments.all()}
    for code, participation in current.items():
        if code not in segments:
            attribute(participation, actor)
            participation.delete()
    for code, (weight, retail_weight) in segments.items():
        participation = current.get(code) or SegmentParticipation(
            organization=organization, segment=code
        )
        if (
            participation.pk
            and participation.weight == weight
            and participation.retail_weight == retail_weight
        ):
            continue
        participation.weight = weight
        participation.retail_weight = retail_weight
        participation.full_clean(exclude=["organization"], validate_unique=False)
        attribute(participation, actor)
        participation.save()


def _check_parent(contact: Contact) -> None:
    parent = contact.parent
    if parent is None:
        return
    if parent.organization_id != contact.organization_id:
        raise ValidationError(
            {"parent": _("The parent must be a contact of the same organization.")}
        )
    seen = {contact.pk} if contact.pk else set()
    while parent is not None:
        if parent.pk in seen:
            raise ValidationError({"parent": _("This parent would make a loop in the tree.")})
        seen.add(parent.pk)
        parent = parent.parent


@transaction.atomic
def contact_save(*, actor, contact: Contact) -> Contact:
    permissions.require(actor, permissions.Action.MANAGE_CONTACTS, contact.organization)
    strip_text_fields(contact)
    contact.full_clean()
    _check_parent(contact)
    if not (contact.email or contact.phone or contact.sms_number):
        raise ValidationError(
            _("Give at least one way to reach this contact: e-mail, phone or SMS.")
        )
    attribute(contact, actor)
    contact.save()
    return contact


@transaction.atomic
def contact_delete(*, actor, contact: Contact) -> None:
    permissions.require(actor, permissions.Action.MANAGE_CONTACTS, contact.organization)
    for child in contact.children.all():
        child.parent = contact.parent
        attribute(child, actor)
        child.save(update_fields=["parent"])
    attribute(contact, actor)
    contact.delete()


@transaction.atomic
def webhook_save(*, actor, webhook: WebhookEndpoint) -> WebhookEndpoint:
    permissions.require(actor, permissions.Action.MANAGE_CONTACTS, webhook.organization)
    webhook.full_clean()
    attribute(webhook, actor)
    webhook.save()
    return webhook


@transaction.atomic
def webhook_delete(*, actor, webhook: WebhookEndpoint) -> None:
    permissions.require(actor, permissions.Action.MANAGE_CONTACTS, webhook.organization)
    attribute(webhook, actor)
    webhook.delete()


@transaction.atomic
def bcp_profile_update(
    *,
    actor,
    organization: Organization,
    data: dict[str, Any],
    function_rtos: dict[int, int | None] | None = None,
) -> BcpProfile:
    """Update the profile fields and, optionally, the RTO of each reported function."""
    permissions.require(actor, permissions.Action.MANAGE_PROFILE, organization)
    # Not get_or_create: the first history row of a new profile must name the actor too.
    profile = BcpProfile.objects.filter(organization=organization).first() or BcpProfile(
        organization=organization
    )
    for field, value in data.items():
        setattr(profile, field, value)
    profile.updated_by = actor
    strip_text_fields(profile)
    profile.full_clean()
    attribute(profile, actor)
    profile.save()
    for of in organization.organization_functions.filter(pk__in=list(function_rtos or {})):
        rto = function_rtos[of.pk]
        if of.rto_minutes != rto:
            of.rto_minutes = rto
            attribute(of, actor)
            of.save(update_fields=["rto_minutes"])
    return profile


SITES_MAX = 20


@transaction.atomic
def organization_sites_set(
    *, actor, organization: Organization, sites: Iterable[tuple[str, str, str]]
) -> list[OrganizationSite]:
    """Make the organization's sites exactly these (kind, JMA area code, label) rows."""
    from .vocabulary import SiteKind

    permissions.require(actor, permissions.Action.MANAGE_PROFILE, organization)
    wanted: dict[tuple[str, str], str] = {}
    errors = []
    for kind, code, label in sites:
        code = (code or "").strip()
        if kind not in SiteKind.values:
            errors.append(_("Unknown kind of site: %(kind)s") % {"kind": kind})
        elif (kind, code) in wanted:
            errors.append(_("The same site is listed twice: %(code)s") % {"code": code})
        wanted[(kind, code)] = (label or "").strip()[:200]
    known = set(
        JmaArea.objects.filter(code__in={c for _k, c in wanted}, active=True).values_list(
            "code", flat=True
        )
    )
    unknown = sorted({c for _k, c in wanted} - known)
    if unknown:
        errors.append(_("Unknown JMA area code: %(codes)s") % {"codes": ", ".join(unknown)})
    if len(wanted) > SITES_MAX:
        errors.append(_("List at most %(n)s sites.") % {"n": SITES_MAX})
    if errors:
        raise ValidationError(errors)
    current = {(s.kind, s.area_id): s for s in organization.sites.all()}
    for key, site in current.items():
        if key not in wanted:
            attribute(site, actor)
            site.delete()
    kept = []
    for (kind, code), label in wanted.items():
        site = current.get((kind, code)) or OrganizationSite(
            organization=organization, kind=kind, area_id=code
        )
        if site.pk is None or site.label != label:
            site.label = label
            attribute(site, actor)
            site.save()
        kept.append(site)
    return kept


@transaction.atomic
def committee_members_add(
    *, actor, committee: Committee, organizations: Iterable[Organization]
) -> None:
    permissions.require(actor, permissions.Action.ADMINISTER)
    organizations = list(organizations)
    if organizations:
        attribute(committee, actor)
        committee.members.add(*organizations)


def organizations_by_code(codes: Iterable[str]) -> dict[str, Organization]:
    return {o.code: o for o in Organization.objects.filter(code__in=[c.upper() for c in codes])}
