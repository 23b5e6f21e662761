"""Every write of subscriptions: sign up, confirm, change choices, leave, forget the unconfirmed.

Nobody but the address's owner changes a subscription: a sign-up for an address that is
already confirmed changes nothing and mails its owner the personal link instead (Cachet
#2047), and every answer to a sign-up is the same (no enumeration of addresses).
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from alerts.models import AlertSource, Delivery
from alerts.services import AddressedMessage, alert_send_messages
from common.links import absolute_url
from organizations.services import system_actor

from . import conf, limits
from .models import Subscriber

CONFIRM_SOURCE = "subscription_confirm"
DIGEST_SOURCE = "subscription_digest"


class TokenInvalid(Exception):
    """A personal link that names no subscription (tampered, reused or already left)."""


def _split(token: str) -> tuple[int, str]:
    pk, _sep, key = (token or "").partition("-")
    if not pk.isdigit() or not key or len(token) > 200:
        raise TokenInvalid
    return int(pk), key


def subscriber_by_token(token: str, *, purpose: str, lock: bool = False) -> Subscriber:
    """The subscription a manage / unsubscribe (``manage``) or ``confirm`` token names."""
    pk, key = _split(token)
    qs = Subscriber.objects.select_for_update() if lock else Subscriber.objects
    subscriber = qs.filter(pk=pk).first()
    expected = "" if subscriber is None else getattr(subscriber, f"{purpose}_key")
    if not expected or not secrets.compare_digest(expected, key):
        raise TokenInvalid
    return subscriber


def manage_url(subscriber: Subscriber) -> str:
    return absolute_url(reverse("subscription_manage", args=[subscriber.manage_token()]))


def unsubscribe_url(subscriber: Subscriber) -> str:
    return absolute_url(reverse("subscription_unsubscribe", args=[subscriber.manage_token()]))


def unsubscribe_headers(url: str) -> dict[str, str]:
    """RFC 8058 one-click unsubscribe."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _mail(subscriber: Subscriber, *, template: str, subject: str, context: dict) -> None:
    with translation.override(subscriber.language):
        body = render_to_string(
            template,
            {
                **context,
                "manage_url": manage_url(subscriber),
                "privacy_url": absolute_url(reverse("subscription_privacy")),
            },
        )
        subject = str(subject)
    alert_send_messages(
        created_by=system_actor(),
        subject_ja=subject,
        source=AlertSource(CONFIRM_SOURCE, subscriber.pk, "subscription confirmation"),
        messages=[
            AddressedMessage(
                key=subscriber.pk,
                address=subscriber.email,
                language=subscriber.language,
                subject=subject,
                body=body,
            )
        ],
    )


def _send_confirmation(subscriber: Subscriber) -> None:
    from django.utils.translation import gettext_lazy as _

    if subscriber.confirmed_at is None:
        confirm = absolute_url(reverse("subscription_confirm", args=[subscriber.confirm_token()]))
        _mail(
            subscriber,
            template="subscriptions/email/confirm.txt",
            subject=_("[BCP WEB] Please confirm your subscription"),
            context={"confirm_url": confirm},
        )
    else:
        _mail(
            subscriber,
            template="subscriptions/email/already.txt",
            subject=_("[BCP WEB] Your subscription"),
            context={},
        )
    subscriber.confirmation_sent_at = timezone.now()
    subscriber.save(update_fields=["confirmation_sent_at"])


def _apply_choices(subscriber: Subscriber, choices: dict) -> None:
    subscriber.language = choices.get("language") or "ja"
    subscriber.banner = bool(choices.get("banner"))
    subscriber.categories = sorted(set(choices.get("categories") or []))
    subscriber.save()
    subscriber.organizations.set(choices.get("organizations") or [])


@transaction.atomic
def subscription_request(*, choices: dict, client: str) -> None:
    """A sign-up (validated ``SubscribeForm`` data); RateLimited when over the limits.

    New address: stored unconfirmed and sent a confirmation. Pending: its choices follow the
    latest sign-up, the confirmation is sent again at most once an hour. Confirmed: nothing
    changes; its owner gets the personal link (at most once an hour).
    """
    limits.hit("ip", client, limit=conf.get("SUBSCRIPTION_SIGNUPS_PER_IP_PER_HOUR"))
    email = choices["email"]
    limits.hit("address", email, limit=conf.get("SUBSCRIPTION_SIGNUPS_PER_ADDRESS_PER_HOUR"))
    if choices.get("website"):
        return  # the honeypot was filled in: a bot; answered like everyone, nothing stored
    subscriber = Subscriber.objects.select_for_update().filter(email=email).first()
    if subscriber is None:
        subscriber = Subscriber(email=email)
        _apply_choices(subscriber, choices)
    elif subscriber.confirmed_at is None:
        _apply_choices(subscriber, choices)
    interval = timedelta(seconds=conf.get("SUBSCRIPTION_CONFIRMATION_INTERVAL_SECONDS"))
    last = subscriber.confirmation_sent_at
    if last is None or timezone.now() - last >= interval:
        _send_confirmation(subscriber)


@transaction.atomic
def subscription_confirm(*, token: str) -> Subscriber:
    """The confirm button (a POST): from now on digests are sent. Works once per link."""
    subscriber = subscriber_by_token(token, purpose="confirm", lock=True)
    subscriber.confirmed_at = timezone.now()
    subscriber.confirm_key = ""
    subscriber.save(update_fields=["confirmed_at", "confirm_key"])
    return subscriber


@transaction.atomic
def subscription_update(*, token: str, choices: dict) -> Subscriber:
    subscriber = subscriber_by_token(token, purpose="manage", lock=True)
    _apply_choices(subscriber, choices)
    return subscriber


def _forget(subscribers) -> int:
    """Delete the subscriptions and every outbox row that carries their addresses."""
    ids = list(subscribers.values_list("pk", flat=True))
    if not ids:
        return 0
    Delivery.objects.filter(
        target__isnull=True,
        alert__source_kind__in=[CONFIRM_SOURCE, DIGEST_SOURCE],
        contact_key__in=ids,
    ).delete()
    Subscriber.objects.filter(pk__in=ids).delete()
    return len(ids)


@transaction.atomic
def subscription_delete(*, token: str) -> None:
    """Unsubscribe: the address is deleted at once, with what is still waiting to be sent."""
    subscriber = subscriber_by_token(token, purpose="manage", lock=True)
    _forget(Subscriber.objects.filter(pk=subscriber.pk))


@transaction.atomic
def unconfirmed_purge(*, now=None) -> int:
    """Sign-ups not confirmed within SUBSCRIPTION_UNCONFIRMED_DAYS are deleted."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=conf.get("SUBSCRIPTION_UNCONFIRMED_DAYS"))
    return _forget(Subscriber.objects.filter(confirmed_at__isnull=True, created_at__lt=cutoff))
