"""Signed, expiring acknowledgement tokens, each bound to one contact of one alert target."""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing

from common.links import absolute_reverse

from . import conf

# Unchanged since alerts lived in the emergency HQ app: links already sent keep working.
_SALT = "emergency_hq.alerts.ack"


@dataclass(frozen=True)
class AckClaim:
    target_id: int
    contact_key: int


class TokenExpired(Exception):
    pass


class TokenInvalid(Exception):
    pass


def make(*, target_id: int, contact_key: int) -> str:
    return signing.dumps({"t": target_id, "c": contact_key}, salt=_SALT, compress=True)


def read(token: str) -> AckClaim:
    """The claim inside a token; TokenExpired or TokenInvalid when it cannot be trusted."""
    max_age = conf.get("ALERT_ACK_MAX_AGE_DAYS") * 86400
    try:
        data = signing.loads(token, salt=_SALT, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise TokenExpired from exc
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise TokenInvalid from exc
    try:
        return AckClaim(target_id=int(data["t"]), contact_key=int(data["c"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise TokenInvalid from exc


def ack_url(*, target_id: int, contact_key: int) -> str:
    """The answer link of one contact of one alert target."""
    return absolute_reverse("alert_ack", make(target_id=target_id, contact_key=contact_key))
