"""``GET /metrics``: Prometheus metrics of the portal, for the operator's scraper only.

Two parts: what django-prometheus counts in this process (requests, responses, latencies,
cache and model operations) and the portal's own gauges, computed from PostgreSQL and the
cached board at scrape time, so every web process answers the same for them:

- ``bcpweb_outbox_deliveries{state}`` alert deliveries by delivery state;
- ``bcpweb_outbox_oldest_due_age_seconds`` how long the oldest due, undelivered one waited;
- ``bcpweb_board_bundle_age_seconds``, ``bcpweb_board_data_version``, ``bcpweb_board_stale``
  of the public board bundle this process serves;
- ``bcpweb_drills{state}`` drills by state;
- ``bcpweb_metrics_source_up{source}`` 0 when a source above could not be read.

Another app adds gauges by appending a function to ``SOURCES`` (see ``_subscriptions``).
Access: ``METRICS_ALLOWED_IPS`` (addresses or networks of the direct peer) or
``Authorization: Bearer <METRICS_BEARER_TOKEN>``; docs/operations.md.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
from collections.abc import Callable, Iterable

import prometheus_client
from django.apps import apps
from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from prometheus_client import multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

Families = Iterable[GaugeMetricFamily]


def _outbox() -> Families:
    from alerts import monitoring

    depth = GaugeMetricFamily(
        "bcpweb_outbox_deliveries", "Alert deliveries in the outbox by state.", labels=["state"]
    )
    for state, count in monitoring.outbox_depth().items():
        depth.add_metric([state], count)
    yield depth
    yield GaugeMetricFamily(
        "bcpweb_outbox_oldest_due_age_seconds",
        "Seconds the oldest due, undelivered alert delivery has waited (0: none waits).",
        value=monitoring.outbox_lag_seconds(),
    )


def _board() -> Families:
    from status_board import snapshots

    bundle, stale = snapshots.current()
    yield GaugeMetricFamily(
        "bcpweb_board_bundle_age_seconds",
        "Seconds since the public board bundle this process serves was built.",
        value=max(0.0, (timezone.now() - bundle.generated_at).total_seconds()),
    )
    yield GaugeMetricFamily(
        "bcpweb_board_data_version",
        "Data version of the public board bundle this process serves.",
        value=bundle.data_version,
    )
    yield GaugeMetricFamily(
        "bcpweb_board_stale",
        "1 while the board is served from the last good copy (database unreachable).",
        value=1 if stale else 0,
    )


def _drills() -> Families:
    from django.db.models import Count

    from drills.models import Drill, DrillState

    family = GaugeMetricFamily("bcpweb_drills", "Drills by state.", labels=["state"])
    counts = {state: 0 for state in DrillState.values}
    for row in Drill.objects.order_by().values("state").annotate(n=Count("pk")):
        counts[row["state"]] = row["n"]
    for state, count in counts.items():
        family.add_metric([state], count)
    yield family


def _subscriptions() -> Families:
    """Hook for the subscriptions app: once it exists, it provides ``subscriptions.metrics
    .families()`` (e.g. ``bcpweb_subscribers{state}``) and this yields them."""
    if not apps.is_installed("subscriptions"):
        return
    try:
        from subscriptions import metrics  # type: ignore[import-not-found]
    except ImportError:
        return
    yield from metrics.families()


SOURCES: dict[str, Callable[[], Families]] = {
    "outbox": _outbox,
    "board": _board,
    "drills": _drills,
    "subscriptions": _subscriptions,
}


class PortalCollector(Collector):
    def collect(self):
        up = GaugeMetricFamily(
            "bcpweb_metrics_source_up", "1 when the source could be read.", labels=["source"]
        )
        for name, source in SOURCES.items():
            try:
                families = list(source())
            except Exception as exc:  # noqa: BLE001 - a broken source must not hide the others
                logger.warning("metrics: source %s failed: %s", name, exc)
                up.add_metric([name], 0)
                continue
            up.add_metric([name], 1)
            yield from families
        yield up


_portal_registry = prometheus_client.CollectorRegistry(auto_describe=False)
_portal_registry.register(PortalCollector())


def _process_registry():
    # Under gunicorn with PROMETHEUS_MULTIPROC_DIR set, the counters of every worker.
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return prometheus_client.REGISTRY


def _peer_allowed(remote_addr: str) -> bool:
    try:
        peer = ipaddress.ip_address(remote_addr)
    except ValueError:
        return False
    if isinstance(peer, ipaddress.IPv6Address) and peer.ipv4_mapped:
        peer = peer.ipv4_mapped
    return any(peer in network for network in settings.METRICS_ALLOWED_NETWORKS)


def _token_allowed(authorization: str) -> bool:
    token = settings.METRICS_BEARER_TOKEN
    scheme, _sep, offered = authorization.partition(" ")
    if not token or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(offered.strip().encode(), token.encode())


def allowed(request) -> bool:
    return _token_allowed(request.headers.get("Authorization", "")) or _peer_allowed(
        request.META.get("REMOTE_ADDR", "")
    )


@never_cache
def metrics(request):
    if not allowed(request):
        message = _("Metrics are only for the addresses and the token the operator configured.")
        response = HttpResponse(message, status=403, content_type="text/plain; charset=utf-8")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    body = prometheus_client.generate_latest(_process_registry())
    body += prometheus_client.generate_latest(_portal_registry)
    return HttpResponse(body, content_type=prometheus_client.CONTENT_TYPE_LATEST)
