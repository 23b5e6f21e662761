"""Where the demo institutions work, as JMA seismic areas; ``seed_sites()`` loads them.

Most head offices are in Tokyo's 23 wards (350); OSE and a few firms sit in Osaka (大阪府北部,
520); the backup sites are mostly in Osaka, as the BCP profiles of the demo say (the mid-sized
firms' Chiba data centre and the small firms' partner office in Saitama stay where their
profiles put them). ``seed_demo`` calls ``seed_sites()`` (demo/market.py); like the rest of the
demo, an organization that already has a site keeps its own.
"""

from __future__ import annotations

from organizations.jma_areas import load_areas, shipped_rows
from organizations.models import JmaArea, Organization, OrganizationSite
from organizations.services import organization_sites_set

TOKYO_23 = "350"
OSAKA_NORTH = "520"

HEAD_OFFICE, DATA_CENTRE, BACKUP_SITE = "head_office", "data_centre", "backup_site"

_KANSAI_BACKUP = (BACKUP_SITE, OSAKA_NORTH, "関西地区バックアップセンター（例示）")
_CHIBA_DC = (DATA_CENTRE, "341", "首都圏データセンター（千葉・例示）")
_OSAKA_BACKUP = (BACKUP_SITE, OSAKA_NORTH, "大阪バックアップセンター")
_OSAKA_CLOUD = (BACKUP_SITE, OSAKA_NORTH, "クラウド 大阪リージョン")
_CHIBA_BACKUP = (BACKUP_SITE, "341", "千葉データセンター")
_SAITAMA_BACKUP = (BACKUP_SITE, "331", "提携先オフィス（埼玉）")
_YOKOHAMA_OFFICE = (BACKUP_SITE, "360", "横浜 代替オフィス")
_OSAKA_OFFICE = (BACKUP_SITE, OSAKA_NORTH, "大阪事務センター")


def _head(code: str = TOKYO_23, label: str = "本社") -> tuple[str, str, str]:
    return (HEAD_OFFICE, code, label)


NAGOYA, SAPPORO, SENDAI = "451", "101", "222"
HIROSHIMA, FUKUOKA, NAHA = "592", "710", "801"

# organization code -> [(kind, JMA area code, label)]
DEMO_SITES: dict[str, list[tuple[str, str, str]]] = {
    "JSDA": [_head(), (BACKUP_SITE, OSAKA_NORTH, "大阪地区協会 サーバー室（例示）")],
    "TSE": [_head(), _CHIBA_DC, _KANSAI_BACKUP],
    "OSE": [_head(OSAKA_NORTH), (BACKUP_SITE, TOKYO_23, "首都圏バックアップセンター（例示）")],
    "JASDEC": [_head(), _CHIBA_DC, _KANSAI_BACKUP],
    "JSCC": [_head(), _CHIBA_DC, _KANSAI_BACKUP],
    "BOJ": [_head(), _CHIBA_DC, _KANSAI_BACKUP],
    "FSA": [_head(label="庁舎"), (BACKUP_SITE, OSAKA_NORTH, "首都圏外の代替拠点（例示）")],
    "SAKURA": [_head(), _OSAKA_BACKUP],
    "KAEDE": [_head(), _OSAKA_BACKUP],
    "TSUBAKI": [_head(), _OSAKA_BACKUP],
    "HIBARI": [_head(), _OSAKA_CLOUD],
    "TSUBAME": [_head(), _OSAKA_CLOUD],
    "SUMIRE": [_head(NAGOYA), _CHIBA_BACKUP],
    "WAKABA": [_head(OSAKA_NORTH), _CHIBA_BACKUP],
    "HINODE": [_head(), _CHIBA_BACKUP],
    "HARBOR": [_head(), _YOKOHAMA_OFFICE],
    "NORTHSTAR": [_head(), _YOKOHAMA_OFFICE],
    "MAPLEGATE": [_head(), _YOKOHAMA_OFFICE],
    "MIDORI": [_head(), _CHIBA_BACKUP],
    "KAMOME": [_head(), _OSAKA_CLOUD],
    "YAMABUKI": [_head(), _SAITAMA_BACKUP],
    "KUSUNOKI": [_head(OSAKA_NORTH), _SAITAMA_BACKUP],
    "HINOKI": [_head(), _SAITAMA_BACKUP],
    "MOMIJI": [_head(HIROSHIMA), _SAITAMA_BACKUP],
    "NADESHIKO": [_head(), _SAITAMA_BACKUP],
    "SUZURAN": [_head(SAPPORO), _SAITAMA_BACKUP],
    "SHIRAKABA": [_head(SENDAI), _SAITAMA_BACKUP],
    "KOHAKU": [_head(), _SAITAMA_BACKUP],
    "RURI": [_head(NAGOYA), _SAITAMA_BACKUP],
    "HISUI": [_head(), _SAITAMA_BACKUP],
    # SANGO and AKIZORA have no backup site in their profiles.
    "SANGO": [_head(NAHA)],
    "KOGANE": [_head(OSAKA_NORTH), _SAITAMA_BACKUP],
    "HOSHIZORA": [_head(FUKUOKA), _SAITAMA_BACKUP],
    "TSUKIMI": [_head(), _SAITAMA_BACKUP],
    "NAGISA": [_head(FUKUOKA), _SAITAMA_BACKUP],
    "KASUMI": [_head(), _SAITAMA_BACKUP],
    "HARUKAZE": [_head(NAGOYA), _SAITAMA_BACKUP],
    "AKIZORA": [_head(SENDAI)],
    "SEIRAN": [_head(), _CHIBA_BACKUP],
    "TANPOPO": [_head(), _SAITAMA_BACKUP],
    "KIRI": [_head(), _SAITAMA_BACKUP],
    "AOBA-BANK": [_head(label="本店"), _OSAKA_OFFICE],
    "KOTOBUKI-TB": [_head(label="本店"), _OSAKA_OFFICE],
    "UMIKAZE-BANK": [_head(FUKUOKA, "本店"), _OSAKA_OFFICE],
    "AKATSUKI-PTS": [
        _head(),
        (DATA_CENTRE, "341", "クラウド 東日本リージョン"),
        (BACKUP_SITE, OSAKA_NORTH, "クラウド 西日本リージョン"),
    ],
}


def seed_sites(*, actor, organizations: list[Organization]) -> int:
    """Give each of these demo organizations that has no site yet its sites; returns how
    many sites were created (none on a second run)."""
    if not JmaArea.objects.exists():
        load_areas(JmaArea, shipped_rows(), actor=actor)
    with_sites = set(
        OrganizationSite.objects.filter(organization__in=organizations).values_list(
            "organization_id", flat=True
        )
    )
    count = 0
    for organization in organizations:
        sites = DEMO_SITES.get(organization.code)
        if sites and organization.pk not in with_sites:
            organization_sites_set(actor=actor, organization=organization, sites=sites)
            count += len(sites)
    return count
