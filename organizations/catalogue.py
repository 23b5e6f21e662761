"""Reference rows every installation starts with: the business functions and committees.

A data migration loads them; `seed_demo` calls the same functions, so both stay in step.
"""

# code, name_ja, name_en, default kinds, default RTO (minutes), display order
FUNCTIONS = [
    (
        "order_acceptance",
        "注文受付",
        "Order acceptance",
        ["exchange", "pts", "securities_firm"],
        120,
        10,
    ),
    ("trading", "売買", "Trading", ["exchange", "pts", "securities_firm"], 120, 20),
    ("market_data", "相場情報配信", "Market data", ["exchange", "pts"], 120, 30),
    ("clearing", "清算", "Clearing", ["clearing"], 120, 40),
    ("book_entry", "振替", "Book-entry transfer", ["depository"], 120, 50),
    (
        "settlement",
        "決済",
        "Settlement",
        ["clearing", "depository", "securities_firm", "bank"],
        240,
        60,
    ),
    ("funds_settlement", "資金決済", "Funds settlement", ["central_bank", "bank"], 120, 70),
    ("custody", "顧客資産の保管", "Custody of customer assets", ["securities_firm"], 1440, 80),
    (
        "customer_support",
        "顧客窓口・コールセンター",
        "Branches and call centre",
        ["securities_firm", "bank"],
        480,
        90,
    ),
    ("online_trading", "オンライン取引", "Online trading", ["securities_firm"], 240, 100),
]

# code, name_ja, name_en, segment, parent code, display order
COMMITTEES = [
    ("COUNCIL", "証券市場BCP協議会", "Securities Market BCP Council", "", None, 10),
    ("COMMITTEE", "証券市場BCP委員会", "Securities Market BCP Committee", "", "COUNCIL", 20),
    ("WG-OPS", "BCP運営専門部会", "BCP Operations Working Group", "", "COMMITTEE", 30),
    (
        "WG-EXCHANGE",
        "取引所取引専門部会",
        "Exchange Trading Working Group",
        "exchange",
        "COMMITTEE",
        40,
    ),
    ("WG-BOND", "公社債取引専門部会", "Bond Trading Working Group", "bond", "COMMITTEE", 50),
    (
        "WG-OTC",
        "取引所市場外取引専門部会",
        "Off-Exchange Trading Working Group",
        "otc",
        "COMMITTEE",
        60,
    ),
]


def load_functions(BusinessFunction) -> None:
    for code, ja, en, kinds, rto, order in FUNCTIONS:
        BusinessFunction.objects.update_or_create(
            code=code,
            defaults={
                "name_ja": ja,
                "name_en": en,
                "default_kinds": kinds,
                "default_rto_minutes": rto,
                "display_order": order,
            },
        )


def load_committees(Committee) -> None:
    for code, ja, en, segment, parent, order in COMMITTEES:
        Committee.objects.update_or_create(
            code=code,
            defaults={
                "name_ja": ja,
                "name_en": en,
                "segment": segment,
                "parent": Committee.objects.get(code=parent) if parent else None,
                "display_order": order,
            },
        )
