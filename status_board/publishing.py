"""The published copy of the public board: static files that nginx serves without Django.

After every rebuild of the cached board (``snapshots.rebuild``) a Celery task writes, under
``settings.BOARD_PUBLISH_DIR``, what an anonymous visitor gets from Django:

    ja/index.html, en/index.html                       the board at ``/``
    ja/board/<CODE>/index.html (en/...)                each public organization's page
    ja/feeds/status.atom, ja/board/<CODE>/feed.atom    the Atom feeds (en/... likewise)
    api/v1/board/index.json                            ``/api/v1/board/`` for the public
    published.json                                     the manifest (generation, hashes)

Every file (and its ``.gz`` twin for nginx's gzip_static) is written to a temporary name in
its own directory and renamed over the old one, so a reader sees the old file or the new one,
never half of one. A file whose content did not change is not rewritten: a page shows the
generation number and time at which its content last changed. Only the public
representation is rendered, from the bundle the cache holds (``json:public``, the anonymous
pages), so a members-only change or a drill leaves every byte as it was.

An organization's page and feed are rendered again only when its entry in the public board
JSON changed (or on a full publication: the first one, and the periodic one of the beat).
Publications are serialized by a lock file in the directory; a publication that finds the
copy already written from the newest bundle does nothing.
"""

from __future__ import annotations

import contextlib
import fcntl
import gzip
import hashlib
import json
import logging
import os
import re
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from organizations.models import Organization

from . import feeds, selectors, snapshots
from .bundles import LANGUAGES, Bundle, _host

logger = logging.getLogger(__name__)

MANIFEST = "published.json"
LOCK_FILE = ".publish.lock"
STATE = ".published-bundle.json"
BOARD_JSON = "api/v1/board/index.json"
STAMP_AT = b"</main>"
_EMPTY_FEED_UPDATED = re.compile(rb"<updated>[^<]*</updated>")
# The validator of the board fragment the page polls hashes the fragment with its build time:
# it changes with every rebuild, so it is left out of the comparison as the time is.
_FRAGMENT_ETAG = re.compile(rb'data-etag="[^"]*"')
# While this thread publishes, the rebuilds it causes do not ask for another publication.
_active = threading.local()


@dataclass
class Publication:
    generation: int
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def publish_dir() -> Path | None:
    value = getattr(settings, "BOARD_PUBLISH_DIR", "")
    return Path(value) if value else None


def enabled() -> bool:
    return publish_dir() is not None


def publishing_now() -> bool:
    return getattr(_active, "on", False)


def read_manifest(root: Path) -> dict:
    try:
        return json.loads((root / MANIFEST).read_bytes())
    except (OSError, ValueError):
        return {"generation": 0, "files": {}, "organizations": {}}


