"""The second, independent copy of the published board catches up after its target was down.

S3: moto's server mode on a private port (a real HTTP server, as an S3-compatible bucket on
another host would be); rsync: a directory that cannot be written until it can.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from status_board import mirror, publishing, tasks
from tests import factories
from tests.alerts.harness import free_port

pytestmark = pytest.mark.django_db

# moto keeps its buckets for the whole process: each test its own.
BUCKET = f"bcp-board-osaka-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def s3(settings, monkeypatch):
    global BUCKET
    BUCKET = f"bcp-board-osaka-{uuid.uuid4().hex[:8]}"
    port = free_port()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    settings.BOARD_MIRROR_S3_BUCKET = BUCKET
    settings.BOARD_MIRROR_S3_PREFIX = "board"
    settings.BOARD_MIRROR_S3_ENDPOINT_URL = f"http://127.0.0.1:{port}"
    settings.BOARD_MIRROR_TIMEOUT_SECONDS = 1.0
    servers = []

    def start():
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
        servers.append(server)
        client = boto3.client(
            "s3", endpoint_url=f"http://127.0.0.1:{port}", region_name="ap-northeast-3"
        )
        client.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "ap-northeast-3"}
        )
        return client

    yield start
    for server in servers:
        server.stop()


def _published_files(root: Path) -> dict[str, bytes]:
    manifest = publishing.read_manifest(root)
    return {rel: (root / rel).read_bytes() for rel in manifest["files"]}


def _bucket(client) -> dict[str, bytes]:
    keys = [
        o["Key"] for o in client.list_objects_v2(Bucket=BUCKET, Prefix="board/").get("Contents", [])
    ]
    return {
        key.removeprefix("board/"): client.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        for key in keys
    }


def test_the_s3_copy_catches_up_after_its_target_was_down(
    published, s3, report, public_org, pub_reporter
):
    report(pub_reporter, public_org, "trading", "normal")  # warm: the first one pays imports
    started = time.monotonic()
    report(pub_reporter, public_org, "trading", "suspended", message="大阪へ-第1報")
    # The target is unreachable: the post went on, the copy is there, the push is pending.
    assert time.monotonic() - started < 2.0
    assert "大阪へ-第1報" in (published / "ja/index.html").read_text()
    send, _remove = mirror.pending(published, "s3")
    assert {"ja/index.html", "en/index.html", "api/v1/board/index.json"} <= set(send)
    assert send[-1] == publishing.MANIFEST  # the manifest goes last

    client = s3()  # the target comes back; the beat's sweep sends what it lacks
    tasks.board_mirror_sweep()
    held = _bucket(client)
    expected = _published_files(published)
    assert {rel: held[rel] for rel in expected} == expected
    assert "大阪へ-第1報" in held["ja/index.html"].decode()
    assert mirror.pending(published, "s3") == ([], [])
    head = client.head_object(Bucket=BUCKET, Key="board/en/feeds/status.atom")
    assert head["ContentType"].startswith("application/atom+xml")

    # While the target answers, the next change reaches it after its publication.
    report(pub_reporter, public_org, "trading", "degraded", message="大阪へ-第2報")
    assert "大阪へ-第2報" in _bucket(client)["ja/index.html"].decode()
    assert mirror.pending(published, "s3") == ([], [])


def test_an_organization_removed_from_the_copy_is_removed_from_the_bucket(
    published, s3, report, public_org, pub_reporter
):
    client = s3()
    other = factories.organization("PUB-SEC", is_public=True)
    report(pub_reporter, public_org, "trading", "normal")
    assert "ja/board/PUB-SEC/index.html" in _bucket(client)
    other.is_public = False
    other.save()
    report(pub_reporter, public_org, "trading", "degraded")
    assert "ja/board/PUB-SEC/index.html" not in _bucket(client)


def test_the_rsync_copy_catches_up_after_its_target_was_down(
    published, settings, tmp_path, report, public_org, pub_reporter
):
    target = tmp_path / "osaka" / "board"  # its parent does not exist yet: rsync fails
    settings.BOARD_MIRROR_RSYNC_TARGET = f"{target}/"
    report(pub_reporter, public_org, "trading", "suspended", message="rsync-第1報")
    assert not target.exists()
    assert mirror.pending(published, "rsync")[0]
    target.parent.mkdir()
    results = mirror.sync_all()
    assert [(r.target, r.pending, r.error) for r in results] == [("rsync", 0, "")]
    assert (target / "ja/index.html").read_bytes() == (published / "ja/index.html").read_bytes()
    assert not list(target.glob(".*"))  # the bookkeeping stays home


def test_nothing_is_pushed_without_a_target(published, report, public_org, pub_reporter):
    report(pub_reporter, public_org, "trading", "normal")
    assert not mirror.configured()
    assert mirror.sync_all() == []
