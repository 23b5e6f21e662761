"""Who may enrol a second factor, and which API tokens may stand in for one.

A password alone must never be enough to give an HQ or admin account its first TOTP device:
that enrolment goes through a one-time link an administrator issued for that very account.
API tokens of those accounts skip the second factor, so accepting them is an explicit,
recorded choice per token, on top of a setting that is off by default.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import permissions
from .models import ApiTokenExemption, TwoFactorEnrolment
from .services import attribute


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def enrolment_link_required(user) -> bool:
    """HQ and admin accounts enrol their first device only through an issued link."""
    return bool(settings.OTP_REQUIRED and permissions.requires_two_factor(user))


def enrolment_url(secret: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("otp_enrol", args=[secret])


@transaction.atomic
def enrolment_link_issue(*, actor, user, valid_for: timedelta | None = None) -> str:
    """A new link for ``user`` (earlier unused ones stop working); returns its full URL."""
    permissions.require(actor, permissions.Action.ADMINISTER)
    if not user.is_active:
        raise ValidationError(_("This account is inactive."))
    now = timezone.now()
    valid_for = valid_for or timedelta(hours=settings.OTP_ENROLMENT_LINK_HOURS)
    for earlier in TwoFactorEnrolment.objects.select_for_update().filter(
        user=user, used_at=None, revoked_at=None
    ):
        earlier.revoked_at = now
        attribute(earlier, actor)
        earlier.save(update_fields=["revoked_at"])
    secret = secrets.token_urlsafe(32)
    enrolment = TwoFactorEnrolment(
        user=user,
        token_digest=_digest(secret),
        issued_by=actor if actor.pk else None,
        issued_at=now,
        expires_at=now + valid_for,
    )
    attribute(enrolment, actor)
    enrolment.save()
    return enrolment_url(secret)


def enrolment_link_find(*, user, secret: str) -> TwoFactorEnrolment | None:
    """The link if it belongs to ``user`` and can still be used; otherwise None."""
    return TwoFactorEnrolment.objects.filter(
        user=user,
        token_digest=_digest(secret),
        used_at=None,
        revoked_at=None,
        expires_at__gt=timezone.now(),
    ).first()


@transaction.atomic
def enrolment_link_redeem(*, user, secret: str, address: str | None) -> bool:
    """Use the link up; False when it was used, revoked or expired meanwhile."""
    enrolment = enrolment_link_find(user=user, secret=secret)
    if enrolment is None:
        return False
    # Compare-and-set: of two concurrent confirmations only one uses the link.
    claimed = TwoFactorEnrolment.objects.filter(pk=enrolment.pk, used_at=None).update(
        used_at=timezone.now(), used_from=address
    )
    if not claimed:
        return False
    enrolment.refresh_from_db()
    attribute(enrolment, user)
    enrolment.save(update_fields=["used_at", "used_from"])  # one history row for the use
    return True


# --- API tokens of accounts that need a second factor --------------------------------------


def api_token_refusal(token) -> str | None:
    """Why this token may not be used (None: it may). Only tokens of accounts that need a
    second factor are ever refused."""
    user = token.user
    if not (settings.OTP_REQUIRED and permissions.requires_two_factor(user)):
        return None
    if not settings.API_TOKENS_FOR_TWO_FACTOR_ROLES:
        return _(
            "API tokens of HQ and administrator accounts are not accepted on this portal "
            "(they would skip the second factor). Sign in with your second factor instead."
        )
    if not ApiTokenExemption.objects.filter(user=user, token_digest=_digest(token.key)).exists():
        return _(
            "This API token has not been approved for use without a second factor. "
            "Ask a JSDA administrator to approve it."
        )
    return None


def _require_administrator(actor) -> None:
    # A person, never the system account: the approval must name who took the decision.
    if not (actor.is_superuser or permissions.in_group(actor, permissions.JSDA_ADMIN)):
        raise PermissionDenied(_("Only a JSDA administrator may approve API tokens."))


@transaction.atomic
def api_token_exempt(*, actor, user, reason: str) -> ApiTokenExemption:
    """Approve ``user``'s current API token for use without a second factor (recorded)."""
    from rest_framework.authtoken.models import Token

    _require_administrator(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why this token may skip the second factor.")})
    token = Token.objects.filter(user=user).first()
    if token is None:
        raise ValidationError(
            {"user": _("This account has no API token yet (manage.py drf_create_token).")}
        )
    exemption = ApiTokenExemption.objects.filter(token_digest=_digest(token.key)).first()
    if exemption is not None:
        return exemption
    exemption = ApiTokenExemption(
        user=user,
        token_digest=_digest(token.key),
        reason=reason,
        granted_by=actor,
        granted_at=timezone.now(),
    )
    attribute(exemption, actor)
    exemption.save()
    return exemption


@transaction.atomic
def api_token_exemption_revoke(*, actor, exemption: ApiTokenExemption) -> None:
    _require_administrator(actor)
    attribute(exemption, actor)
    exemption.delete()
