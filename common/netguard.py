"""Outbound URLs the portal POSTs to (webhooks): public HTTPS addresses only.

A member registers a webhook URL and the portal later POSTs signed alerts to it, so a URL
that points inside the portal's own network (loopback, private ranges, link-local cloud
metadata, ...) would let a member reach what only the portal can reach (SSRF). The check
runs when the URL is saved and again when a message is sent, on the addresses the name
resolves to then; the sender connects to the address that was checked.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

# Names that reach a cloud provider's metadata service from inside the cloud.
METADATA_NAMES = {"metadata.google.internal", "metadata", "instance-data", "metadata.azure.com"}

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeURL(ValueError):
    """The URL must not be used; ``str(error)`` says why, in the active language."""


class UnresolvableHost(UnsafeURL):
    """The name does not resolve now: nothing to check yet (maybe later, maybe never)."""


@dataclass(frozen=True)
class CheckedURL:
    url: str
    scheme: str
    host: str
    port: int
    address: str  # the IP address to connect to (already checked)

    @property
    def connect_url(self) -> str:
        """The URL with the checked address in place of the name (Host and SNI keep the name)."""
        parts = urlsplit(self.url)
        host = f"[{self.address}]" if ":" in self.address else self.address
        query = f"?{parts.query}" if parts.query else ""
        return f"{self.scheme}://{host}:{self.port}{parts.path or '/'}{query}"


def _blocked(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    # is_global is False for loopback, private, link-local (169.254/16, fe80::/10),
    # unique-local (fc00::/7), shared (100.64/10), reserved and documentation ranges.
    return (
        not address.is_global
        or address.is_multicast
        or address.is_unspecified
        or address.is_reserved
    )


def _exempt(address: IPAddress, networks: Iterable[str]) -> bool:
    for cidr in networks:
        try:
            if address in ipaddress.ip_network(str(cidr).strip(), strict=False):
                return True
        except ValueError:
            continue
    return False


def _resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise UnresolvableHost(_("The address %(host)s cannot be found.") % {"host": host}) from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def check_url(
    url: str,
    *,
    allow_http: bool = False,
    allowed_networks: Iterable[str] = (),
    resolve: Callable[[str, int], list[str]] | None = None,
) -> CheckedURL:
    """The URL with the address to use, or UnsafeURL with the reason."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeURL(_("This is not a valid URL.")) from exc
    if parts.scheme not in (("https", "http") if allow_http else ("https",)):
        raise UnsafeURL(
            _("Use an http:// or https:// URL.") if allow_http else _("Use an https:// URL.")
        )
    if parts.username is not None or parts.password is not None:
        raise UnsafeURL(_("Do not put a user name or password in the URL."))
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise UnsafeURL(_("This is not a valid URL."))
    if host in METADATA_NAMES or host.endswith(".internal"):
        raise UnsafeURL(_("This URL points at an internal service."))
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        addresses = (resolve or _resolve)(host, port)
    if not addresses:
        raise UnresolvableHost(_("The address %(host)s cannot be found.") % {"host": host})
    for text in addresses:
        address = ipaddress.ip_address(text.split("%", 1)[0])
        if _blocked(address) and not _exempt(address, allowed_networks):
            raise UnsafeURL(
                _("This URL points at an internal or reserved address (%(address)s).")
                % {"address": text}
            )
    return CheckedURL(url=url, scheme=parts.scheme, host=host, port=port, address=addresses[0])


def check_webhook_url(url: str) -> CheckedURL:
    """``check_url`` with the portal's settings (WEBHOOK_ALLOW_HTTP, WEBHOOK_ALLOWED_NETWORKS).

    When saving, an UnresolvableHost may be let through (the name may not be in DNS yet, or DNS
    is down in the disaster): every send checks again and refuses what is internal then.
    """
    return check_url(
        url,
        allow_http=settings.WEBHOOK_ALLOW_HTTP,
        allowed_networks=settings.WEBHOOK_ALLOWED_NETWORKS,
    )
