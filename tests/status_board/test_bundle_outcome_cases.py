"""What the pinned bundle leaves out, pinned byte for byte as the templates rendered it.

fixtures/bundle_cases.json was produced by the template-rendered board (before issue 16's
renderer): BCP activations in the banner (with and without a circular, text to escape),
"confirmed at", English pages falling back to the Japanese message, a board all normal, one
with nothing reported, one with no public organization, and an organization's page (the
published copy renders the same). Re-pin after a deliberate change with PIN_BUNDLE_OUTCOME=1
(the test then fails once, so that the new file is reviewed).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from organizations import services as org_services
from organizations.models import Organization
from status_board import bundles, providers, publishing, services
from status_board.models import CurrentStatus
from tests import factories

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).parent / "fixtures" / "bundle_cases.json"
NOW = datetime(2026, 3, 11, 5, 46, 18, 123456, tzinfo=UTC)


@dataclass
class _Activation:
    """What the emergency HQ registers (``ActiveActivation``): a text, maybe a circular."""

    text: str
    circular_number: str = ""
    circular_url: str = ""

    def __str__(self) -> str:
        return self.text

    def as_dict(self) -> dict:
        return {"text": self.text, "circular": self.circular_number or None}


ACTIVATIONS = [
    _Activation('取引所取引 (2026-03-11 14:00 JST) — <地震> & "津波"', "2026-007", "/c/7/?a=1&b=2"),
    _Activation("清算・決済 (2026-03-11 14:05 JST) — 'test'"),
]


def _post(org, function, status, **extra):
    services.status_report_create(
        actor=org_services.system_actor(),
        organization=org,
        entry=services.ReportInput(function=function, status=status, **extra),
    )


def _bundle(data_version: int) -> dict:
    bundle = bundles.build(data_version=data_version)
    return {
        key: {"body": v.body.decode(), "fragment": v.fragment, "stale_notice": v.stale_notice}
        for key, v in sorted(bundle.variants.items())
        if key.startswith("html:")
    }


class _Collect:
    """Stands for the publication's writer: keeps what it is given."""

    def __init__(self):
        self.files: dict[str, str] = {}

    def put(self, rel: str, body: bytes, **_ignored) -> None:
        self.files[rel] = body.decode()


def _organization_page(code: str) -> dict:
    """The organization's published page in both languages (as its page in Django)."""
    writer = _Collect()
    publishing._render_organization(writer, Organization.objects.get(code=code))
    # The reports' ids depend on the tests run before (the sequences are not rolled back).
    return {
        rel: re.sub(r'id="report-\d+"', 'id="report-N"', body)
        for rel, body in writer.files.items()
        if rel.endswith(".html")
    }


def _cases(monkeypatch) -> dict:
    cases = {"no_public_organization": _bundle(1)}
    tse = factories.organization("TSE", kind="exchange", is_public=True, name_ja="東京証券取引所")
    firm = factories.organization("B-SEC", is_public=True, name_ja="ビー証券")
    Organization.objects.filter(pk=firm.pk).update(name_en="")  # English pages show it in ja
    cases["nothing_reported"] = _bundle(2)
    _post(tse, "trading", "normal", message="平常どおり", message_en="As usual")
    _post(firm, "order_acceptance", "normal")
    cases["all_normal"] = _bundle(3)
    _post(tse, "market_data", "closed", message="配信停止中", expected_recovery_at=NOW)
    _post(firm, "trading", "degraded", message="一部遅延", message_en="Some delays")
    _post(firm, "settlement", "suspended", message="<停止>", message_en="")
    for i, current in enumerate(CurrentStatus.objects.order_by("id")):
        current.reported_at = NOW - timedelta(minutes=31 * i, seconds=i)
        if i % 2 == 0:
            current.confirmed_at = NOW - timedelta(minutes=3 * i, microseconds=7)
        current.save(update_fields=["reported_at", "confirmed_at"])
    monkeypatch.setattr(providers, "_activations", lambda public_only: list(ACTIVATIONS))
    cases["activations_confirmed_fallback"] = _bundle(4)
    cases["organization_page_TSE"] = _organization_page("TSE")
    cases["organization_page_B-SEC"] = _organization_page("B-SEC")
    return cases


def test_the_board_in_every_case_is_what_the_templates_rendered(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    data = _cases(monkeypatch)
    if os.environ.get("PIN_BUNDLE_OUTCOME"):
        FIXTURE.parent.mkdir(exist_ok=True)
        FIXTURE.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True))
        pytest.fail("pinned a new expected bundle: review fixtures/bundle_cases.json")
    expected = json.loads(FIXTURE.read_text())
    for case, variants in expected.items():
        for key, variant in variants.items():
            assert data[case][key] == variant, (case, key)
    assert data == expected


def test_the_pinned_cases_show_what_a_reader_needs(monkeypatch):
    """The pin is worth keeping: it holds the banner, its circular and the fallbacks."""
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    data = _cases(monkeypatch)
    en = data["activations_confirmed_fallback"]["html:en"]["fragment"]
    ja = data["activations_confirmed_fallback"]["html:ja"]["fragment"]
    assert '<a href="/c/7/?a=1&amp;b=2">Circular 2026-007</a>' in en
    assert "&lt;地震&gt; &amp; &quot;津波&quot;" in ja and "通達 2026-007" in ja
    assert "confirmed at" in en and "確認済み" in ja
    assert "Some delays" in en and "一部遅延" in ja and "&lt;停止&gt;" in en  # ja if no en
    assert (
        "All reported market functions are operating normally."
        in (data["all_normal"]["html:en"]["fragment"])
    )
    assert "No status has been reported yet." in data["nothing_reported"]["html:en"]["fragment"]
    assert (
        "No organization is on the public board yet."
        in (data["no_public_organization"]["html:en"]["fragment"])
    )
    assert '<a href="/board/B-SEC/">ビー証券</a>' in en
    assert "Some delays" in data["organization_page_B-SEC"]["en/board/B-SEC/index.html"]
