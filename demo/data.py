"""The demo market that `manage.py seed_demo` loads: tables only, no database access.

The seven real institutions carry their public facts (names, websites, head offices); their
contacts and BCP profiles are made up for the demo and say so. Every securities firm, bank
and the PTS is fictional: the names carry "（架空）" / "(fictional)" and every address,
e-mail and website is on example.jp. Trading-value shares are invented but shaped like a
real market (a few large firms, a long tail), and sum to 100 in each segment so that the
activation criteria (TSE: halt at >= 50% unable; resume at >= 50% able and >= 30% of the
retail share or >= 5 retail brokers) give believable answers in drills.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEMO_PASSWORD = "bcpweb-demo-2026"  # noqa: S105 — documented in the README, demo only

FICTIONAL_JA = "（架空）"
FICTIONAL_EN = " (fictional)"

REAL_NOTE = (
    "デモ用の例示値です。連絡先・拠点・日付は架空で、実際の計画とは関係ありません。"
    " / Illustrative demo values: contacts, sites and dates are made up."
)
FICTIONAL_NOTE = (
    "デモ用の架空の会社です。 / A fictional company for the demo; any resemblance is unintended."
)


@dataclass(frozen=True)
class Area:
    phone_prefix: str
    address_ja: str
    address_en: str


AREAS = {
    "nihonbashi": Area("03", "東京都中央区日本橋", "Nihonbashi, Chuo-ku, Tokyo"),
    "kabutocho": Area("03", "東京都中央区日本橋兜町", "Nihombashi-Kabutocho, Chuo-ku, Tokyo"),
    "otemachi": Area("03", "東京都千代田区大手町", "Otemachi, Chiyoda-ku, Tokyo"),
    "marunouchi": Area("03", "東京都千代田区丸の内", "Marunouchi, Chiyoda-ku, Tokyo"),
    "roppongi": Area("03", "東京都港区六本木", "Roppongi, Minato-ku, Tokyo"),
    "shinjuku": Area("03", "東京都新宿区西新宿", "Nishi-Shinjuku, Shinjuku-ku, Tokyo"),
    "osaka": Area("06", "大阪府大阪市中央区北浜", "Kitahama, Chuo-ku, Osaka"),
    "nagoya": Area("052", "愛知県名古屋市中区栄", "Sakae, Naka-ku, Nagoya"),
    "sapporo": Area("011", "北海道札幌市中央区大通西", "Odori-nishi, Chuo-ku, Sapporo"),
    "sendai": Area("022", "宮城県仙台市青葉区一番町", "Ichibancho, Aoba-ku, Sendai"),
    "hiroshima": Area("082", "広島県広島市中区紙屋町", "Kamiyacho, Naka-ku, Hiroshima"),
    "fukuoka": Area("092", "福岡県福岡市中央区天神", "Tenjin, Chuo-ku, Fukuoka"),
    "naha": Area("098", "沖縄県那覇市久茂地", "Kumoji, Naha, Okinawa"),
}


@dataclass(frozen=True)
class OrgSpec:
    code: str
    kind: str
    name_ja: str
    name_en: str
    is_public: bool
    website: str
    address_ja: str
    address_en: str
    area: str
    # segment -> (share of trading value %, share of retail trading %), None for venues
    segments: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    committees: tuple[str, ...] = ()
    # function code -> RTO minutes, on top of (or replacing) the kind's defaults
    functions: dict[str, int | None] = field(default_factory=dict)
    drop_functions: tuple[str, ...] = ()
    profile: str = "small"
    contacts: int = 3
    english_contacts: int = 0
    webhooks: tuple[tuple[str, str], ...] = ()
    real: bool = False


REAL = [
    OrgSpec(
        code="JSDA",
        kind="jsda",
        name_ja="日本証券業協会",
        name_en="Japan Securities Dealers Association",
        is_public=False,
        website="https://www.jsda.or.jp/",
        address_ja="東京都中央区日本橋茅場町1-5-8 東京証券会館",
        address_en="Tokyo Shoken Kaikan, 1-5-8 Nihonbashi-Kayabacho, Chuo-ku, Tokyo",
        area="nihonbashi",
        committees=("COUNCIL", "COMMITTEE", "WG-OPS"),
        profile="association",
        contacts=5,
        real=True,
    ),
    OrgSpec(
        code="TSE",
        kind="exchange",
        name_ja="東京証券取引所",
        name_en="Tokyo Stock Exchange",
        is_public=True,
        website="https://www.jpx.co.jp/",
        address_ja="東京都中央区日本橋兜町2-1",
        address_en="2-1 Nihombashi-Kabutocho, Chuo-ku, Tokyo",
        area="kabutocho",
        segments={"exchange": (None, None)},
        committees=("COUNCIL", "COMMITTEE", "WG-EXCHANGE", "WG-OPS"),
        functions={"market_data": 60},
        profile="infrastructure",
        contacts=5,
        webhooks=(
            ("https://hooks.example.jp/tse/bcp-status", "売買システム運用チャット / ops chat"),
            ("https://hooks.example.jp/tse/market-notices", "相場情報部 / market notices"),
        ),
        real=True,
    ),
    OrgSpec(
        code="OSE",
        kind="exchange",
        name_ja="大阪取引所",
        name_en="Osaka Exchange",
        is_public=True,
        website="https://www.jpx.co.jp/",
        address_ja="大阪府大阪市中央区北浜1-8-16",
        address_en="1-8-16 Kitahama, Chuo-ku, Osaka",
        area="osaka",
        segments={"exchange": (None, None)},
        committees=("COUNCIL", "COMMITTEE", "WG-EXCHANGE"),
        functions={"market_data": 60},
        profile="infrastructure_osaka",
        contacts=5,
        real=True,
    ),
    OrgSpec(
        code="JASDEC",
        kind="depository",
        name_ja="証券保管振替機構",
        name_en="Japan Securities Depository Center",
        is_public=True,
        website="https://www.jasdec.com/",
        address_ja="東京都中央区日本橋茅場町2-1-1 第二証券会館",
        address_en="Daini Shoken Kaikan, 2-1-1 Nihonbashi-Kayabacho, Chuo-ku, Tokyo",
        area="nihonbashi",
        segments={"exchange": (None, None), "bond": (None, None), "otc": (None, None)},
        committees=("COUNCIL", "COMMITTEE", "WG-EXCHANGE", "WG-BOND", "WG-OTC"),
        functions={"settlement": 120},
        profile="infrastructure",
        contacts=5,
        webhooks=(("https://hooks.example.jp/jasdec/bcp", "振替業務部 / book-entry ops"),),
        real=True,
    ),
    OrgSpec(
        code="JSCC",
        kind="clearing",
        name_ja="日本証券クリアリング機構",
        name_en="Japan Securities Clearing Corporation",
        is_public=True,
        website="https://www.jpx.co.jp/jscc/",
        address_ja="東京都中央区日本橋兜町2-1",
        address_en="2-1 Nihombashi-Kabutocho, Chuo-ku, Tokyo",
        area="kabutocho",
        segments={"exchange": (None, None), "bond": (None, None), "otc": (None, None)},
        committees=("COUNCIL", "COMMITTEE", "WG-EXCHANGE", "WG-BOND", "WG-OTC"),
        functions={"settlement": 120},
        profile="infrastructure",
        contacts=5,
        webhooks=(("https://hooks.example.jp/jscc/clearing-ops", "清算業務部 / clearing ops"),),
        real=True,
    ),
    OrgSpec(
        code="BOJ",
        kind="central_bank",
        name_ja="日本銀行",
        name_en="Bank of Japan",
        is_public=True,
        website="https://www.boj.or.jp/",
        address_ja="東京都中央区日本橋本石町2-1-1",
        address_en="2-1-1 Nihonbashi-Hongokucho, Chuo-ku, Tokyo",
        area="nihonbashi",
        segments={"exchange": (None, None), "bond": (None, None), "otc": (None, None)},
        committees=("COUNCIL", "COMMITTEE", "WG-BOND"),
        # BOJ-NET settles JGBs as well as funds.
        functions={"settlement": 120},
        profile="infrastructure",
        contacts=5,
        real=True,
    ),
    OrgSpec(
        code="FSA",
        kind="regulator",
        name_ja="金融庁",
        name_en="Financial Services Agency",
        is_public=False,
        website="https://www.fsa.go.jp/",
        address_ja="東京都千代田区霞が関3-2-1 中央合同庁舎第7号館",
        address_en="Central Government Building No. 7, 3-2-1 Kasumigaseki, Chiyoda-ku, Tokyo",
        area="otemachi",
        # An observer: it sits in the council and the committee but reports no function.
        committees=("COUNCIL", "COMMITTEE"),
        profile="regulator",
        contacts=4,
        real=True,
    ),
]

REAL_CODES = [spec.code for spec in REAL]


# code, name_ja, name_en, public, area, profile, contacts, english contacts,
# {segment: (weight, retail_weight)}, custom RTOs, dropped functions
_FIRMS = [
    # public: large and online retail brokers that choose to show their status to investors
    (
        "SAKURA",
        "さくら証券",
        "Sakura Securities",
        True,
        "marunouchi",
        "large",
        5,
        0,
        {"exchange": ("12.5", "19"), "bond": ("12", None), "otc": ("12", None)},
        {"custody": 720},
        (),
    ),
    (
        "KAEDE",
        "かえで証券",
        "Kaede Securities",
        True,
        "otemachi",
        "large",
        5,
        0,
        {"exchange": ("10", "12"), "bond": ("10", None), "otc": ("8", None)},
        {},
        (),
    ),
    (
        "TSUBAKI",
        "つばき証券",
        "Tsubaki Securities",
        True,
        "nihonbashi",
        "large",
        5,
        0,
        {"exchange": ("9", "8"), "bond": ("9", None), "otc": ("7", None)},
        {},
        (),
    ),
    (
        "HIBARI",
        "ひばりネット証券",
        "Hibari Net Securities",
        True,
        "roppongi",
        "online",
        4,
        0,
        {"exchange": ("7", "20"), "otc": ("14", None)},
        {"online_trading": 60, "order_acceptance": 60},
        (),
    ),
    (
        "TSUBAME",
        "つばめオンライン証券",
        "Tsubame Online Securities",
        True,
        "shinjuku",
        "online",
        4,
        0,
        {"exchange": ("6", "16"), "otc": ("12", None)},
        {"online_trading": 60},
        (),
    ),
    (
        "SUMIRE",
        "すみれ証券",
        "Sumire Securities",
        True,
        "nagoya",
        "mid",
        4,
        0,
        {"exchange": ("4", "5"), "bond": ("5", None)},
        {},
        (),
    ),
    (
        "WAKABA",
        "わかば証券",
        "Wakaba Securities",
        True,
        "osaka",
        "mid",
        4,
        0,
        {"exchange": ("3.5", "4"), "bond": ("3", None), "otc": ("4", None)},
        {},
        (),
    ),
    (
        "HINODE",
        "ひので証券",
        "Hinode Securities",
        True,
        "nihonbashi",
        "mid",
        4,
        0,
        {"exchange": ("3", None), "bond": ("4", None)},
        {},
        (),
    ),
    # members only: foreign-affiliated wholesale firms (English-speaking BCP heads)
    (
        "HARBOR",
        "ハーバー証券",
        "Harbor Securities Japan",
        False,
        "roppongi",
        "foreign",
        4,
        2,
        {"exchange": ("8", None), "bond": ("8", None), "otc": ("9", None)},
        {},
        ("online_trading",),
    ),
    (
        "NORTHSTAR",
        "ノーススター証券",
        "Northstar Securities Japan",
        False,
        "marunouchi",
        "foreign",
        4,
        2,
        {"exchange": ("6.8", None), "bond": ("7", None), "otc": ("7", None)},
        {},
        ("online_trading",),
    ),
    (
        "MAPLEGATE",
        "メープルゲート証券",
        "Maplegate Capital Markets Japan",
        False,
        "otemachi",
        "foreign",
        4,
        2,
        {"exchange": ("5", None), "bond": ("6", None), "otc": ("5", None)},
        {},
        ("online_trading",),
    ),
    # members only: domestic firms, from mid-sized to the long tail
    (
        "MIDORI",
        "みどり証券",
        "Midori Securities",
        False,
        "nihonbashi",
        "mid",
        4,
        0,
        {"exchange": ("3", "3"), "bond": ("3", None), "otc": ("3", None)},
        {},
        (),
    ),
    (
        "KAMOME",
        "かもめネット証券",
        "Kamome Net Securities",
        False,
        "shinjuku",
        "online",
        4,
        0,
        {"exchange": ("3", "7"), "otc": ("8", None)},
        {"online_trading": 90},
        (),
    ),
    (
        "YAMABUKI",
        "やまぶき証券",
        "Yamabuki Securities",
        False,
        "nihonbashi",
        "small",
        3,
        0,
        {"exchange": ("2", "2.5")},
        {},
        (),
    ),
    (
        "KUSUNOKI",
        "くすのき証券",
        "Kusunoki Securities",
        False,
        "osaka",
        "small",
        3,
        0,
        {"exchange": ("2", None), "bond": ("2", None)},
        {},
        (),
    ),
    (
        "HINOKI",
        "ひのき証券",
        "Hinoki Securities",
        False,
        "nihonbashi",
        "small",
        3,
        0,
        {"exchange": ("1.8", None), "otc": ("3", None)},
        {},
        (),
    ),
    (
        "MOMIJI",
        "もみじ証券",
        "Momiji Securities",
        False,
        "hiroshima",
        "small",
        3,
        0,
        {"exchange": ("1.5", "2")},
        {"customer_support": 1440},
        (),
    ),
    (
        "NADESHIKO",
        "なでしこ証券",
        "Nadeshiko Securities",
        False,
        "otemachi",
        "small",
        3,
        0,
        {"exchange": ("1.5", None), "bond": ("2", None)},
        {},
        (),
    ),
    (
        "SUZURAN",
        "すずらん証券",
        "Suzuran Securities",
        False,
        "sapporo",
        "small",
        3,
        0,
        {"exchange": ("1.2", "1.5")},
        {"customer_support": 1440},
        (),
    ),
    (
        "SHIRAKABA",
        "しらかば証券",
        "Shirakaba Securities",
        False,
        "sendai",
        "small",
        3,
        0,
        {"exchange": ("1.2", None), "bond": ("1.5", None)},
        {},
        (),
    ),
    (
        "KOHAKU",
        "こはく証券",
        "Kohaku Securities",
        False,
        "nihonbashi",
        "small",
        3,
        0,
        {"exchange": ("1", None), "otc": ("3", None)},
        {},
        (),
    ),
    (
        "RURI",
        "るり証券",
        "Ruri Securities",
        False,
        "nagoya",
        "small",
        3,
        0,
        {"exchange": ("1", None), "bond": ("1.5", None)},
        {},
        (),
    ),
    (
        "HISUI",
        "ひすい証券",
        "Hisui Securities",
        False,
        "nihonbashi",
        "small",
        3,
        0,
        {"exchange": ("1", None)},
        {},
        (),
    ),
    (
        "SANGO",
        "さんご証券",
        "Sango Securities",
        False,
        "naha",
        "small",
        3,
        0,
        {"exchange": ("0.8", None)},
        {},
        (),
    ),
    (
        "KOGANE",
        "こがね証券",
        "Kogane Securities",
        False,
        "osaka",
        "small",
        3,
        0,
        {"exchange": ("0.8", None), "bond": ("1", None)},
        {},
        (),
    ),
    (
        "HOSHIZORA",
        "ほしぞら証券",
        "Hoshizora Securities",
        False,
        "fukuoka",
        "small",
        3,
        0,
        {"exchange": ("0.7", None), "otc": ("2", None)},
        {},
        (),
    ),
    (
        "TSUKIMI",
        "つきみ証券",
        "Tsukimi Securities",
        False,
        "nihonbashi",
        "small",
        3,
        0,
        {"exchange": ("0.7", None)},
        {},
        (),
    ),
    (
        "NAGISA",
        "なぎさ証券",
        "Nagisa Securities",
        False,
        "fukuoka",
        "small",
        3,
        0,
        {"exchange": ("0.6", None)},
        {},
        (),
    ),
    (
        "KASUMI",
        "かすみ証券",
        "Kasumi Securities",
        False,
        "nihonbashi",
        "small",
        3,
        0,
        {"exchange": ("0.5", None), "bond": ("1", None)},
        {},
        (),
    ),
    (
        "HARUKAZE",
        "はるかぜ証券",
        "Harukaze Securities",
        False,
        "nagoya",
        "small",
        3,
        0,
        {"exchange": ("0.5", None)},
        {},
        (),
    ),
    (
        "AKIZORA",
        "あきぞら証券",
        "Akizora Securities",
        False,
        "sendai",
        "small",
        3,
        0,
        {"exchange": ("0.4", None)},
        {},
        (),
    ),
    # bond and off-exchange specialists
    (
        "SEIRAN",
        "せいらん証券",
        "Seiran Securities",
        False,
        "nihonbashi",
        "mid",
        4,
        0,
        {"bond": ("4", None)},
        {},
        ("online_trading",),
    ),
    (
        "TANPOPO",
        "たんぽぽ証券",
        "Tanpopo Securities",
        False,
        "kabutocho",
        "small",
        3,
        0,
        {"bond": ("1.5", None)},
        {},
        ("online_trading",),
    ),
    (
        "KIRI",
        "きり証券",
        "Kiri Securities",
        False,
        "nihonbashi",
        "small",
        3,
        0,
        {"otc": ("3", None)},
        {},
        (),
    ),
]

_BANKS = [
    (
        "AOBA-BANK",
        "あおば銀行",
        "Aoba Bank",
        "marunouchi",
        {"bond": ("8", None)},
        {"funds_settlement": 60},
    ),
    (
        "KOTOBUKI-TB",
        "ことぶき信託銀行",
        "Kotobuki Trust Bank",
        "otemachi",
        {"bond": ("6", None)},
        {},
    ),
    ("UMIKAZE-BANK", "うみかぜ銀行", "Umikaze Bank", "fukuoka", {"bond": ("4.5", None)}, {}),
]

_SEGMENT_COMMITTEES = {"exchange": "WG-EXCHANGE", "bond": "WG-BOND", "otc": "WG-OTC"}
# The largest firms represent the industry in the committee and the operations group.
_INDUSTRY_REPRESENTATIVES = ("SAKURA", "KAEDE", "TSUBAKI")


def _fictional(code, kind, ja, en, public, area, segments, **extra) -> OrgSpec:
    place = AREAS[area]
    committees = tuple(_SEGMENT_COMMITTEES[s] for s in segments)
    if code in _INDUSTRY_REPRESENTATIVES:
        committees = ("COMMITTEE", "WG-OPS", *committees)
    return OrgSpec(
        code=code,
        kind=kind,
        name_ja=ja + FICTIONAL_JA,
        name_en=en + FICTIONAL_EN,
        is_public=public,
        website=f"https://www.{code.lower()}.example.jp/",
        address_ja=f"{place.address_ja}（架空の所在地）",
        address_en=f"{place.address_en} (fictional address)",
        area=area,
        segments=segments,
        committees=committees,
        **extra,
    )


FIRMS = [
    _fictional(
        code,
        "securities_firm",
        ja,
        en,
        public,
        area,
        segments,
        profile=profile,
        contacts=contacts,
        english_contacts=english,
        functions=functions,
        drop_functions=dropped,
    )
    for (code, ja, en, public, area, profile, contacts, english, segments, functions, dropped) in (
        _FIRMS
    )
]

BANKS = [
    _fictional(code, "bank", ja, en, False, area, segments, profile="bank", contacts=4, functions=f)
    for code, ja, en, area, segments, f in _BANKS
]

PTS = [
    _fictional(
        "AKATSUKI-PTS",
        "pts",
        "あかつきPTS",
        "Akatsuki PTS",
        True,
        "roppongi",
        {"otc": (None, None)},
        profile="pts",
        contacts=4,
        functions={"order_acceptance": 60, "trading": 60},
        webhooks=(("https://hooks.example.jp/akatsuki-pts/ops", "PTS運用チーム / PTS ops"),),
    )
]

ORGANIZATIONS: list[OrgSpec] = REAL + FIRMS + BANKS + PTS

# The plan review dates of these organizations are more than 12 months old (days ago).
OVERDUE_REVIEWS = {"KUSUNOKI": 420, "SANGO": 510, "TSUKIMI": 455, "AKIZORA": 700, "TANPOPO": 395}


@dataclass(frozen=True)
class ProfileTemplate:
    plan_version: str
    hq_location: str
    hq_alternate_location: str
    backup_site_kind: str
    backup_site_location: str
    backup_site_distance_km: int | None
    data_backup_frequency: str
    data_backup_offsite: bool


PROFILES = {
    "association": ProfileTemplate(
        "第8版",
        "本部 5階 危機管理室",
        "大阪地区協会 会議室",
        "warm",
        "大阪地区協会 サーバー室（例示）",
        400,
        "daily",
        True,
    ),
    "infrastructure": ProfileTemplate(
        "第15版",
        "本社 危機管理センター",
        "関西地区バックアップセンター（例示）",
        "hot",
        "関西地区バックアップセンター（例示）",
        400,
        "realtime",
        True,
    ),
    "infrastructure_osaka": ProfileTemplate(
        "第15版",
        "本社 危機管理センター",
        "東京 グループ本社（例示）",
        "hot",
        "首都圏バックアップセンター（例示）",
        400,
        "realtime",
        True,
    ),
    "regulator": ProfileTemplate(
        "第6版",
        "庁舎内 危機管理対策室",
        "立川広域防災基地（例示）",
        "warm",
        "首都圏外の代替拠点（例示）",
        300,
        "daily",
        True,
    ),
    "large": ProfileTemplate(
        "第12版",
        "本社 BCP対策本部室",
        "大阪バックアップセンター",
        "hot",
        "大阪バックアップセンター",
        400,
        "realtime",
        True,
    ),
    "foreign": ProfileTemplate(
        "v7.2 (Group BCP)",
        "東京オフィス 危機対策室",
        "横浜 代替オフィス",
        "warm",
        "シンガポール グループ拠点",
        5300,
        "hourly",
        True,
    ),
    "online": ProfileTemplate(
        "第9版",
        "本社 システム統括室",
        "リモート対策本部（オンライン会議）",
        "cloud",
        "クラウド 大阪リージョン",
        400,
        "realtime",
        True,
    ),
    "mid": ProfileTemplate(
        "第5版",
        "本社 会議室A",
        "千葉データセンター 会議室",
        "warm",
        "千葉データセンター",
        35,
        "daily",
        True,
    ),
    "small": ProfileTemplate(
        "第3版",
        "本社 役員会議室",
        "提携先オフィス（埼玉）",
        "cold",
        "提携先オフィス（埼玉）",
        30,
        "daily",
        True,
    ),
    "bank": ProfileTemplate(
        "第11版",
        "本店 危機管理室",
        "大阪事務センター",
        "hot",
        "大阪事務センター",
        400,
        "realtime",
        True,
    ),
    "pts": ProfileTemplate(
        "第4版",
        "本社 運用監視室",
        "リモート対策本部（オンライン会議）",
        "cloud",
        "クラウド 東日本・西日本リージョン",
        400,
        "realtime",
        True,
    ),
}

# Small firms with the weakest arrangements: no backup site and backups kept on the premises.
NO_BACKUP_SITE = ("SANGO", "AKIZORA")


# Fictional people. Surnames and given names are common ones, paired by position, so that
# every contact of the demo gets a distinct name and e-mail address.
FAMILY_NAMES = [
    ("佐藤", "sato"), ("鈴木", "suzuki"), ("高橋", "takahashi"), ("田中", "tanaka"),
    ("伊藤", "ito"), ("渡辺", "watanabe"), ("山本", "yamamoto"), ("中村", "nakamura"),
    ("小林", "kobayashi"), ("加藤", "kato"), ("吉田", "yoshida"), ("山田", "yamada"),
    ("佐々木", "sasaki"), ("山口", "yamaguchi"), ("松本", "matsumoto"), ("井上", "inoue"),
    ("木村", "kimura"), ("林", "hayashi"), ("斎藤", "saito"), ("清水", "shimizu"),
    ("山崎", "yamazaki"), ("森", "mori"), ("池田", "ikeda"), ("橋本", "hashimoto"),
    ("阿部", "abe"), ("石川", "ishikawa"), ("前田", "maeda"), ("藤田", "fujita"),
    ("小川", "ogawa"), ("岡田", "okada"), ("後藤", "goto"), ("長谷川", "hasegawa"),
    ("村上", "murakami"), ("近藤", "kondo"), ("石井", "ishii"), ("坂本", "sakamoto"),
    ("遠藤", "endo"), ("青木", "aoki"), ("藤井", "fujii"), ("西村", "nishimura"),
    ("福田", "fukuda"), ("太田", "ota"), ("三浦", "miura"), ("藤原", "fujiwara"),
    ("岡本", "okamoto"), ("松田", "matsuda"), ("中川", "nakagawa"),
]  # fmt: skip
GIVEN_NAMES = [
    ("健一", "kenichi"), ("直樹", "naoki"), ("美穂", "miho"), ("裕子", "yuko"),
    ("大輔", "daisuke"), ("翔太", "shota"), ("恵美", "emi"), ("誠", "makoto"), ("亮", "ryo"),
    ("陽子", "yoko"), ("拓也", "takuya"), ("由美", "yumi"), ("浩二", "koji"), ("彩", "aya"),
    ("隆", "takashi"), ("真由美", "mayumi"), ("聡", "satoshi"), ("智子", "tomoko"),
    ("和也", "kazuya"), ("麻衣", "mai"), ("剛", "tsuyoshi"), ("香織", "kaori"),
    ("修", "osamu"), ("理恵", "rie"), ("哲也", "tetsuya"), ("千尋", "chihiro"),
    ("康介", "kosuke"), ("奈々", "nana"), ("英樹", "hideki"), ("沙織", "saori"),
    ("雅人", "masato"),
]  # fmt: skip
ENGLISH_NAMES = [
    ("Emily Carter", "emily.carter"),
    ("James Whitfield", "james.whitfield"),
    ("Sarah Lin", "sarah.lin"),
    ("Daniel Novak", "daniel.novak"),
    ("Laura Bennett", "laura.bennett"),
    ("Thomas Reid", "thomas.reid"),
]

# The contact tree: (order, index of the parent in this list or None, Japanese title,
# English title). Organizations take the first 3, 4 or 5 rows.
TREE_5 = [
    (1, None, "BCP統括責任者", "Head of Business Continuity"),
    (2, 0, "BCP副責任者（総務担当）", "Deputy Head of BCP (administration)"),
    (2, 0, "BCP副責任者（システム担当）", "Deputy Head of BCP (systems)"),
    (3, 2, "システム部長", "Head of IT Operations"),
    (3, 1, "総務部長", "Head of General Affairs"),
]
TREE_4 = TREE_5[:4]
TREE_3 = [
    (1, None, "BCP統括責任者", "Head of Business Continuity"),
    (2, 0, "副責任者", "Deputy Head of BCP"),
    (3, 1, "システム部長", "Head of IT Operations"),
]


def contact_tree(size: int):
    return {3: TREE_3, 4: TREE_4, 5: TREE_5}[size]


# code, role, organization code, what the account shows in the demo
DEMO_USERS = [
    ("demo-admin", "jsda_admin", None, "JSDA administrator: Django admin, organizations, users"),
    ("demo-hq", "hq_staff", None, "Emergency HQ secretariat: incidents, decisions, circulars"),
    ("demo-fsa", "regulator", "FSA", "FSA: reads everything, acknowledges alerts"),
    ("demo-boj", "regulator", "BOJ", "Bank of Japan: reads everything, acknowledges alerts"),
    ("demo-tse", "reporter", "TSE", "Reports the Tokyo Stock Exchange's status"),
    ("demo-reporter", "reporter", "SAKURA", "Reports Sakura Securities (public, fictional)"),
    ("demo-viewer", "viewer", "SAKURA", "Reads the members' area as Sakura staff"),
    ("demo-midori", "reporter", "MIDORI", "Reports Midori Securities (members only, fictional)"),
]
