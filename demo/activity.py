"""Demo activity for `seed_demo`: a board with a few incidents of life, and two circulars.

Kept apart from the market seeding because it writes through the status board and bulletin
services; it runs only on a portal that has no status report and no circular yet,
so it never overwrites what people posted.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from bulletin.models import Circular
from bulletin.services import circular_publish
from organizations.models import Organization
from status_board.models import StatusReport
from status_board.services import ReportInput, status_all_normal, status_report_create

# (organization, function, status, message) — the rest of the market reports normal.
EXCEPTIONS = [
    ("SAKURA", "customer_support", "degraded", "コールセンターの回線が混み合っています。"),
    ("HIBARI", "online_trading", "backup_site", "大阪バックアップセンターで稼働中です。"),
    ("KOGANE", "order_acceptance", "suspended", "本社システム障害のため注文受付を停止中です。"),
    ("UMIKAZE-BANK", "customer_support", "closed", "臨時休業（店舗点検）。"),
]
# Members-only firms that have not reported yet, so the "not reported" list has entries.
SILENT = {"KIRI", "TSUKIMI", "YAMABUKI"}


def seed_activity(*, actor) -> dict[str, int]:
    made = {"status reports": 0, "circulars": 0}
    if not StatusReport.objects.exists():
        organizations = {
            o.code: o
            for o in Organization.objects.filter(active=True).exclude(code__in=SILENT)
            if o.organization_functions.exists()
        }
        for org in organizations.values():
            made["status reports"] += len(status_all_normal(actor=actor, organization=org))
        recovery = timezone.now() + timedelta(hours=3)
        for code, function, status, message in EXCEPTIONS:
            org = organizations.get(code)
            if (
                org is None
                or not org.organization_functions.filter(function__code=function).exists()
            ):
                continue
            status_report_create(
                actor=actor,
                organization=org,
                entry=ReportInput(
                    function=function,
                    status=status,
                    message=message,
                    expected_recovery_at=recovery if status != "closed" else None,
                ),
            )
            made["status reports"] += 1
    if not Circular.objects.exists():
        circular_publish(
            actor=actor,
            title_ja="BCP WEB の運用開始について",
            title_en="BCP WEB is in service",
            body_ja="証券市場BCPポータル **BCP WEB** の運用を開始しました。\n\n"
            "災害時には各社の業務継続の可否をこの掲示板でお知らせします。",
            body_en="The securities market BCP portal **BCP WEB** is now in service.\n\n"
            "In a disaster, this board shows whether each institution can continue business.",
            category="general",
            audience="public",
        )
        circular_publish(
            actor=actor,
            title_ja="2026年度 証券市場BCP共同演習のご案内",
            title_en="Market-wide BCP joint exercise, fiscal 2026",
            body_ja="共同演習を実施します。各社は演習当日、稼働状況を本ポータルで報告してください。",
            body_en="A joint exercise will be held. On the day, report your status on this portal.",
            category="drill",
            audience="members",
        )
        made["circulars"] += 2
    return made
