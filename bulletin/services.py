"""Every write to circulars: publish, revise, withdraw, read, acknowledge, remind.

Each service is atomic, takes the acting user keyword-only, checks permissions through
organizations.permissions and records the actor in the history (``_history_user``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations import permissions
from organizations.models import Committee, Organization
from organizations.permissions import Action
from organizations.services import attribute
from organizations.vocabulary import OrganizationKind

from . import attachments as attachment_checks
from .models import (
    TARGETED_AUDIENCES,
    Audience,
    Category,
    Circular,
    CircularAttachment,
    CircularCounter,
    CircularRecipient,
)
from .rendering import render_markdown

logger = logging.getLogger(__name__)

TITLE_MAX = 200
BODY_MAX = 100_000
REVISABLE_FIELDS = ("title_ja", "title_en", "body_ja", "body_en", "category", "ack_deadline")


def fiscal_year_of(moment: datetime) -> int:
    """Japanese fiscal year (April–March) of a moment, judged in Japan time."""
    local = timezone.localtime(moment, timezone.get_fixed_timezone(9 * 60))
    return local.year if local.month >= 4 else local.year - 1


def _take_sequence(fiscal_year: int) -> int:
    """The next number of the year; the counter row stays locked until the commit."""
    CircularCounter.objects.bulk_create(
        [CircularCounter(fiscal_year=fiscal_year)], ignore_conflicts=True
    )
    counter = CircularCounter.objects.select_for_update().get(fiscal_year=fiscal_year)
    counter.last_sequence = F("last_sequence") + 1
    counter.save(update_fields=["last_sequence"])
    counter.refresh_from_db(fields=["last_sequence"])
    return counter.last_sequence


def _clean_text(errors: dict, field: str, value, *, required: bool, limit: int) -> str:
    from common.text import strip_control_characters

    if isinstance(value, str):
        # Control characters would break the Atom feed and readers: never stored.
        value = strip_control_characters(value)
    value = (value or "").strip() if isinstance(value, str | type(None)) else None
    if value is None:
        errors[field] = _("Enter text.")
        return ""
    if required and not value:
        errors[field] = _("This field is required.")
    elif len(value) > limit:
        errors[field] = _("Use at most %(n)s characters.") % {"n": limit}
    return value


def _check_category(errors: dict, category) -> None:
    if category not in Category.values:
        errors["category"] = _("Unknown category %(value)s; use one of: %(choices)s.") % {
            "value": category,
            "choices": ", ".join(Category.values),
        }


def _check_deadline(errors: dict, requires_ack: bool, deadline, now: datetime) -> None:
    if deadline is None:
        return
    if not requires_ack:
        errors["ack_deadline"] = _("A deadline only makes sense when acknowledgement is required.")
    elif timezone.is_naive(deadline):
        errors["ack_deadline"] = _("Give the deadline with its time zone.")
    elif deadline <= now:
        errors["ack_deadline"] = _("The deadline must be in the future.")


def _resolve_audience(
    errors: dict,
    *,
    audience,
    organizations: Iterable[str],
    kinds: Iterable[str],
    committees: Iterable[str],
) -> tuple[list[Organization], list[str], list[Committee]]:
    """The organizations a targeted audience reaches, frozen at publication."""
    organizations = [str(c).strip().upper() for c in organizations or [] if str(c).strip()]
    kinds = [str(k).strip() for k in kinds or [] if str(k).strip()]
    committees = [str(c).strip().upper() for c in committees or [] if str(c).strip()]
    if audience not in Audience.values:
        errors["audience"] = _("Unknown audience %(value)s; use one of: %(choices)s.") % {
            "value": audience,
            "choices": ", ".join(Audience.values),
        }
        return [], [], []
    if audience == Audience.ORGANIZATIONS:
        if not organizations:
            errors["organizations"] = _("List the organization codes this circular goes to.")
            return [], [], []
        found = {
            o.code: o for o in Organization.objects.filter(code__in=organizations, active=True)
        }
        unknown = sorted(set(organizations) - set(found))
        if unknown:
            errors["organizations"] = _("Unknown organization: %(codes)s") % {
                "codes": ", ".join(unknown)
            }
            return [], [], []
        return sorted(found.values(), key=lambda o: o.code), [], []
    if audience == Audience.KINDS:
        unknown = sorted(set(kinds) - set(OrganizationKind.values))
        if not kinds or unknown:
            errors["kinds"] = _("Choose organization kinds from: %(choices)s.") % {
                "choices": ", ".join(OrganizationKind.values)
            }
            return [], [], []
        targets = list(Organization.objects.filter(kind__in=kinds, active=True))
        if not targets:
            errors["kinds"] = _("No active organization is of these kinds.")
        return targets, sorted(set(kinds)), []
    if audience == Audience.COMMITTEES:
        found_committees = list(Committee.objects.filter(code__in=committees))
        unknown = sorted(set(committees) - {c.code for c in found_committees})
        if not committees or unknown:
            errors["committees"] = _("Unknown committee: %(codes)s") % {
                "codes": ", ".join(unknown) or "—"
            }
            return [], [], []
        targets = list(
            Organization.objects.filter(committees__in=found_committees, active=True).distinct()
        )
        if not targets:
            errors["committees"] = _("These committees have no active member organization.")
        return targets, [], found_committees
    return [], [], []


def issuer_organizations_of(user) -> list[Organization]:
    """The market infrastructures this user may publish notices for."""
    ids = permissions.reporter_organization_ids(user)
    return [
        org
        for org in Organization.objects.filter(pk__in=ids, active=True).order_by("code")
        if permissions.can(user, Action.PUBLISH_CIRCULAR, org)
    ]


def may_publish(user) -> bool:
    return permissions.can(user, Action.PUBLISH_CIRCULAR) or bool(issuer_organizations_of(user))


def _circular_notify_contact_trees(*, circular: Circular, actor) -> None:
    """Send a circular that requires acknowledgement along the recipients' contact trees.

    The alert's outbox rows are written in this same publish transaction and sent by
    Celery on commit (emergency_hq alerts). Issuers who are not HQ staff (reporters of
    market infrastructures) still reach the trees: the portal sends on their behalf, and
    the alert's source names the circular and so its publisher.
    """
    from django.conf import settings
    from django.urls import reverse

    from emergency_hq.services import alert_send
    from organizations.services import system_actor

    organizations = [r.organization for r in circular.receipts.select_related("organization")]
    if not organizations:
        return
    link = settings.SITE_URL.rstrip("/") + reverse("circular_detail", args=[circular.number])
    sender = actor if permissions.can(actor, Action.RUN_HQ) else system_actor()
    alert_send(
        actor=sender,
        # Alert subjects are shorter than circular titles (and drills get a prefix).
        subject_ja=f"【通達 {circular.number}】{circular.title_ja}"[:180],
        subject_en=f"[Circular {circular.number}] {circular.title_en or circular.title_ja}"[:180],
        body_ja=(
            f"通達 {circular.number}「{circular.title_ja}」が発出されました。"
            f"内容を確認し、受領を連絡してください。\n{link}"
        ),
        body_en=(
            f'Circular {circular.number} "{circular.title_en or circular.title_ja}" has been '
            f"issued. Please read it and confirm receipt.\n{link}"
        ),
        source=circular,
        organizations=organizations,
        requires_ack=True,
        deadline=circular.ack_deadline,
        is_drill=circular.category == Category.DRILL,
        targeting={"circular": circular.number},
    )


def _store_attachments(*, actor, circular: Circular, checked) -> list[CircularAttachment]:
    """Write the files last, after every check passed; a failure removes what was written."""
    stored: list[CircularAttachment] = []
    try:
        for item in checked:
            attachment = CircularAttachment(
                circular=circular,
                name=item.name,
                content_type=item.content_type,
                size=item.size,
                sha256=item.sha256,
                uploaded_by=actor,
            )
            item.upload.seek(0)
            attachment.file.save(item.name, item.upload, save=False)
            stored.append(attachment)
            attachment.save()
    except Exception:
        for attachment in stored:
            attachment.file.delete(save=False)
        raise
    return stored


@transaction.atomic
def circular_publish(
    *,
    actor,
    title_ja: str,
    body_ja: str,
    category: str,
    audience: str,
    title_en: str = "",
    body_en: str = "",
    organizations: Sequence[str] = (),
    kinds: Sequence[str] = (),
    committees: Sequence[str] = (),
    requires_ack: bool = False,
    ack_deadline: datetime | None = None,
    issuer: Organization | None = None,
    attachments: Sequence = (),
    now: datetime | None = None,
) -> Circular:
    """Publish a circular; bad input raises ValidationError (by field) and stores nothing.

    ``now`` lets imports and tests publish at a given moment; callers leave it out.
    """
    permissions.require(actor, Action.PUBLISH_CIRCULAR, issuer)
    now = now or timezone.now()
    errors: dict[str, str] = {}
    title_ja = _clean_text(errors, "title_ja", title_ja, required=True, limit=TITLE_MAX)
    title_en = _clean_text(errors, "title_en", title_en, required=False, limit=TITLE_MAX)
    body_ja = _clean_text(errors, "body_ja", body_ja, required=True, limit=BODY_MAX)
    body_en = _clean_text(errors, "body_en", body_en, required=False, limit=BODY_MAX)
    _check_category(errors, category)
    requires_ack = bool(requires_ack)
    _check_deadline(errors, requires_ack, ack_deadline, now)
    targets, kinds, found_committees = _resolve_audience(
        errors, audience=audience, organizations=organizations, kinds=kinds, committees=committees
    )
    try:
        checked = attachment_checks.check_all(attachments)
    except ValidationError as error:
        errors["attachments"] = " ".join(error.messages)
    if errors:
        raise ValidationError(errors)

    fiscal_year = fiscal_year_of(now)
    sequence = _take_sequence(fiscal_year)
    circular = Circular(
        number=f"{fiscal_year}-{sequence:04d}",
        fiscal_year=fiscal_year,
        sequence=sequence,
        title_ja=title_ja,
        title_en=title_en,
        body_ja=body_ja,
        body_en=body_en,
        body_html_ja=render_markdown(body_ja),
        body_html_en=render_markdown(body_en),
        category=category,
        audience=audience,
        kinds=kinds,
        issuer_organization=issuer,
        published_by=actor,
        published_at=now,
        requires_ack=requires_ack,
        ack_deadline=ack_deadline if requires_ack else None,
    )
    attribute(circular, actor)
    circular.save()
    if found_committees:
        circular.committees.set(found_committees)
    if audience not in TARGETED_AUDIENCES and requires_ack:
        # Everyone is asked: freeze today's active organizations as the recipients.
        targets = list(
            Organization.objects.filter(active=True).exclude(pk=getattr(issuer, "pk", 0))
        )
    CircularRecipient.objects.bulk_create(
        [CircularRecipient(circular=circular, organization=org) for org in targets]
    )
    _store_attachments(actor=actor, circular=circular, checked=checked)
    if requires_ack:
        _circular_notify_contact_trees(circular=circular, actor=actor)
    return circular


def _require_manage(actor, circular: Circular) -> None:
    permissions.require(actor, Action.MANAGE_CIRCULAR, circular.issuer_organization)


@transaction.atomic
def circular_revise(
    *,
    actor,
    circular: Circular,
    changes: dict,
    note: str = "",
    attachments: Sequence = (),
) -> Circular:
    """Edit a published circular; every version stays in its history."""
    _require_manage(actor, circular)
    circular = Circular.objects.select_for_update().get(pk=circular.pk)
    if circular.is_withdrawn:
        raise ValidationError(_("A withdrawn circular cannot be revised."))
    unknown = sorted(set(changes) - set(REVISABLE_FIELDS))
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(unknown)}
        )
    now = timezone.now()
    errors: dict[str, str] = {}
    values = {}
    for field, limit, required in (
        ("title_ja", TITLE_MAX, True),
        ("title_en", TITLE_MAX, False),
        ("body_ja", BODY_MAX, True),
        ("body_en", BODY_MAX, False),
    ):
        if field in changes:
            values[field] = _clean_text(
                errors, field, changes[field], required=required, limit=limit
            )
    if "category" in changes:
        _check_category(errors, changes["category"])
        values["category"] = changes["category"]
    if "ack_deadline" in changes:
        deadline = changes["ack_deadline"]
        if deadline != circular.ack_deadline:
            _check_deadline(errors, circular.requires_ack, deadline, now)
        values["ack_deadline"] = deadline
    note = (note or "").strip()
    if len(note) > 300:
        errors["note"] = _("Use at most %(n)s characters.") % {"n": 300}
    try:
        checked = attachment_checks.check_all(attachments)
    except ValidationError as error:
        errors["attachments"] = " ".join(error.messages)
    if errors:
        raise ValidationError(errors)
    changed = [f for f, v in values.items() if getattr(circular, f) != v]
    if not changed and not checked:
        raise ValidationError(_("Nothing was changed."))
    for field in changed:
        setattr(circular, field, values[field])
    circular.body_html_ja = render_markdown(circular.body_ja)
    circular.body_html_en = render_markdown(circular.body_en)
    circular.revision += 1
    if not note:
        labels = [str(Circular._meta.get_field(f).verbose_name) for f in changed]
        labels += [_("attachment %(name)s added") % {"name": c.name} for c in checked]
        note = ", ".join(labels)[:300]
    circular.revision_note = note
    attribute(circular, actor)
    circular.save()
    _store_attachments(actor=actor, circular=circular, checked=checked)
    return circular


@transaction.atomic
def circular_withdraw(*, actor, circular: Circular, reason: str) -> Circular:
    """Withdraw (取消): the circular stays readable, marked as withdrawn, never deleted."""
    _require_manage(actor, circular)
    circular = Circular.objects.select_for_update().get(pk=circular.pk)
    reason = (reason or "").strip()
    if circular.is_withdrawn:
        raise ValidationError(_("This circular has already been withdrawn."))
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the withdrawal.")})
    if len(reason) > 300:
        raise ValidationError({"reason": _("Use at most %(n)s characters.") % {"n": 300}})
    circular.withdrawn_at = timezone.now()
    circular.withdrawn_by = actor
    circular.withdrawal_reason = reason
    circular.revision += 1
    circular.revision_note = _("Withdrawn: %(reason)s") % {"reason": reason}
    attribute(circular, actor)
    circular.save()
    return circular


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
    receipts.filter(acknowledged_at__isnull=True).update(
        acknowledged_at=now,
        acknowledged_by=actor,
        read_at=Coalesce(F("read_at"), Value(now)),
        read_by=Coalesce(F("read_by"), Value(actor.pk)),
    )
    return list(receipts.select_related("organization").order_by("organization__code"))


@transaction.atomic
def circular_remind(*, actor, circular: Circular) -> int:
    """Remind the organizations that have not acknowledged yet; returns how many."""
    _require_manage(actor, circular)
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
    from .tasks import circular_reminders_send

    transaction.on_commit(lambda: circular_reminders_send.delay(circular.pk, ids))
    return len(ids)
