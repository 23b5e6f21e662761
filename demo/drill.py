"""One finished joint drill for `seed_demo`, so the after-action report shows something.

The drill runs through the drills services (plan, start, drill reports, close) three days
ago. What cannot be said to a service after the fact — when each message was accepted, when
each contact answered — is then written as the recorded times a real morning would have
left: most firms answer within a few minutes (the most common answer time is about two),
a few are late, two never answer and one firm's only address bounces. Seeded once: only on a
portal without any drill.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from alerts import tokens
from alerts.models import Acknowledgement, Alert, AlertTarget, Delivery, DeliveryStatus
from alerts.services import alert_acknowledge_by_token
from drills import services
from drills.board import reports_create
from drills.models import Drill
from status_board.services import ReportInput

KINDS = ["exchange", "pts", "clearing", "depository", "securities_firm", "bank"]
SILENT = {"KIRI", "TSUKIMI"}  # never answer: they show as "not answered"
BOUNCING = "YAMABUKI"  # its addresses bounce: unreachable, with the contacts to fix
NOTES = (
    "第1報までの中央値は目標（15分）以内。期限後の回答が3機関、未回答が2機関。\n"
    "YAMABUKI の連絡先メールアドレスが無効（要更新）。バックアップ拠点の要員にも"
    "アカウントを発行すること。次回は休日の予告なし訓練とする。"
)


def _start_time(today) -> datetime:
    day = today - timedelta(days=3)
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def _answer_seconds(rng: random.Random) -> int:
    # Log-normal, most often about two minutes, a few within the window's second half.
    return min(28 * 60, max(20, int(rng.lognormvariate(4.9, 0.8))))


def _record_deliveries(alert: Alert, start: datetime, rng: random.Random) -> None:
    for target in alert.targets.select_related("organization"):
        rows = Delivery.objects.filter(target=target)
        if target.organization.code == BOUNCING:
            rows.update(
                status=DeliveryStatus.FAILED,
                last_error="550 5.1.1 <mailbox unavailable>: user unknown",
                attempts=1,
            )
            continue
        rows.filter(status=DeliveryStatus.QUEUED).update(
            status=DeliveryStatus.SENT,
            sent_at=start + timedelta(seconds=rng.randint(3, 25)),
            attempts=1,
        )
        rows.filter(status=DeliveryStatus.HELD).update(status=DeliveryStatus.CANCELLED)


def _answer(target: AlertTarget, at: datetime, rng: random.Random) -> None:
    contact = target.tree.contacts[0] if target.tree.contacts else None
    if contact is None:
        return
    token = tokens.make(target_id=target.pk, contact_key=contact.id)
    answer = rng.choice(["confirmed", "confirmed", "confirmed", "working"])
    alert_acknowledge_by_token(token=token, answer=answer)
    AlertTarget.objects.filter(pk=target.pk).update(
        acknowledged_at=at, answered_at=at, late=at > target.alert.deadline
    )
    Acknowledgement.objects.filter(target=target).update(
        created_at=at, late=at > target.alert.deadline
    )


def seed_drill(*, actor, today) -> dict[str, int]:
    if Drill.objects.exists():
        return {}
    rng = random.Random(2014)  # the bankers' association's first joint drill year
    start = _start_time(today)
    drill = services.drill_plan(
        actor=actor,
        title_ja="首都直下地震を想定した市場全体の共同演習",
        title_en="Market-wide joint drill: a major Tokyo earthquake",
        scenario_ja=(
            "平日10:00、東京23区で**震度6強**。本社ビルは停電、非常用発電で稼働。\n\n"
            "1. 緊急連絡に応答してください。\n2. 各業務の状況を訓練として報告してください。"
        ),
        scenario_en=(
            "A weekday, 10:00: a **seismic intensity 6+** earthquake in Tokyo's 23 wards.\n\n"
            "1. Acknowledge the alert.\n2. Report each function's status as a drill report."
        ),
        audience="kinds",
        kinds=KINDS,
        answer_minutes=30,
        announced=False,
        now=start - timedelta(days=7),
    )
    drill = services.drill_start(actor=actor, drill=drill, now=start)
    Alert.objects.filter(pk=drill.alert_id).update(created_at=start)
    _record_deliveries(drill.alert, start, rng)
    answered = 0
    targets = list(drill.alert.targets.select_related("organization", "alert"))
    answering = [t for t in targets if t.organization.code not in SILENT | {BOUNCING}]
    late = {t.pk for t in rng.sample(answering, k=min(3, len(answering)))}
    for target in answering:
        seconds = rng.randint(35 * 60, 55 * 60) if target.pk in late else _answer_seconds(rng)
        ack_at = start + timedelta(seconds=seconds)
        _answer(target, ack_at, rng)
        functions = list(
            target.organization.organization_functions.values_list("function__code", flat=True)
        )
        report_at = ack_at + timedelta(seconds=int(rng.lognormvariate(6.2, 0.6)))
        impaired = rng.random() < 0.15
        entries = [
            ReportInput(function=f, status="backup_site" if impaired and i == 0 else "normal")
            for i, f in enumerate(functions)
        ]
        if entries:
            reports_create(
                actor=actor,
                organization=target.organization,
                drill_id=drill.pk,
                entries=entries,
                source="web",
                now=report_at,
            )
        answered += 1
    drill = services.drill_close(actor=actor, drill=drill, now=start + timedelta(minutes=90))
    services.drill_notes_save(actor=actor, drill=drill, notes=NOTES)
    return {"drills": 1, "drill answers": answered}
