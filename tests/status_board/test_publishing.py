"""The published copy of the public board: what nginx serves while Django cannot."""

from __future__ import annotations

import gzip
import json
import threading
import time
from pathlib import Path

import pytest

from status_board import publishing, snapshots
from tests import factories

pytestmark = pytest.mark.django_db


def _files(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in root.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }


def _text(root: Path, rel: str) -> str:
    return (root / rel).read_text()


def test_a_status_change_reaches_every_published_file_within_two_seconds(
    published, report, public_org, pub_reporter
):
    report(pub_reporter, public_org, "trading", "normal")  # a running portal: warm, published
    started = time.monotonic()
    report(
        pub_reporter,
        public_org,
        "trading",
        "suspended",
        message="売買停止中-公開コピー",
        message_en="Trading halted (published copy)",
    )
    assert time.monotonic() - started < 2.0
    ja, en = _text(published, "ja/index.html"), _text(published, "en/index.html")
    assert "売買停止中-公開コピー" in ja and 'lang="ja"' in ja
    assert "Trading halted (published copy)" in en and 'lang="en"' in en
    board = json.loads(_text(published, "api/v1/board/index.json"))
    (entry,) = [o for o in board["organizations"] if o["code"] == "PUB-EX"]
    assert {f["function"]: f["status"] for f in entry["functions"]}["trading"] == "suspended"
    for rel in ("ja/feeds/status.atom", "ja/board/PUB-EX/feed.atom"):
        assert "売買停止中-公開コピー" in _text(published, rel), rel
    assert "Trading halted (published copy)" in _text(published, "en/feeds/status.atom")
    assert "売買停止中-公開コピー" in _text(published, "ja/board/PUB-EX/index.html")
    # The organization's page carries no per-visitor token: a static file can be shared.
    assert "csrfmiddlewaretoken" not in _text(published, "ja/board/PUB-EX/index.html")
    # Each page says which generation it is and when it was published; nginx gets a .gz.
    manifest = json.loads(_text(published, "published.json"))
    assert f'data-generation="{manifest["generation"]}"' in ja
    assert "公開コピー: 第" in ja and "Published copy: generation" in en
    assert (
        gzip.decompress((published / "ja/index.html.gz").read_bytes())
        == (published / "ja/index.html").read_bytes()
    )


def test_the_json_is_what_anonymous_api_callers_get(
    published, client, report, public_org, pub_reporter
):
    report(pub_reporter, public_org, "trading", "degraded", message="遅延")
    assert (published / "api/v1/board/index.json").read_bytes() == client.get(
        "/api/v1/board/"
    ).content


def test_a_members_only_change_never_reaches_the_published_files(
    published, report, public_org, pub_reporter, org_a, reporter_a
):
    report(pub_reporter, public_org, "trading", "normal")
    before = _files(published)
    generation = json.loads(_text(published, "published.json"))["generation"]
    report(reporter_a, org_a, "trading", "suspended", message="非公開の障害-XYZ")
    after = _files(published)
    assert after == before  # the same bytes, not even rewritten
    assert not any(b"XYZ" in body for body, _mtime in after.values())
    assert json.loads(_text(published, "published.json"))["generation"] == generation
    assert not (published / "ja/board/FIRM-A").exists()


def test_unchanged_files_are_not_rewritten(published, report, public_org, pub_reporter):
    other = factories.organization("PUB-SEC", is_public=True, name_ja="公開証券")
    report(pub_reporter, public_org, "trading", "normal")
    page = published / "ja/board/PUB-SEC/index.html"
    first = (page.read_bytes(), page.stat().st_mtime_ns, page.stat().st_ino)
    time.sleep(0.01)
    report(pub_reporter, public_org, "trading", "degraded", message="別の組織の変更")
    assert (page.read_bytes(), page.stat().st_mtime_ns, page.stat().st_ino) == first
    assert "別の組織の変更" in _text(published, "ja/board/PUB-EX/index.html")
    assert other.code in json.loads(_text(published, "published.json"))["organizations"]


def test_an_organization_no_longer_public_disappears_from_the_copy(
    published, report, public_org, pub_reporter
):
    other = factories.organization("PUB-SEC", is_public=True)
    report(pub_reporter, public_org, "trading", "normal")
    assert (published / "en/board/PUB-SEC/index.html").exists()
    other.is_public = False
    other.save()
    snapshots.board_changed()
    for rel in ("en/board/PUB-SEC/index.html", "ja/board/PUB-SEC/feed.atom.gz"):
        assert not (published / rel).exists(), rel


@pytest.mark.allow_error_log
def test_a_failing_publication_never_fails_the_status_post(
    settings, tmp_path, report, public_org, pub_reporter
):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    settings.BOARD_PUBLISH_DIR = str(blocker / "published")
    created = report(pub_reporter, public_org, "trading", "suspended", message="それでも投稿")
    assert created.pk
    assert "それでも投稿".encode() in snapshots.current()[0].variants["html:ja"].body


def test_a_reader_never_sees_a_partial_file_during_100_publications(
    published, report, public_org, pub_reporter
):
    report(pub_reporter, public_org, "trading", "normal")
    stop = threading.Event()
    seen = {"reads": 0, "bad": []}

    def reader():
        while not stop.is_set():
            for rel in ("ja/index.html", "api/v1/board/index.json", "en/feeds/status.atom"):
                body = (published / rel).read_bytes()
                gz = (published / (rel + ".gz")).read_bytes()
                seen["reads"] += 1
                complete = {
                    ".html": lambda b: b.rstrip().endswith(b"</html>"),
                    ".json": lambda b: json.loads(b) is not None,
                    ".atom": lambda b: b.rstrip().endswith(b"</feed>"),
                }[Path(rel).suffix]
                try:
                    ok = complete(body) and complete(gzip.decompress(gz))
                except (ValueError, EOFError, OSError):
                    ok = False
                if not ok:
                    seen["bad"].append((rel, len(body)))

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for n in range(100):
            status = "degraded" if n % 2 else "suspended"
            report(pub_reporter, public_org, "trading", status, message=f"第{n}報")
    finally:
        stop.set()
        thread.join()
    assert seen["bad"] == []
    assert seen["reads"] > 100
    assert "第99報" in _text(published, "ja/index.html")
    manifest = json.loads(_text(published, "published.json"))
    assert manifest["generation"] >= 100
    assert not [p for p in published.rglob(".*.tmp")]


def test_publishing_is_off_without_a_directory(settings, report, public_org, pub_reporter):
    settings.BOARD_PUBLISH_DIR = ""
    report(pub_reporter, public_org, "trading", "normal")
    assert publishing.publish() is None
