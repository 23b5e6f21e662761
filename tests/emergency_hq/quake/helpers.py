"""A small market with sites in JMA areas, and helpers to feed it sample telegrams."""

from __future__ import annotations

from emergency_hq.quake import demo, telegram
from emergency_hq.quake.services import telegram_ingest
from organizations import services as org_services
from tests import factories

SYSTEM = org_services.system_actor


def ensure_reference_data() -> None:
    """What the data migrations load; a transactional test's flush removes it."""
    from emergency_hq.models import ActivationCriterion, QuakeRule
    from emergency_hq.quake.catalogue import load_rules
    from organizations.jma_areas import load_areas, shipped_rows
    from organizations.models import JmaArea
    from tests.emergency_hq.incident_fixtures import ensure_criteria

    ensure_criteria()
    if not JmaArea.objects.exists():
        load_areas(JmaArea, shipped_rows())
    load_rules(QuakeRule, ActivationCriterion)


def with_sites(code: str, sites, **kwargs):
    org = factories.organization(code, **kwargs)
    org_services.organization_sites_set(actor=SYSTEM(), organization=org, sites=sites)
    factories.contact(org, f"Head {code}", email=f"head@{code.lower()}.example.test")
    return org


def build_quake_market() -> dict:
    """JSDA and FSA hear for the HQ; four firms sit in Tokyo, Osaka and western Kanagawa."""
    ensure_reference_data()
    m = {}
    m["JSDA"] = with_sites("JSDA", [("head_office", "350", "本部")], kind="jsda")
    m["FSA"] = with_sites("FSA", [("head_office", "350", "")], kind="regulator", functions=[])
    m["TOKYO-A"] = with_sites(
        "TOKYO-A", [("head_office", "350", "本社"), ("data_centre", "341", "千葉DC")]
    )
    m["TOKYO-B"] = with_sites(
        "TOKYO-B", [("head_office", "350", "本社"), ("backup_site", "520", "大阪")]
    )
    m["OSAKA-C"] = with_sites("OSAKA-C", [("head_office", "520", "本社")])
    m["HAKONE-D"] = with_sites("HAKONE-D", [("head_office", "361", "本社")])
    return m


def sample(name: str) -> bytes:
    return demo.read(name if name.endswith(".xml") else f"{name}.xml")


def ingest(name: str, data: bytes | None = None):
    parsed = telegram.parse(data if data is not None else sample(name))
    return telegram_ingest(telegram=parsed, source=f"test:{name}")
