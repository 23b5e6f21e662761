"""What the earthquake feed tells people, and the one place it calls the alert fan-out.

``_alert_send`` is the only call to ``alert_send`` in this package; it names what each alert
was sent for as an ``AlertSource`` (``quake`` for the HQ's alerts, ``quake_report_request``
for the requests to report). Subjects are written without the drill mark: ``Alert.subject_for``
adds it to drills.

Who hears what:
- the HQ and the regulators, through the contact trees of their organizations: the JSDA
  secretariat (kind ``jsda``), the regulators (kind ``regulator``) and every organization an
  ``hq_staff`` or ``regulator`` user belongs to (FSA, BOJ); HQ staff without an organization
  have no contact tree, so they also get a plain e-mail to their account's address;
- each affected organization, through its contact tree: a request to report with the deep link
  to its reporter form (``/board/<CODE>/report/``), one alert per organization.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from alerts.models import AlertSource
from alerts.services import alert_send
from common.links import absolute_reverse
from organizations.services import system_actor

from . import intensity

logger = logging.getLogger(__name__)


def _alert_send(
    *,
    source: AlertSource,
    subject_ja: str,
    subject_en: str,
    body_ja: str,
    body_en: str,
    organizations,
    is_drill: bool,
    targeting: dict,
):
    """Write one alert and its outbox; None when there is nobody to alert."""
    try:
        return alert_send(
            actor=system_actor(),
            subject_ja=subject_ja[:200],
            subject_en=subject_en[:200],
            body_ja=body_ja,
            body_en=body_en,
            source=source,
            organizations=organizations,
            requires_ack=True,
            is_drill=is_drill,
            targeting=targeting,
        )
    except ValidationError as error:
        logger.warning("quake alert not sent (%s): %s", subject_en, "; ".join(error.messages))
        return None


def hq_organizations():
    """Where the HQ and the regulators are reached through a contact tree."""
    from django.contrib.auth.models import Group
    from django.db.models import Q
    from guardian.models import UserObjectPermission

    from organizations import permissions
    from organizations.models import Organization

    groups = Group.objects.filter(name__in=[permissions.HQ_STAFF, permissions.REGULATOR])
    member_of = UserObjectPermission.objects.filter(
        user__groups__in=groups,
        user__is_active=True,
        content_type__app_label="organizations",
        content_type__model="organization",
    ).values_list("object_pk", flat=True)
    ids = {int(pk) for pk in member_of}
    return list(
        Organization.objects.filter(active=True).filter(
            Q(kind__in=["jsda", "regulator"]) | Q(pk__in=ids)
        )
    )


# --- the HQ --------------------------------------------------------------------------------

HQ_SUBJECTS = {
    "opened": ("【地震】{what}: インシデントを開きました", "Earthquake: {what} — incident opened"),
    "attached": ("【地震・余震】{what}", "Earthquake (aftershock): {what}"),
    "escalated": ("【地震・続報】{what} に引き上げ", "Earthquake update: raised to {what}"),
    "corrected": ("【地震・訂正】{what}", "Earthquake correction: {what}"),
    "withdrawn": (
        "【地震・取消】気象庁が情報を取り消しました",
        "Earthquake: JMA has cancelled its information",
    ),
}


def _what(max_int: str, area_name: str, language: str) -> str:
    label = intensity.label(max_int, language)
    if not area_name:
        return label
    return f"{label} {area_name}" if language == "ja" else f"{label} in {area_name}"


def hq_alert(*, record, quake, incident, outcome: str, area_name: str, marks: list, counts: dict):
    """Tell the HQ and the regulators what the telegram did to the incident."""
    what_ja = _what(quake.acted_int or quake.max_int, area_name, "ja")
    what_en = _what(quake.acted_int or quake.max_int, area_name, "en")
    subject_ja, subject_en = HQ_SUBJECTS[outcome]
    hypo = quake.hypocentre or {}
    link = absolute_reverse("hq_incident_detail", incident.pk)
    lines_ja = [f"インシデント: {incident.title}", quake.headline or ""]
    lines_en = [f"Incident: {incident.title_for('en')}"]
    if hypo.get("name"):
        lines_ja.append(f"震源: {hypo['name']}　M{hypo.get('magnitude') or '不明'}")
        lines_en.append(f"Hypocentre: {hypo['name']}, M{hypo.get('magnitude') or '?'}")
    if counts.get("organizations"):
        lines_ja.append(
            f"拠点のある機関: {counts['organizations']}（状況報告を依頼: {counts['requested']}）"
        )
        lines_en.append(
            f"Organizations with a site in the areas hit: {counts['organizations']} "
            f"(asked to report: {counts['requested']})"
        )
    for mark in marks:
        lines_ja.append(
            f"発動基準「{mark.criterion.label_ja}」を気象庁の電文により到達として記録しました"
            "（本部の確認待ち）。"
        )
        lines_en.append(
            f'Criterion "{mark.criterion.label_en or mark.criterion.label_ja}" is marked met '
            "from JMA, awaiting HQ confirmation."
        )
    if outcome == "withdrawn":
        lines_ja.append(
            "気象庁の電文による自動判定を取り下げました。インシデントは本部が閉じるまで残ります。"
        )
        lines_en.append(
            "The automatic part is withdrawn; the incident stays open until the HQ closes it."
        )
    telegram_line = f"{record.kind} {record.info_type} #{record.serial} EventID {record.event_id}"
    lines_ja += [f"電文: {telegram_line}", link]
    lines_en += [f"Telegram: {telegram_line}", link]
    return _alert_send(
        source=AlertSource(
            "quake",
            quake.pk,
            f"地震 EventID {quake.event_id} / Earthquake EventID {quake.event_id}",
        ),
        subject_ja=subject_ja.format(what=what_ja),
        subject_en=subject_en.format(what=what_en),
        body_ja="\n".join(line for line in lines_ja if line),
        body_en="\n".join(line for line in lines_en if line),
        organizations=hq_organizations(),
        is_drill=incident.is_drill,
        targeting={"quake": quake.pk, "incident": incident.pk, "telegram": record.pk, "to": "hq"},
    )


def hq_users_mail(record) -> int:
    """A plain e-mail to HQ staff accounts: they may belong to no organization (no tree)."""
    from django.contrib.auth import get_user_model
    from django.core.mail import EmailMessage, get_connection

    from organizations import permissions

    users = (
        get_user_model()
        .objects.filter(groups__name=permissions.HQ_STAFF, is_active=True)
        .exclude(email="")
        .order_by("pk")
    )
    alert = record.hq_alert
    if alert is None:
        return 0
    link = (
        absolute_reverse("hq_incident_detail", record.quake.incident_id) if record.quake_id else ""
    )
    messages = [
        EmailMessage(
            subject=alert.subject_for("ja"),
            body=f"{alert.body_for('ja')}\n\n---\n{alert.body_for('en')}\n\n{link}",
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[user.email],
            headers={"X-BCPWEB-Quake": record.event_id},
        )
        for user in users
    ]
    if messages:
        get_connection().send_messages(messages)
    return len(messages)


# --- the organizations hit -------------------------------------------------------------------


def report_link(request, *, absolute: bool = True) -> str:
    """Where a request to report leads: the reporter form, or for a drill the alert inbox.

    A drill must never reach the real board, and drills have no board of their own yet.
    """
    name, args = (
        ("alert_inbox", ())
        if request.is_drill
        else (
            "status_report",
            (request.organization.code,),
        )
    )
    return absolute_reverse(name, *args) if absolute else reverse(name, args=args)


def report_request_alert(request, sites: list):
    """Ask one organization to report, with the deep link to its reporter form."""
    org = request.organization
    lines_ja, lines_en = [], []
    for site in sites:
        lines_ja.append(
            f"・{site['kind_ja']}（{site['area_ja']}）: {intensity.label(site['max_int'], 'ja')}"
        )
        lines_en.append(
            f"- {site['kind_en']} ({site['area_en']}): {intensity.label(site['max_int'], 'en')}"
        )
    link = report_link(request)
    if request.is_drill:
        ask_ja = "訓練です。このアラートに応答してください。"
        ask_en = "This is a drill: please answer this alert."
    else:
        ask_ja = "業務の状況を報告してください。"
        ask_en = "Please report the status of your business functions."
    label_ja = intensity.label(request.intensity, "ja")
    label_en = intensity.label(request.intensity, "en")
    return _alert_send(
        source=AlertSource(
            "quake_report_request",
            request.pk,
            f"状況報告のお願い {org.code} / Request to report {org.code}",
        ),
        subject_ja=f"【地震】状況報告のお願い: {label_ja}（{org.code}）",
        subject_en=f"Earthquake: please report your status ({label_en}, {org.code})",
        body_ja="\n".join(
            ["気象庁の発表によると、貴機関の拠点がある地域で強い揺れを観測しました。", *lines_ja]
            + [ask_ja, link]
        ),
        body_en="\n".join(
            ["JMA reports strong shaking where your organization has a site.", *lines_en]
            + [ask_en, link]
        ),
        organizations=[org],
        is_drill=request.is_drill,
        targeting={
            "quake": request.quake_id,
            "incident": request.incident_id,
            "report_request": request.pk,
            "round": request.round,
        },
    )
