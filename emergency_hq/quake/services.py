"""Acting on a telegram: the incident, the HQ's alert, the seismic criterion, report requests.

``telegram_ingest`` is atomic and serialized (one ingestion at a time): the same telegram twice
does nothing; 試験 is logged and ignored; 訓練 joins the running drill or is ignored; a later
serial, a VXSE53 after a VXSE51 or a 訂正 updates the quake (escalating when the intensity
rises); 取消 withdraws the automatic part. The alerts of report requests are written after
commit, in batches, by ``report_requests_send`` (safe to run twice), so that the HQ's alert
leaves first and the ingestion stays short.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation

from common.text import strip_control_characters
from organizations.selectors import site_area_codes
from organizations.services import attribute, system_actor

from ..models import Incident, IncidentKind, IncidentState
from . import intensity, notify, rules
from .drill import running_drill_incident
from .marks import criterion_marks_update, criterion_marks_withdraw
from .models import (
    Outcome,
    QuakeEvent,
    QuakeRule,
    QuakeTelegram,
    ReportRequest,
)
from .report_requests import (
    on_commit_delay,
    report_requests_create,
    report_requests_send_after_commit,
)
from .telegram import Telegram

logger = logging.getLogger(__name__)

KIND_RANK = {"VXSE51": 1, "VXSE53": 2}
# Serializes ingestions (the beat task and an operator's command may run at once).
LOCK_KEY = 0x51A4E
ALERTED = {
    Outcome.OPENED: "opened",
    Outcome.ATTACHED: "attached",
    Outcome.ESCALATED: "escalated",
    Outcome.CORRECTED: "corrected",
    Outcome.WITHDRAWN: "withdrawn",
}
SEND_BATCH = 50


@dataclass
class IngestResult:
    outcome: str
    message: str
    telegram: QuakeTelegram | None = None
    incident: Incident | None = None
    duplicate: bool = False


def _serialize() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def _key(telegram: Telegram) -> dict:
    return {
        "event_id": telegram.event_id,
        "kind": telegram.kind,
        "serial": telegram.serial,
        "info_type": telegram.info_type,
        "status": telegram.status,
    }


def telegram_ingest(*, telegram: Telegram, source: str = "") -> IngestResult:
    """Act on one parsed telegram; the same telegram twice does nothing."""
    with transaction.atomic():
        _serialize()
        if QuakeTelegram.objects.filter(**_key(telegram)).exists():
            return IngestResult(
                "duplicate", f"already read, nothing done: {telegram.describe()}", duplicate=True
            )
        record = QuakeTelegram.objects.create(
            **_key(telegram),
            reported_at=telegram.reported_at,
            origin_at=telegram.origin_at,
            max_int=telegram.max_int,
            areas=[a.as_dict() for a in telegram.areas],
            hypocentre=telegram.hypocentre.as_dict() if telegram.hypocentre else {},
            headline=telegram.headline,
            sha256=telegram.sha256,
            size=telegram.size,
            source=strip_control_characters(source or "")[:500],
            outcome=Outcome.BELOW_RULES,
        )
        return _act(telegram, record)


def _finish(
    record: QuakeTelegram, outcome: str, *, quake=None, incident=None, note: str = ""
) -> IngestResult:
    record.outcome = outcome
    record.quake = quake
    record.note = note[:300]
    record.save(update_fields=["outcome", "quake", "note", "hq_alert"])
    if incident is None and quake is not None:
        incident = quake.incident
    with translation.override("en"):
        message = f"{Outcome(outcome).label}: {record}"
    if incident is not None:
        message += f"; incident #{incident.pk} {incident.title}"
    if note:
        message += f"; {note}"
    return IngestResult(outcome, message, telegram=record, incident=incident)


def _act(telegram: Telegram, record: QuakeTelegram) -> IngestResult:
    if telegram.status == "試験":
        logger.info("JMA test telegram (試験) ignored: %s", telegram.describe())
        return _finish(record, Outcome.TEST)
    is_drill = telegram.status == "訓練"
    drill = running_drill_incident() if is_drill else None
    if is_drill and drill is None:
        logger.info("JMA drill telegram (訓練) ignored, no drill is running: %s", record)
        return _finish(record, Outcome.DRILL_IGNORED)
    quake = (
        QuakeEvent.objects.select_for_update()
        .select_related("incident")
        .filter(event_id=telegram.event_id, is_drill=is_drill)
        .first()
    )
    if telegram.is_cancel:
        return _withdraw(record, quake)
    if quake is not None and not _newer(telegram, quake):
        return _finish(record, Outcome.SUPERSEDED, quake=quake)
    decision = rules.decide(
        [rules.Rule.from_model(r) for r in QuakeRule.objects.filter(active=True)],
        telegram.areas,
        site_area_codes(),
    )
    if quake is None:
        if not decision.opens_incident:
            return _finish(record, Outcome.BELOW_RULES)
        quake, outcome = _new_quake(telegram, decision, drill)
    else:
        outcome = _update_quake(telegram, quake, decision)
    incident = _follow(quake.incident)
    if not incident.is_open:
        return _finish(record, Outcome.UPDATED, quake=quake, note="the incident is closed")
    marks = criterion_marks_update(record, quake, decision)
    counts = report_requests_create(quake, decision)
    if outcome in ALERTED:
        _alert_hq(record, quake, incident, outcome, marks, counts)
    # After the HQ's alert: its deliveries are enqueued first.
    report_requests_send_after_commit(incident.pk, counts["requested"])
    note = f"{counts['requested']} of {counts['organizations']} organizations asked to report"
    if marks:
        note += "; criterion marked from JMA, awaiting HQ confirmation"
    return _finish(record, outcome, quake=quake, incident=incident, note=note)


def _newer(telegram: Telegram, quake: QuakeEvent) -> bool:
    incoming = (KIND_RANK[telegram.kind], telegram.serial)
    known = (KIND_RANK.get(quake.authority_kind, 0), quake.authority_serial)
    return incoming > known or (incoming == known and telegram.info_type == "訂正")


def _apply(telegram: Telegram, quake: QuakeEvent, decision: rules.Decision) -> None:
    acted = sorted(
        decision.incident_areas.values(), key=lambda a: -intensity.rank(a.max_int)
    )  # JMA's own order within one intensity is kept (sorted is stable)
    quake.max_int = telegram.max_int
    quake.acted_int = decision.acted_intensity
    quake.acted_areas = [a.as_dict() for a in acted]
    quake.areas = [a.as_dict() for a in telegram.areas]
    if telegram.hypocentre is not None:
        quake.hypocentre = telegram.hypocentre.as_dict()
    if telegram.origin_at is not None and telegram.kind == "VXSE53":
        quake.origin_at = telegram.origin_at
    quake.headline = telegram.headline
    quake.authority_kind = telegram.kind
    quake.authority_serial = telegram.serial
    quake.withdrawn_at = None


def _incident_strength(incident: Incident) -> int:
    live = incident.quake_events.filter(withdrawn_at__isnull=True)
    return max((intensity.rank(q.acted_int) for q in live), default=-1)


def _aftershock_of(origin, is_drill: bool) -> QuakeEvent | None:
    window = timedelta(hours=float(settings.QUAKE_AFTERSHOCK_HOURS))
    return (
        QuakeEvent.objects.filter(
            is_drill=is_drill,
            withdrawn_at__isnull=True,
            origin_at__gte=origin - window,
            origin_at__lte=origin + window,
        )
        .exclude(incident__state=IncidentState.CLOSED)
        .select_related("incident")
        .order_by("-origin_at", "-id")
        .first()
    )


def _new_quake(telegram: Telegram, decision, drill: Incident | None) -> tuple[QuakeEvent, str]:
    from ..incidents.services import incident_open

    origin = telegram.origin_at or telegram.reported_at
    quake = QuakeEvent(event_id=telegram.event_id, is_drill=drill is not None, origin_at=origin)
    _apply(telegram, quake, decision)
    earlier = _aftershock_of(origin, quake.is_drill) if drill is None else None
    if drill is not None:
        quake.incident, outcome = drill, Outcome.ATTACHED
    elif earlier is not None:
        before = _incident_strength(earlier.incident)
        quake.incident, quake.main_event = earlier.incident, earlier.main_event or earlier
        higher = intensity.rank(quake.acted_int) > before
        outcome = Outcome.ESCALATED if higher else Outcome.ATTACHED
    else:
        title, title_en, region, severity = _headline_of([quake])
        quake.incident = incident_open(
            actor=system_actor(),
            title=title,
            title_en=title_en,
            kind=IncidentKind.EARTHQUAKE,
            severity=severity,
            region=region,
            description=_description(telegram),
            description_en=(
                f"Opened automatically from a JMA telegram (EventID {telegram.event_id})."
            ),
            started_at=origin,
        )
        quake.opened_incident, outcome = True, Outcome.OPENED
    quake.save()
    return quake, outcome


def _update_quake(telegram: Telegram, quake: QuakeEvent, decision) -> str:
    before = _incident_strength(quake.incident)
    revived = quake.withdrawn_at is not None
    _apply(telegram, quake, decision)
    quake.save()
    if telegram.info_type == "訂正" or revived:
        return Outcome.CORRECTED
    if _incident_strength(quake.incident) > before:
        return Outcome.ESCALATED
    return Outcome.UPDATED


def _description(telegram: Telegram) -> str:
    return (
        f"気象庁の電文により自動的に開かれました（EventID {telegram.event_id}）。\n"
        f"Opened automatically from a JMA telegram (EventID {telegram.event_id}).\n\n"
        f"{telegram.headline}"
    ).strip()


def _headline_of(quakes) -> tuple[str, str, str, int]:
    """(title, English title, region, severity) from the strongest areas that made the incident."""
    areas: dict[str, dict] = {}
    for q in quakes:
        for a in q.acted_areas:
            seen = areas.get(a["code"])
            if seen is None or intensity.rank(a["max_int"]) > intensity.rank(seen["max_int"]):
                areas[a["code"]] = a
    ordered = sorted(areas.values(), key=lambda a: -intensity.rank(a["max_int"]))
    if not ordered:
        return "地震", "Earthquake", "", 1
    top = ordered[0]
    more = "ほか" if len(ordered) > 1 else ""
    title = f"地震 {intensity.label(top['max_int'])} {top['name']}{more}"
    more_en = " and other areas" if len(ordered) > 1 else ""
    title_en = f"Earthquake: {intensity.label(top['max_int'], 'en')} in {top['name']}{more_en}"
    region = "、".join(a["name"] for a in ordered)[:200]
    return title[:200], title_en[:200], region, intensity.severity_of(top["max_int"])


def _follow(incident: Incident) -> Incident:
    """Keep the title, region and severity of an incident the feed opened in step with JMA."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    quakes = list(incident.quake_events.all())
    live = [q for q in quakes if q.withdrawn_at is None]
    if not any(q.opened_incident for q in quakes) or not live or not incident.is_open:
        return incident
    title, title_en, region, severity = _headline_of(live)
    now = (incident.title, incident.title_en, incident.region, incident.severity)
    if now != (title, title_en, region, severity):
        incident.title, incident.title_en = title, title_en
        incident.region, incident.severity = region, severity
        attribute(incident, system_actor())
        incident.save(update_fields=["title", "title_en", "region", "severity"])
    return incident


def _alert_hq(record, quake, incident, outcome, marks, counts) -> None:
    top = (quake.acted_areas or [{}])[0]
    record.hq_alert = notify.hq_alert(
        record=record,
        quake=quake,
        incident=incident,
        outcome=ALERTED[outcome],
        area_name=top.get("name", ""),
        marks=marks,
        counts=counts,
    )
    if record.hq_alert is not None:
        on_commit_delay("quake_hq_users_mail", record.pk)


def _withdraw(record: QuakeTelegram, quake: QuakeEvent | None) -> IngestResult:
    if quake is None:
        return _finish(record, Outcome.CANCEL_UNKNOWN)
    first = quake.withdrawn_at is None
    now = timezone.now()
    if first:
        quake.withdrawn_at = now
        quake.save(update_fields=["withdrawn_at", "updated_at"])
    criterion_marks_withdraw(quake)
    ReportRequest.objects.filter(quake=quake, withdrawn_at__isnull=True).update(withdrawn_at=now)
    incident = _follow(quake.incident)
    if first and incident.is_open:
        _alert_hq(record, quake, incident, Outcome.WITHDRAWN, [], {})
    return _finish(record, Outcome.WITHDRAWN, quake=quake, incident=incident)
