"""Every write to circulars: publish, revise, withdraw, read, acknowledge, remind.

Each service is atomic, takes the acting user keyword-only, checks permissions through
organizations.permissions and records the actor in the history (``_history_user``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.models import AlertSource
from alerts.services import alert_send
from common.links import absolute_reverse
from organizations import permissions
from organizations.models import Committee, Organization
from organizations.permissions import Action
from organizations.selectors import organizations_for_audience
from organizations.services import attribute, system_actor

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


def _check_attachments(errors: dict, attachments) -> list:
    """The files, checked (type from content, size); what is wrong goes into ``errors``."""
    try:
        return attachment_checks.check_all(attachments)
    except ValidationError as error:
        errors["attachments"] = " ".join(error.messages)
        return []


def _resolve_audience(
    errors: dict,
    *,
    audience,
    organizations: Iterable[str],
    kinds: Iterable[str],
    committees: Iterable[str],
) -> tuple[list[Organization], list[str], list[Committee]]:
    """The organizations a targeted audience reaches, frozen at publication."""
    if audience not in Audience.values:
        errors["audience"] = _("Unknown audience %(value)s; use one of: %(choices)s.") % {
            "value": audience,
            "choices": ", ".join(Audience.values),
        }
        return [], [], []
    if audience not in TARGETED_AUDIENCES:
        return [], [], []
    try:
        choice = organizations_for_audience(
            audience=audience, organizations=organizations, kinds=kinds, committees=committees
        )
    except ValidationError as error:
        errors.update({field: " ".join(messages) for field, messages in error.message_dict.items()})
        return [], [], []
    return choice.organizations, choice.kinds, choice.committees


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

    The alert's outbox rows are written in this same publish transaction and sent by Celery
    on commit. Issuers who are not HQ staff (reporters of market infrastructures) still reach
    the trees: the portal sends on their behalf, and the alert's source names the circular.
    """
    organizations = [r.organization for r in circular.receipts.select_related("organization")]
    if not organizations:
        return
    link = absolute_reverse("circular_detail", circular.number)
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
        source=circular_source(circular),
        organizations=organizations,
        requires_ack=True,
        deadline=circular.ack_deadline,
        is_drill=circular.category == Category.DRILL,
        targeting={"circular": circular.number},
    )


def circular_source(circular: Circular) -> AlertSource:
    """How the alerts of a circular name it: by its number."""
    return AlertSource(
        "circular", circular.pk, f"通達 {circular.number} / Circular {circular.number}"
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
    checked = _check_attachments(errors, attachments)
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


def require_manage(actor, circular: Circular) -> None:
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
    require_manage(actor, circular)
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
    checked = _check_attachments(errors, attachments)
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
    require_manage(actor, circular)
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
