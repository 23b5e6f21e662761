"""Read receipts (既読), acknowledgements and reminders of circulars.

Like every write of the bulletin, each is atomic and takes the acting user keyword-only.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.services import alert_acknowledge_for_source
from alerts.sources import SourceAnswer
from organizations import permissions
from organizations.models import Organization
from organizations.permissions import Action

from .models import Circular, CircularRecipient
from .services import circular_source, require_manage
from .tasks import circular_reminders_send


def recipient_organization_ids(*, user, circular: Circular) -> set[int]:
    """The user's own organizations that this circular was sent to."""
    own = permissions.member_organization_ids(user)
    if not own:
        return set()
    if circular.is_targeted or circular.requires_ack:
        return set(
            circular.receipts.filter(organization_id__in=own).values_list(
                "organization_id", flat=True
            )
        )
    return set(Organization.objects.filter(pk__in=own, active=True).values_list("pk", flat=True))


def _ensure_receipts(circular: Circular, organization_ids: Iterable[int]) -> None:
    CircularRecipient.objects.bulk_create(
        [CircularRecipient(circular=circular, organization_id=pk) for pk in organization_ids],
        ignore_conflicts=True,
    )


@transaction.atomic
def circular_mark_read(*, user, circular: Circular) -> int:
    """Record that the user's organizations have read the circular (既読); first read wins."""
    ids = recipient_organization_ids(user=user, circular=circular)
    if not ids:
        return 0
    _ensure_receipts(circular, ids)
    return CircularRecipient.objects.filter(
        circular=circular, organization_id__in=ids, read_at__isnull=True
    ).update(read_at=timezone.now(), read_by=user)


@transaction.atomic
def circular_acknowledge(
    *, actor, circular: Circular, organization: Organization | None = None
) -> list[CircularRecipient]:
    """Acknowledge for the actor's recipient organizations (or the one given); idempotent."""
    ids = {
        pk
        for pk in recipient_organization_ids(user=actor, circular=circular)
        if permissions.can(actor, Action.ACKNOWLEDGE, pk)
    }
    if organization is not None:
        if organization.pk not in ids:
            raise PermissionDenied(
                _("This circular was not sent to %(code)s.") % {"code": organization.code}
            )
        ids = {organization.pk}
    if not ids:
        raise PermissionDenied(_("None of your organizations is a recipient of this circular."))
    receipts = CircularRecipient.objects.filter(circular=circular, organization_id__in=ids)
    if circular.is_withdrawn:
        if receipts.filter(acknowledged_at__isnull=True).exists() or len(receipts) < len(ids):
            raise ValidationError(
                _("This circular has been withdrawn; it needs no acknowledgement.")
            )
        return list(receipts.select_related("organization"))
    _ensure_receipts(circular, ids)
    now = timezone.now()
    fresh = list(receipts.filter(acknowledged_at__isnull=True).select_related("organization"))
    receipts.filter(pk__in=[r.pk for r in fresh]).update(
        acknowledged_at=now,
        acknowledged_by=actor,
        read_at=Coalesce(F("read_at"), Value(now)),
        read_by=Coalesce(F("read_by"), Value(actor.pk)),
    )
    # The alert the circular sent along the contact tree is answered by the same
    # acknowledgement: its escalation stops (and it is recorded there once).
    for receipt in fresh:
        alert_acknowledge_for_source(
            actor=actor, source=circular_source(circular), organization=receipt.organization
        )
    return list(receipts.select_related("organization").order_by("organization__code"))


def circular_acknowledge_from_alert(answer: SourceAnswer) -> int:
    """An answer to the alert a circular sent (its link, or the portal's alert inbox)
    acknowledges the circular for that organization, unless it already was; first wins."""
    circular = Circular.objects.filter(pk=int(answer.source_id)).first()
    if circular is None or circular.is_withdrawn:
        return 0
    user_id = getattr(answer.user, "pk", None)
    changes = {
        "acknowledged_at": answer.at,
        "acknowledged_by_id": user_id,
        "acknowledged_by_name": "" if user_id else answer.answered_by,
        "read_at": Coalesce(F("read_at"), Value(answer.at)),
    }
    if user_id:
        changes["read_by"] = Coalesce(F("read_by"), Value(user_id))
    return CircularRecipient.objects.filter(
        circular=circular, organization_id=answer.organization_id, acknowledged_at__isnull=True
    ).update(**changes)


@transaction.atomic
def circular_remind(*, actor, circular: Circular) -> int:
    """Remind the organizations that have not acknowledged yet; returns how many."""
    require_manage(actor, circular)
    if circular.is_withdrawn:
        raise ValidationError(_("This circular has been withdrawn."))
    if not circular.requires_ack:
        raise ValidationError(_("This circular does not ask for acknowledgement."))
    pending = CircularRecipient.objects.select_for_update().filter(
        circular=circular, acknowledged_at__isnull=True
    )
    ids = list(pending.values_list("pk", flat=True))
    if not ids:
        return 0
    CircularRecipient.objects.filter(pk__in=ids).update(
        reminded_at=timezone.now(), reminder_count=F("reminder_count") + 1
    )
    transaction.on_commit(lambda: circular_reminders_send.delay(circular.pk, ids))
    return len(ids)
