"""Reads that never return a circular (or a file of one) the user may not see."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from organizations import permissions
from organizations.permissions import Action

from .models import Audience, Circular, CircularAttachment, CircularRecipient

MARKET_WIDE = "market"  # the issuer filter value for circulars of the secretariat


def circulars_visible(*, user) -> QuerySet[Circular]:
    """Anyone: public circulars. Members: also all-member ones and those sent to them."""
    qs = Circular.objects.all()
    if permissions.can(user, Action.READ_EVERYTHING):
        return qs
    if not permissions.is_member(user):
        return qs.filter(audience=Audience.PUBLIC)
    own = permissions.member_organization_ids(user)
    sent_to_own = CircularRecipient.objects.filter(circular=OuterRef("pk"), organization_id__in=own)
    return qs.filter(
        Q(audience__in=[Audience.PUBLIC, Audience.MEMBERS])
        | Q(Exists(sent_to_own))
        | Q(issuer_organization_id__in=own)
    )


def circular_get_visible(*, user, number: str) -> Circular:
    """The circular or Http404: an invisible circular looks exactly like a missing one."""
    circular = (
        circulars_visible(user=user)
        .select_related("issuer_organization", "published_by", "withdrawn_by")
        .filter(number=number)
        .first()
    )
    if circular is None:
        raise Http404
    return circular


def _local_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def circulars_search(
    *,
    user,
    q: str = "",
    category: str = "",
    issuer: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    ack: str = "",
) -> QuerySet[Circular]:
    """Search that works for Japanese (substring, no tokenizer) on PostgreSQL and SQLite."""
    qs = circulars_visible(user=user).select_related("issuer_organization")
    for word in (q or "").split()[:5]:
        qs = qs.filter(
            Q(number__icontains=word)
            | Q(title_ja__icontains=word)
            | Q(title_en__icontains=word)
            | Q(body_ja__icontains=word)
            | Q(body_en__icontains=word)
        )
    if category:
        qs = qs.filter(category=category)
    if issuer == MARKET_WIDE:
        qs = qs.filter(issuer_organization__isnull=True)
    elif issuer:
        qs = qs.filter(issuer_organization__code=issuer.upper())
    if date_from:
        qs = qs.filter(published_at__gte=_local_start(date_from))
    if date_to and date_to < date.max:  # the last day of the calendar bounds nothing
        qs = qs.filter(published_at__lt=_local_start(date_to + timedelta(days=1)))
    if ack in ("pending", "done"):
        own = permissions.member_organization_ids(user)
        mine = CircularRecipient.objects.filter(circular=OuterRef("pk"), organization_id__in=own)
        qs = qs.filter(requires_ack=True)
        if ack == "pending":
            qs = qs.filter(Exists(mine.filter(acknowledged_at__isnull=True)), withdrawn_at=None)
        else:
            qs = qs.filter(Exists(mine.filter(acknowledged_at__isnull=False)))
    return qs.order_by("-published_at", "-sequence")


def acknowledging_organization_ids(user) -> set[int]:
    """The user's organizations it may acknowledge circulars for (reporters, not viewers)."""
    return {
        pk
        for pk in permissions.member_organization_ids(user)
        if permissions.can(user, Action.ACKNOWLEDGE, pk)
    }


def circular_tasks(*, user) -> QuerySet[CircularRecipient]:
    """Circulars the user still has to acknowledge for an organization (their to-do list)."""
    own = acknowledging_organization_ids(user)
    return (
        CircularRecipient.objects.filter(
            organization_id__in=own,
            acknowledged_at__isnull=True,
            circular__requires_ack=True,
            circular__withdrawn_at__isnull=True,
        )
        .select_related("circular", "organization")
        .order_by("circular__ack_deadline", "-circular__published_at")
    )


def receipts_of_user(*, user, circular: Circular) -> list[CircularRecipient]:
    own = permissions.member_organization_ids(user)
    if not own:
        return []
    return list(
        circular.receipts.filter(organization_id__in=own)
        .select_related("organization", "acknowledged_by")
        .order_by("organization__code")
    )


