"""What counts as a public change, learnt from signals of the apps that make them.

Connected in ``SubscriptionsConfig.ready()`` by model label, so that no app below or beside
this one imports it (DESIGN §4). A change is written in the transaction of the report,
circular or decision it comes from (rolled back with it) and the digest is scheduled once that
commits. Nothing of a drill or of a members-only organization is ever written here.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from status_board.vocabulary import label

from .models import ChangeKind, PublicChange

logger = logging.getLogger(__name__)

# The decisions that make the market-wide banner (BCP activations, halts, resumptions).
BANNER_ACTIONS = {"activate", "deactivate", "halt_trading", "resume_trading"}
PUBLIC_CATEGORIES = {"emergency", "market_rule", "general"}


def _both(render) -> tuple[str, str]:
    texts = []
    for language in ("ja", "en"):
        with translation.override(language):
            texts.append(str(render())[:300])
    return texts[0], texts[1]


def change_record(*, kind: str, render, path: str, occurred_at=None, **fields) -> PublicChange:
    title_ja, title_en = _both(render)
    change = PublicChange.objects.create(
        kind=kind,
        title_ja=title_ja,
        title_en=title_en,
        path=path,
        occurred_at=occurred_at or timezone.now(),
        **fields,
    )
    from . import tasks

    transaction.on_commit(tasks.digest_schedule)
    return change


def on_status_report(sender, instance, created, raw=False, **kwargs):
    if not created or raw:
        return
    organization = instance.organization
    if not (organization.is_public and organization.active):
        return  # members-only: never reaches a subscriber
    function = instance.function
    change_record(
        kind=ChangeKind.STATUS,
        organization=organization,
        render=lambda: f"{organization.name} — {function.name}: {label(instance.status)}",
        path=reverse("organization_board", args=[organization.code]) + f"#report-{instance.pk}",
        occurred_at=instance.reported_at,
    )


def on_circular(sender, instance, created, raw=False, **kwargs):
    if not created or raw:
        return
    if instance.audience != "public" or instance.category not in PUBLIC_CATEGORIES:
        return
    change_record(
        kind=ChangeKind.CIRCULAR,
        category=instance.category,
        render=lambda: f"{instance.number} {instance.title}",
        path=reverse("circular_detail", args=[instance.number]),
        occurred_at=instance.published_at,
    )


def on_decision(sender, instance, created, raw=False, **kwargs):
    if not created or raw:
        return
    if instance.is_drill or getattr(instance.incident, "is_drill", False):
        return
    if instance.action not in BANNER_ACTIONS:
        return
    change_record(
        kind=ChangeKind.BANNER,
        segment=instance.segment,
        render=lambda: f"{instance.get_action_display()} — {instance.get_segment_display()}",
        path=reverse("home"),
        occurred_at=instance.decided_at,
    )


def connect() -> None:
    from django.apps import apps
    from django.db.models.signals import post_save

    for label_, handler in (
        ("status_board.StatusReport", on_status_report),
        ("bulletin.Circular", on_circular),
        ("emergency_hq.ActivationDecision", on_decision),
    ):
        try:
            model = apps.get_model(label_)
        except LookupError:
            continue
        post_save.connect(handler, sender=model, weak=False, dispatch_uid=f"subs-{label_}")
