"""The cached board's bundle is the same, byte for byte, however it is built: pinned.

fixtures/bundle_outcome.json was produced by ``bundles.build`` (re-pinned when confirmed_at and
message_en joined the board, issue 11) before the build is made faster
(issue 16): both pages, their fragments and stale notices, both JSONs and their ETags on a
varied market at a fixed clock. Re-pin after a deliberate change with PIN_BUNDLE_OUTCOME=1
(the test then fails once, so that the new file is reviewed).
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from organizations import services as org_services
from status_board import bundles, services
from status_board.models import CurrentStatus
from tests import factories

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).parent / "fixtures" / "bundle_outcome.json"
NOW = datetime(2026, 3, 11, 5, 46, 18, 123456, tzinfo=UTC)
LONG = "長い説明。" * 40 + "<end>"


def _post(org, function, status, **extra):
    services.status_report_create(
        actor=org_services.system_actor(),
        organization=org,
        entry=services.ReportInput(function=function, status=status, **extra),
    )


def _varied_market() -> None:
    factories.organization("TSE", kind="exchange", is_public=True, name_ja="東京証券取引所")
    factories.organization("JSCC", kind="clearing", is_public=True)
    factories.organization("BOJ", kind="central_bank", is_public=True, name_en="Bank & <Japan>")
    quoted = factories.organization(
        "Q-SEC", is_public=True, name_ja="\"引用\" & 'アポ' 証券", name_en='Quote\'s "Sec"'
    )
    normal = factories.organization("A-SEC", is_public=True)
    factories.organization("Z-BANK", kind="bank", is_public=True)  # nothing reported
    secret = factories.organization("SECRET", name_ja="非公開証券")
    gone = factories.organization("GONE", is_public=True)
    tse = quoted.__class__.objects.get(code="TSE")
    jscc = quoted.__class__.objects.get(code="JSCC")
    _post(tse, "trading", "backup_site", message="バックアップサイトで稼働", message_en="Backup")
    _post(
        jscc, "clearing", "suspended", message=LONG, expected_recovery_at=NOW + timedelta(hours=3)
    )
    _post(quoted, "order_acceptance", "degraded", message="<b>注意</b> & \"A\" 'B'")
    _post(normal, "order_acceptance", "normal", expected_recovery_at=NOW + timedelta(hours=1))
    _post(secret, "order_acceptance", "closed", message="非公開")
    _post(gone, "order_acceptance", "suspended")
    gone.__class__.objects.filter(pk=gone.pk).update(active=False)  # left the market since
    for i, current in enumerate(CurrentStatus.objects.order_by("id")):
        current.reported_at = NOW - timedelta(minutes=17 * i, seconds=i, microseconds=i)
        current.save(update_fields=["reported_at"])


def _bundle_as_data(bundle) -> dict:
    return {
        "last_modified_http": bundle.last_modified_http,
        "variants": {
            key: {
                "body": variant.body.decode(),
                "etag": variant.etag,
                "content_type": variant.content_type,
                "fragment": variant.fragment,
                "stale_notice": variant.stale_notice,
            }
            for key, variant in sorted(bundle.variants.items())
        },
    }


def test_the_bundle_is_what_it_was(monkeypatch):
    # The market is posted at the fixed clock too: expected recoveries must lie ahead of it.
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    _varied_market()
    bundle = bundles.build(data_version=7)
    assert bundle.data_version == 7 and bundle.generated_at == NOW
    data = _bundle_as_data(bundle)
    if os.environ.get("PIN_BUNDLE_OUTCOME"):
        FIXTURE.parent.mkdir(exist_ok=True)
        FIXTURE.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True))
        pytest.fail("pinned a new expected bundle: review fixtures/bundle_outcome.json")
    expected = json.loads(FIXTURE.read_text())
    for key, variant in expected["variants"].items():
        assert data["variants"][key] == variant, key
    assert data == expected


def test_the_english_page_is_english_and_escapes_what_was_posted(monkeypatch):
    """What the pinned file holds is what a reader needs (so that the pin is worth keeping)."""
    # The market is posted at the fixed clock too: expected recoveries must lie ahead of it.
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    _varied_market()
    bundle = bundles.build()
    en, ja = bundle.variants["html:en"].body.decode(), bundle.variants["html:ja"].body.decode()
    assert "Quote&#x27;s &quot;Sec&quot;" in en and "&lt;b&gt;注意&lt;/b&gt;" in en
    assert "SECRET" not in en and "GONE" not in en and "非公開" not in ja
    assert '<time datetime="2026-03-11T14:46:18.123456+09:00">3/11 14:46</time>' in ja
    assert "Expected recovery" in en and "…" in en  # the long message is cut at 160
    members = json.loads(bundle.variants["json:members"].body)
    assert [o["code"] for o in members["organizations"]][:3] == ["TSE", "JSCC", "BOJ"]
    assert "SECRET" in {o["code"] for o in members["organizations"]}
