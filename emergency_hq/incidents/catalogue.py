"""The activation criteria every installation starts with (発動基準), kept by jsda_admin.

The data migration loads them; tests that flush the database load them again through
``load_criteria``. Sources: TSE's market-wide halt rule (since 2017), TSE's same-day
resumption rule (2021), JSCC's settlement postponement and the HQ's own seismic trigger.
"""

from __future__ import annotations

SUSPENDED_OR_CLOSED = ["suspended", "closed"]

CRITERIA = [
    {
        "code": "tse-halt-order-routing",
        "label_ja": "注文を発注できない取引参加者の売買代金シェア（50%以上で売買停止）",
        "label_en": "Trading value share of participants unable to route orders (halt at 50%)",
        "kind": "participants_impaired",
        "segment": "exchange",
        "suggests": "halt_trading",
        "functions": ["order_acceptance", "trading"],
        "statuses": SUSPENDED_OR_CLOSED,
        "weight_basis": "weight",
        "threshold": "50",
        "description": (
            "東証の売買停止基準（2017年改正）: 注文の発注ができない取引参加者の売買代金シェアが"
            "50%以上となった場合、全銘柄の売買を停止する。"
        ),
        "display_order": 10,
    },
    {
        "code": "tse-resume-able-participants",
        "label_ja": (
            "売買可能な取引参加者の売買代金シェア50%以上、かつ個人シェア30%以上"
            "または個人向け証券会社5社以上（売買再開）"
        ),
        "label_en": (
            "Able participants hold at least 50% of trading value and either 30% of the retail "
            "share or 5 retail brokers (resumption)"
        ),
        "kind": "participants_able",
        "segment": "exchange",
        "suggests": "resume_trading",
        "functions": ["order_acceptance", "trading"],
        "statuses": SUSPENDED_OR_CLOSED,
        "weight_basis": "weight",
        "threshold": "50",
        "retail_threshold": "30",
        "retail_min_count": 5,
        "description": (
            "東証の当日中の売買再開ルール（2021年）: "
            "売買可能な取引参加者の売買代金シェアが50%以上、かつ個人投資家の売買代金シェア30%以上または個人向け取引参加者5社以上。"
        ),
        "display_order": 20,
    },
    {
        "code": "settlement-infrastructure-suspended",
        "label_ja": "JSCCの清算またはJASDECの振替が停止（決済日繰延べの候補）",
        "label_en": "JSCC clearing or JASDEC book-entry suspended (settlement postponement)",
        "kind": "infrastructure",
        "segment": "all",
        "suggests": "postpone_settlement",
        "infrastructure": [
            {"organization": "JSCC", "function": "clearing"},
            {"organization": "JASDEC", "function": "book_entry"},
        ],
        "statuses": SUSPENDED_OR_CLOSED,
        "weight_basis": "count",
        "threshold": "1",
        "description": "清算機関または保管振替機関の機能停止時は決済日の繰延べを検討する。",
        "display_order": 30,
    },
    {
        "code": "bond-settlement-impaired",
        "label_ja": "決済ができない公社債取引参加者の売買代金シェア（50%以上でBCP発動）",
        "label_en": "Trading value share of bond participants unable to settle (activate at 50%)",
        "kind": "participants_impaired",
        "segment": "bond",
        "suggests": "activate",
        "functions": ["settlement"],
        "statuses": SUSPENDED_OR_CLOSED,
        "weight_basis": "weight",
        "threshold": "50",
        "display_order": 40,
    },
    {
        "code": "exchange-not-reported",
        "label_ja": "被災後に未報告の取引所取引参加者の割合（30%以上で個別に確認）",
        "label_en": (
            "Share of exchange participants not reported since the incident (follow up at 30%)"
        ),
        "kind": "not_reported",
        "segment": "exchange",
        "suggests": "",
        "statuses": [],
        "weight_basis": "count",
        "threshold": "30",
        "display_order": 50,
    },
    {
        "code": "seismic-tokyo-6-lower",
        "label_ja": "東京23区で震度6弱以上を観測（本部が宣言）",
        "label_en": "Seismic intensity 6 lower or more in Tokyo's 23 wards (declared by the HQ)",
        "kind": "manual",
        "segment": "all",
        "suggests": "activate",
        "statuses": [],
        "weight_basis": "count",
        "threshold": "1",
        "description": "気象庁の発表に基づき本部が宣言する。",
        "display_order": 60,
    },
]


def load_criteria(ActivationCriterion) -> None:
    """Create the seeded criteria that are missing; never overwrite what jsda_admin edited."""
    for spec in CRITERIA:
        values = dict(spec)
        code = values.pop("code")
        ActivationCriterion.objects.get_or_create(code=code, defaults=values)
