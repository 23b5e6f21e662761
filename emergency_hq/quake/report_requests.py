"""Requests to report: who is asked (sites in the areas hit), and sending their alerts.

``report_requests_create`` writes one row per organization with a site in the areas hit, inside the
ingestion's transaction (the reporters' notice shows at once); a rise in intensity at its sites
is one more round. ``report_requests_send`` writes each round's alert after commit, in small
batches, each batch one transaction with its rows claimed (SKIP LOCKED): safe to run twice.
"""

from __future__ import annotations

import logging

from celery import current_app
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from kombu.exceptions import OperationalError

from organizations.selectors import sites_in_areas

from ..models import IncidentState
from . import intensity, notify
from .drill import drill_participant_ids
from .models import QuakeEvent, ReportRequest

logger = logging.getLogger(__name__)

SEND_BATCH = 50
# Parallel chains of send tasks: each task writes one batch and, if more are left, enqueues
# the next, so that the alerts' own deliveries (and the HQ's) queue between batches instead
# of waiting behind one long task. Rows are claimed with SKIP LOCKED: never sent twice.
SEND_CHAINS = 2


def report_requests_create(quake: QuakeEvent, decision) -> dict:
    """Ask each organization with a site in the areas hit; again when its intensity rises."""
    areas = decision.report_areas
    incident = quake.incident
    # A drill telegram asks only the drill's participants (a real one, everyone hit).
    taking_part = drill_participant_ids(incident)
    by_org: dict[int, tuple[str, list[str]]] = {}
    for site in sites_in_areas(areas):
        if taking_part is not None and site.organization_id not in taking_part:
            continue
        strongest, codes = by_org.get(site.organization_id, ("", []))
        if site.area_id not in codes:
            codes = [*codes, site.area_id]
        by_org[site.organization_id] = (
            intensity.strongest(strongest, areas[site.area_id].max_int),
            codes,
        )
    existing = {
        r.organization_id: r
        for r in ReportRequest.objects.select_for_update().filter(
            incident=incident, organization_id__in=list(by_org)
        )
    }
    now = timezone.now()
    new, raised = [], []
    for org_id, (strongest, codes) in by_org.items():
        request = existing.get(org_id)
        if request is None:
            new.append(
                ReportRequest(
                    incident=incident,
                    organization_id=org_id,
                    quake=quake,
                    is_drill=incident.is_drill,
                    intensity=strongest,
                    area_codes=sorted(codes),
                    requested_at=now,
                )
            )
        elif request.withdrawn_at is not None or intensity.rank(strongest) > intensity.rank(
            request.intensity
        ):
            request.quake, request.intensity, request.area_codes = quake, strongest, sorted(codes)
            request.requested_at, request.withdrawn_at = now, None
            request.round += 1
            raised.append(request)
    ReportRequest.objects.bulk_create(new, batch_size=1000)
    ReportRequest.objects.bulk_update(
        raised, ["quake", "intensity", "area_codes", "requested_at", "withdrawn_at", "round"]
    )
    return {"organizations": len(by_org), "requested": len(new) + len(raised)}


def report_requests_send_after_commit(incident_id: int, requested: int) -> None:
    for _ in range(min(SEND_CHAINS, -(-requested // SEND_BATCH))):
        on_commit_delay("quake_report_requests_send", incident_id)


def on_commit_delay(task_name: str, *args) -> None:
    """Enqueue a task of tasks.py once committed; a broker outage only delays it (the poll
    sweeps). Tasks are looked up by name in Celery's registry (emergency_hq's AppConfig
    imports them): importing tasks.py here would loop back, as its tasks call this module."""

    def publish():
        try:
            current_app.tasks[f"emergency_hq.{task_name}"].delay(*args)
        except (OperationalError, OSError) as exc:
            logger.warning("quake task %s not enqueued (%s); the next poll retries", task_name, exc)

    transaction.on_commit(publish, robust=True)


def _sites_of(requests: list[ReportRequest]) -> dict[int, list[dict]]:
    from organizations.vocabulary import SiteKind

    wanted = {(r.organization_id, code): r for r in requests for code in r.area_codes}
    found: dict[int, list[dict]] = {r.organization_id: [] for r in requests}
    codes = {code for _org, code in wanted}
    quakes = {r.quake_id: r.quake for r in requests}
    strongest = {}
    for quake in quakes.values():
        for a in quake.areas:
            strongest[(quake.pk, a["code"])] = a["max_int"]
    for site in sites_in_areas(codes).filter(organization_id__in=list(found)):
        request = wanted.get((site.organization_id, site.area_id))
        if request is None:
            continue

        with translation.override("en"):
            kind_en = str(SiteKind(site.kind).label)
        with translation.override("ja"):
            kind_ja = str(SiteKind(site.kind).label)
        found[site.organization_id].append(
            {
                "kind_ja": kind_ja,
                "kind_en": kind_en,
                "area_ja": site.area.name_ja,
                "area_en": site.area.name_en or site.area.name_ja,
                "max_int": strongest.get((request.quake_id, site.area_id), request.intensity),
            }
        )
    return found


def report_requests_send(*, incident_id: int | None = None, batches: int | None = None) -> int:
    """Write the alert of each request not sent in its current round; safe to run twice.

    ``batches`` bounds the work (None: until none is left); returns how many were written.
    """
    sent = 0
    while batches is None or batches > 0:
        if batches is not None:
            batches -= 1
        with transaction.atomic():
            pending = (
                ReportRequest.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(sent_round__lt=F("round"), withdrawn_at__isnull=True)
                .exclude(incident__state=IncidentState.CLOSED)
                .select_related("organization", "quake")
                .order_by("pk")
            )
            if incident_id is not None:
                pending = pending.filter(incident_id=incident_id)
            batch = list(pending[:SEND_BATCH])
            if not batch:
                return sent
            sites = _sites_of(batch)
            for request in batch:
                request.alert = notify.report_request_alert(
                    request, sites.get(request.organization_id, [])
                )
                request.sent_round = request.round
            ReportRequest.objects.bulk_update(batch, ["alert", "sent_round"])
            sent += len(batch)
    return sent