@dataclass
class Progress:
    acknowledged: list[CircularRecipient]
    read: list[CircularRecipient]
    pending: list[CircularRecipient]

    @property
    def total(self) -> int:
        return len(self.acknowledged) + len(self.read) + len(self.pending)


def circular_progress(*, user, circular: Circular) -> Progress:
    permissions.require(user, Action.MANAGE_CIRCULAR, circular.issuer_organization)
    receipts = circular.receipts.select_related(
        "organization", "read_by", "acknowledged_by"
    ).order_by("organization__code")
    progress = Progress([], [], [])
    for receipt in receipts:
        getattr(progress, receipt.state).append(receipt)
    return progress


def attachment_get_visible(*, user, number: str, attachment_id: int) -> CircularAttachment:
    circular = circular_get_visible(user=user, number=number)
    attachment = circular.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    return attachment


def member_emails_by_organization(organization_ids) -> dict[int, list[str]]:
    """E-mail addresses of the active members (reporters and viewers) of each organization."""
    from django.contrib.auth import get_user_model
    from guardian.models import UserObjectPermission

    from organizations.models import Organization

    rows = (
        UserObjectPermission.objects.filter(
            content_type__app_label=Organization._meta.app_label,
            content_type__model=Organization._meta.model_name,
            permission__codename__in=permissions.ORGANIZATION_ROLES,
            object_pk__in=[str(pk) for pk in organization_ids],
        )
        .values_list("object_pk", "user_id")
        .distinct()
    )
    user_ids = {user_id for _pk, user_id in rows}
    emails = dict(
        get_user_model()
        .objects.filter(pk__in=user_ids, is_active=True)
        .exclude(email="")
        .values_list("pk", "email")
    )
    out: dict[int, list[str]] = {}
    for object_pk, user_id in rows:
        if user_id in emails and emails[user_id] not in out.setdefault(int(object_pk), []):
            out[int(object_pk)].append(emails[user_id])
    return out


# Revisions ----------------------------------------------------------------------------

DIFFED_FIELDS = (
    "title_ja",
    "title_en",
    "body_ja",
    "body_en",
    "category",
    "ack_deadline",
    "withdrawal_reason",
)


@dataclass
class FieldChange:
    label: str
    diff: SafeString


@dataclass
class Revision:
    record: object
    changes: list[FieldChange]


def _line_diff(old: str, new: str) -> SafeString:
    """An accessible line diff: removed lines as <del>, added as <ins>, context kept."""
    old_lines = (old or "").splitlines() or [""]
    new_lines = (new or "").splitlines() or [""]
    out = []
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            out.extend(f'<span class="same">{escape(line)}</span>' for line in old_lines[a1:a2])
            continue
        out.extend(f"<del>{escape(line)}</del>" for line in old_lines[a1:a2])
        out.extend(f"<ins>{escape(line)}</ins>" for line in new_lines[b1:b2])
    return mark_safe("".join(out))  # noqa: S308 - every line is escaped above


def _display(circular: Circular, field: str, value) -> str:
    if value is None:
        return ""
    if field == "category":
        return str(dict(Circular._meta.get_field("category").choices).get(value, value))
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return str(value)


def circular_revisions(*, circular: Circular) -> list[Revision]:
    """Every version, newest first, each with what changed against the one before."""
    records = list(circular.history.select_related("history_user").order_by("history_date"))
    revisions = []
    previous = None
    for record in records:
        changes = []
        if previous is not None:
            delta = record.diff_against(previous, included_fields=list(DIFFED_FIELDS))
            for change in delta.changes:
                field = Circular._meta.get_field(change.field)
                changes.append(
                    FieldChange(
                        str(field.verbose_name),
                        _line_diff(
                            _display(circular, change.field, change.old),
                            _display(circular, change.field, change.new),
                        ),
                    )
                )
        revisions.append(Revision(record, changes))
        previous = record
    return list(reversed(revisions))
