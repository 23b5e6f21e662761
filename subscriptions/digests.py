"""Coalesced digests: the changes of one window, one e-mail per subscriber, via the outbox.

A window opens with the first change not yet in a digest and closes
SUBSCRIPTION_DIGEST_WINDOW_SECONDS later; ``digest_build`` then gathers every change of the
window into one ``Digest`` and, in the same transaction, writes one outbox row per confirmed
subscriber who follows any of them (``alerts.services.alert_send_messages``). Rows are
claimed and marked sent by the outbox, so each subscriber gets each digest once, even when a
worker dies mid-batch or the broker restarts (the sweeper resends what is stuck).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from alerts.models import AlertSource
from alerts.services import AddressedMessage, alert_send_messages
from common.links import absolute_url
from organizations.services import system_actor

from . import conf
from .models import ChangeKind, Digest, PublicChange, Subscriber
from .services import DIGEST_SOURCE, unsubscribe_headers

_TOKEN = "BCPWEBSUBSCRIBERTOKEN"  # noqa: S105 - a placeholder, not a secret


def window() -> timedelta:
    return timedelta(seconds=conf.get("SUBSCRIPTION_DIGEST_WINDOW_SECONDS"))


def next_due(now: datetime | None = None) -> float | None:
    """Seconds until the open window closes (0 when it has), None when nothing waits."""
    first = (
        PublicChange.objects.filter(digest__isnull=True)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    if first is None:
        return None
    return max(0.0, (first + window() - (now or timezone.now())).total_seconds())


def _wanted(change: PublicChange, orgs: set[int], banner: bool, categories: set[str]) -> bool:
    if not orgs and not banner and not categories:
        return True  # an empty choice follows everything public
    if change.kind == ChangeKind.STATUS:
        return change.organization_id in orgs
    if change.kind == ChangeKind.CIRCULAR:
        return change.category in categories
    return banner


class _Renderer:
    """One rendering per (set of changes, language); each subscriber's links are put in
    when the message is sent (``AddressedMessage.fill``)."""

    def __init__(self, changes: dict[int, PublicChange]):
        self.changes = changes
        self._cache: dict[tuple, tuple[str, str]] = {}
        self._links: dict[str, tuple[str, str]] = {}
        manage = absolute_url(reverse("subscription_manage", args=[_TOKEN]))
        leave = absolute_url(reverse("subscription_unsubscribe", args=[_TOKEN]))
        self.manage, self.leave = manage, leave

    def text(self, ids: tuple[int, ...], language: str) -> tuple[str, str]:
        key = (ids, language)
        if key not in self._cache:
            items = [self.changes[i] for i in ids]
            with translation.override(language):
                count = len(items)
                subject = ngettext(
                    "[BCP WEB] %(count)d update: %(first)s",
                    "[BCP WEB] %(count)d updates: %(first)s ...",
                    count,
                ) % {"count": count, "first": items[0].title_for(language)}
                body = render_to_string(
                    "subscriptions/email/digest.txt",
                    {
                        "items": [
                            {
                                "title": c.title_for(language),
                                "kind": c.get_kind_display(),
                                "at": timezone.localtime(c.occurred_at),
                                "url": absolute_url(c.path),
                            }
                            for c in items
                        ],
                        "manage_url": self.manage,
                        "unsubscribe_url": self.leave,
                        "privacy_url": absolute_url(reverse("subscription_privacy")),
                        "intro": _("Changes on the BCP WEB public board since the last e-mail:"),
                    },
                )
            self._cache[key] = (subject[:200], body)
        return self._cache[key]


def _subscribers():
    """Confirmed subscribers with their choices, in two queries (tens of thousands)."""
    through = Subscriber.organizations.through
    orgs: dict[int, set[int]] = defaultdict(set)
    for sid, oid in through.objects.filter(subscriber__confirmed_at__isnull=False).values_list(
        "subscriber_id", "organization_id"
    ):
        orgs[sid].add(oid)
    rows = Subscriber.objects.filter(confirmed_at__isnull=False).values_list(
        "pk", "email", "language", "banner", "categories", "manage_key"
    )
    for pk, email, language, banner, categories, key in rows.order_by("pk").iterator(2000):
        yield pk, email, language, banner, set(categories or []), key, orgs.get(pk, set())


@transaction.atomic
def digest_build(*, now: datetime | None = None) -> Digest | None:
    """Close the open window if its time has come: one digest, one outbox row per reader."""
    now = now or timezone.now()
    pending = list(
        PublicChange.objects.select_for_update()
        .filter(digest__isnull=True)
        .order_by("created_at", "id")
    )
    if not pending or pending[0].created_at + window() > now:
        return None
    closes = pending[0].created_at + window()
    changes = {c.pk: c for c in pending if c.created_at <= closes}
    digest = Digest.objects.create()
    PublicChange.objects.filter(pk__in=list(changes)).update(digest=digest)
    renderer = _Renderer(changes)
    ordered = sorted(changes.values(), key=lambda c: (c.occurred_at, c.pk))
    leave_headers = unsubscribe_headers(renderer.leave)
    messages = []
    for pk, email, language, banner, categories, key, orgs in _subscribers():
        ids = tuple(c.pk for c in ordered if _wanted(c, orgs, banner, categories))
        if not ids:
            continue
        subject, body = renderer.text(ids, language)
        messages.append(
            AddressedMessage(
                key=pk,
                address=email,
                language=language,
                subject=subject,
                body=body,
                headers=leave_headers,
                # The personal links: put in when sent, so each text is serialized once.
                fill={_TOKEN: f"{pk}-{key}"},
            )
        )
    alert = alert_send_messages(
        created_by=system_actor(),
        subject_ja=f"購読者ダイジェスト {digest.pk}",
        subject_en=f"Subscribers' digest {digest.pk}",
        source=AlertSource(DIGEST_SOURCE, digest.pk, f"digest {digest.pk}"),
        messages=messages,
    )
    digest.alert_id = alert.pk if alert else None
    digest.recipients = len(messages)
    digest.save(update_fields=["alert_id", "recipients"])
    return digest