def atomic_write(path: Path, body: bytes) -> None:
    """Write ``body`` to ``path`` by renaming a finished temporary file over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(body)
        os.chmod(tmp, 0o644)  # nginx's workers may run as another user
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _digest(body: bytes) -> str:
    return hashlib.blake2b(body, digest_size=16).hexdigest()


def _request(path: str, language: str):
    secure = urlsplit(settings.SITE_URL).scheme == "https"
    request = RequestFactory().get(path, HTTP_HOST=_host(), secure=secure)
    request.user = AnonymousUser()
    request.LANGUAGE_CODE = language
    return request


def _stamp(body: bytes, generation: int, now) -> bytes:
    text = _("Published copy: generation %(generation)d, %(time)s") % {
        "generation": generation,
        "time": date_format(timezone.localtime(now), "Y-m-d H:i:s"),
    }
    mark = (
        f'<p class="published-copy small muted" data-generation="{generation}">{text}</p>\n'
    ).encode()
    return body.replace(STAMP_AT, mark + STAMP_AT, 1)


class _Writer:
    def __init__(self, root: Path, manifest: dict, now):
        self.root = root
        self.manifest = manifest
        self.files: dict = manifest.setdefault("files", {})
        self.generation = int(manifest.get("generation", 0)) + 1
        self.now = now
        self.written: list[str] = []
        self.seen: set[str] = set()

    def put(self, rel: str, body: bytes, *, built_at=None) -> None:
        """Write ``body`` unless the file holds the same content; ``built_at``: the bundle's
        time, which the content shows but which alone is no change."""
        self.seen.add(rel)
        if built_at:
            digest = _digest(_without_time(body, built_at))
        elif rel.endswith(".atom") and b"<entry>" not in body:
            digest = _digest(_EMPTY_FEED_UPDATED.sub(b"", body))  # "now", for want of entries
        else:
            digest = _digest(body)
        entry = self.files.get(rel)
        path = self.root / rel
        if entry and entry.get("sha") == digest and path.exists():
            return
        if rel.endswith(".html"):
            with translation.override(rel.split("/", 1)[0]):
                body = _stamp(body, self.generation, self.now)
        atomic_write(path, body)
        atomic_write(path.with_name(path.name + ".gz"), gzip.compress(body, mtime=0))
        self.files[rel] = {
            "sha": digest,
            "generation": self.generation,
            "published_at": self.now.isoformat(),
        }
        self.written.append(rel)

    def keep(self, prefix: str) -> None:
        """Files under ``prefix`` that this publication does not render again stay."""
        self.seen.update(rel for rel in self.files if rel.startswith(prefix))

    def remove_unseen(self) -> list[str]:
        removed = []
        for rel in sorted(set(self.files) - self.seen):
            for path in (self.root / rel, self.root / (rel + ".gz")):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
            del self.files[rel]
            removed.append(rel)
        return removed


def _without_time(body: bytes, moment) -> bytes:
    local = timezone.localtime(moment)
    for text in (local.isoformat(), local.strftime("%Y-%m-%d %H:%M")):
        body = body.replace(text.encode(), b"")
    return _FRAGMENT_ETAG.sub(b"", body)


def _organization_fingerprints(bundle: Bundle) -> dict[str, str]:
    board = json.loads(bundle.variants["json:public"].body)
    return {
        entry["code"]: _digest(json.dumps(entry, sort_keys=True).encode())
        for entry in board["organizations"]
    }


def _render_organization(writer: _Writer, organization: Organization) -> None:
    code = organization.code
    user = AnonymousUser()
    for language in LANGUAGES:
        with translation.override(language):
            request = _request(f"/board/{code}/", language)
            context = {**selectors.organization_page(user, organization), "cached_page": True}
            page = render_to_string("status_board/organization_board.html", context, request)
            writer.put(f"{language}/board/{code}/index.html", page.encode())
            feed = feeds.OrganizationStatusFeed()(
                _request(f"/board/{code}/feed.atom", language), code=code
            )
            writer.put(f"{language}/board/{code}/feed.atom", feed.content)


def _write_all(root: Path, bundle: Bundle, manifest: dict, *, full: bool) -> Publication:
    writer = _Writer(root, manifest, timezone.now())
    for language in LANGUAGES:
        body = bundle.variants[f"html:{language}"].body
        writer.put(f"{language}/index.html", body, built_at=bundle.generated_at)
        with translation.override(language):
            feed = feeds.MarketStatusFeed()(_request("/feeds/status.atom", language))
        writer.put(f"{language}/feeds/status.atom", feed.content)
    writer.put(BOARD_JSON, bundle.variants["json:public"].body, built_at=bundle.generated_at)
    fingerprints = _organization_fingerprints(bundle)
    known = manifest.get("organizations", {})
    organizations = Organization.objects.filter(code__in=fingerprints)
    for organization in organizations:
        code = organization.code
        if full or known.get(code) != fingerprints[code]:
            _render_organization(writer, organization)
        else:
            for language in LANGUAGES:
                writer.keep(f"{language}/board/{code}/")
    removed = writer.remove_unseen()
    if writer.written or removed or manifest.get("organizations") != fingerprints:
        if writer.written or removed:
            manifest["generation"] = writer.generation
            manifest["published_at"] = writer.now.isoformat()
        manifest["organizations"] = fingerprints
        atomic_write(root / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True).encode())
    # Which bundle the copy was last brought up to (a dot file: neither served nor mirrored).
    atomic_write(root / STATE, json.dumps({"bundle_id": bundle.id}).encode())
    return Publication(
        generation=int(manifest.get("generation", 0)), written=writer.written, removed=removed
    )


def _published_bundle(root: Path) -> str | None:
    try:
        return json.loads((root / STATE).read_bytes()).get("bundle_id")
    except (OSError, ValueError):
        return None


@contextlib.contextmanager
def _locked(root: Path):
    root.mkdir(parents=True, exist_ok=True)
    with open(root / LOCK_FILE, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def publish(*, full: bool = False, max_rounds: int = 3) -> Publication | None:
    """Bring the published copy up to the newest cached bundle; None when publishing is off."""
    root = publish_dir()
    if root is None:
        return None
    _active.on = True
    try:
        with _locked(root):
            publication = None
            for _round in range(max_rounds):
                bundle = snapshots.latest()
                manifest = read_manifest(root)
                if not full and publication is None and _published_bundle(root) == bundle.id:
                    return Publication(generation=int(manifest.get("generation", 0)))
                publication = _write_all(root, bundle, manifest, full=full)
                full = False
                if snapshots.latest().id == bundle.id:
                    break
            return publication
    finally:
        _active.on = False
