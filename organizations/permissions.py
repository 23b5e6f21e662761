"""The one place that answers "may this user do X (to this organization)?".

Pages, the API, services and management commands all ask here. Market-wide roles are
groups; per-organization roles (reporter, viewer) are django-guardian object permissions on
the Organization row. Answers are cached on the user object for the length of a request.
"""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

HQ_STAFF = "hq_staff"
REGULATOR = "regulator"
JSDA_ADMIN = "jsda_admin"
MARKET_ROLES = (HQ_STAFF, REGULATOR, JSDA_ADMIN)

REPORTER = "reporter"
VIEWER = "viewer"
ORGANIZATION_ROLES = (REPORTER, VIEWER)
ALL_ROLES = ORGANIZATION_ROLES + MARKET_ROLES


def role_label(code: str) -> str:
    """A role in words, in the language of the page (the code is for machines)."""
    labels = {
        HQ_STAFF: _("HQ staff"),
        REGULATOR: _("Regulator"),
        JSDA_ADMIN: _("JSDA administrator"),
        REPORTER: _("Reporter"),
        VIEWER: _("Viewer"),
    }
    return labels.get(code, code)


class Action(StrEnum):
    VIEW_MEMBERS_AREA = "view_members_area"
    VIEW_ORGANIZATION = "view_organization"
    REPORT_STATUS = "report_status"
    VIEW_CONTACTS = "view_contacts"
    MANAGE_CONTACTS = "manage_contacts"
    VIEW_PROFILE = "view_profile"
    MANAGE_PROFILE = "manage_profile"
    # Acknowledge a circular / answer an alert for the organization itself: its reporters,
    # or a regulator's own staff.
    ACKNOWLEDGE = "acknowledge"
    ACKNOWLEDGE_ALERT = "acknowledge_alert"
    ADMINISTER = "administer"
    RUN_HQ = "run_hq"
    READ_EVERYTHING = "read_everything"
    # Circulars: organization=None means market-wide; otherwise the issuing organization.
    PUBLISH_CIRCULAR = "publish_circular"
    MANAGE_CIRCULAR = "manage_circular"
    # The emergency HQ's situation dashboard and report: HQ staff and regulators only.
    VIEW_SITUATION = "view_situation"


def _groups(user) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_bcp_groups", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._bcp_groups = cached
    return cached


def organization_roles(user) -> dict[int, frozenset[str]]:
    """{organization id: {"reporter", "viewer"}} for the user's own organizations."""
    if not getattr(user, "is_authenticated", False):
        return {}
    cached = getattr(user, "_bcp_org_roles", None)
    if cached is None:
        from guardian.models import UserObjectPermission

        from .models import Organization

        rows = UserObjectPermission.objects.filter(
            user_id=user.pk,
            content_type__app_label=Organization._meta.app_label,
            content_type__model=Organization._meta.model_name,
            permission__codename__in=ORGANIZATION_ROLES,
        ).values_list("object_pk", "permission__codename")
        roles: dict[int, set[str]] = {}
        for object_pk, codename in rows:
            roles.setdefault(int(object_pk), set()).add(codename)
        cached = {pk: frozenset(r) for pk, r in roles.items()}
        user._bcp_org_roles = cached
    return cached


def forget(user) -> None:
    """Drop the per-request cache after roles change."""
    for attr in ("_bcp_groups", "_bcp_org_roles"):
        if hasattr(user, attr):
            delattr(user, attr)


def in_group(user, name: str) -> bool:
    return name in _groups(user)


def requires_two_factor(user) -> bool:
    from django.conf import settings

    return bool(user.is_superuser or _groups(user) & set(settings.OTP_REQUIRED_GROUPS))


def is_member(user) -> bool:
    """Anyone with a role: the members' area is theirs to read."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser or _groups(user) or organization_roles(user))


def has_role(user, organization, role: str) -> bool:
    org_id = getattr(organization, "pk", organization)
    return role in organization_roles(user).get(org_id, frozenset())


def member_organization_ids(user) -> set[int]:
    return set(organization_roles(user))


def reporter_organization_ids(user) -> set[int]:
    return {pk for pk, roles in organization_roles(user).items() if REPORTER in roles}


def can(user, action: Action | str, organization=None) -> bool:
    action = Action(action)
    if getattr(user, "is_system_actor", False):
        return True
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        if action is Action.VIEW_ORGANIZATION and organization is not None:
            return bool(organization.is_public and organization.active)
        return False
    groups = _groups(user)
    admin = user.is_superuser or JSDA_ADMIN in groups
    reporter = organization is not None and has_role(user, organization, REPORTER)
    own = organization is not None and bool(
        organization_roles(user).get(getattr(organization, "pk", organization))
    )
    match action:
        case Action.VIEW_MEMBERS_AREA | Action.VIEW_ORGANIZATION:
            return is_member(user) or bool(
                organization is not None and organization.is_public and organization.active
            )
        case Action.REPORT_STATUS:
            return reporter
        case Action.VIEW_CONTACTS | Action.MANAGE_CONTACTS | Action.MANAGE_PROFILE:
            return reporter or admin
        case Action.VIEW_PROFILE:
            return own or admin or bool(groups & {HQ_STAFF, REGULATOR})
        case Action.ACKNOWLEDGE | Action.ACKNOWLEDGE_ALERT:
            # DESIGN §2: reporters acknowledge for their organization; a regulator's staff
            # for their own one. Viewers only read.
            return reporter or (own and REGULATOR in groups)
        case Action.ADMINISTER:
            return admin
        case Action.RUN_HQ:
            return HQ_STAFF in groups
        case Action.VIEW_SITUATION:
            return bool(groups & {HQ_STAFF, REGULATOR})
        case Action.READ_EVERYTHING:
            return admin or bool(groups & {HQ_STAFF, REGULATOR})
        case Action.PUBLISH_CIRCULAR | Action.MANAGE_CIRCULAR:
            from .vocabulary import ISSUER_KINDS

            if organization is None:
                return admin or HQ_STAFF in groups
            if action is Action.MANAGE_CIRCULAR and admin:
                return True
            return reporter and organization.kind in ISSUER_KINDS and organization.active
    return False


def require(user, action: Action | str, organization=None) -> None:
    if not can(user, action, organization):
        raise PermissionDenied(_("You do not have permission to do this."))
