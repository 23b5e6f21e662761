"""JMA's Atom feeds (eqvol.xml, eqvol_l.xml): poll politely, fetch each telegram once.

A poll sends If-None-Match / If-Modified-Since from the last answer; 304 means nothing new.
Entries are filtered to the seismic-intensity telegrams (VXSE51, VXSE53) and every URL already
fetched is skipped (JMA blocks clients that download too much). 5xx answers, timeouts and
transport errors are retried a few times with a logged warning, then reported as unavailable;
the feed's validators are only stored once every wanted entry is read, so nothing is missed.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import telegram as telegrams
from .models import QuakeFeedEntry, QuakeFeedState
from .safexml import BadDocument, load

logger = logging.getLogger(__name__)

ATOM = "http://www.w3.org/2005/Atom"
NS = {"atom": ATOM}
WANTED_FILE = re.compile(r"_VXSE5[13]_")


class SourceUnavailable(Exception):
    """The feed or telegram could not be fetched (after retries); nothing was changed."""


class FeedError(ValueError):
    """The feed itself is not a readable Atom feed."""


@dataclass(frozen=True)
class Entry:
    title: str
    url: str
    updated: str


@dataclass
class Fetched:
    status: int
    content: bytes = b""
    etag: str = ""
    last_modified: str = ""


@dataclass
class PollReport:
    url: str
    not_modified: bool = False
    entries: int = 0
    read: list = field(default_factory=list)  # (url, IngestResult)
    rejected: list = field(default_factory=list)  # (url, reason)
    unavailable: list = field(default_factory=list)  # (url, reason)

    @property
    def ok(self) -> bool:
        return not (self.rejected or self.unavailable)


def _setting(name: str, default):
    return type(default)(getattr(settings, name, default))


class Fetcher:
    """GET with a size limit and retries; ``client`` may be any httpx.Client (tests)."""

    def __init__(self, *, client: httpx.Client | None = None, retries=None, pause=None):
        self.client = client or httpx.Client(
            timeout=_setting("QUAKE_FEED_TIMEOUT_SECONDS", 10.0),
            follow_redirects=True,
            headers={"User-Agent": f"BCP WEB earthquake feed ({settings.SITE_URL})"},
        )
        self.retries = _setting("QUAKE_FEED_RETRIES", 3) if retries is None else retries
        self.pause = _setting("QUAKE_FEED_RETRY_SECONDS", 2.0) if pause is None else pause

    def get(self, url: str, *, etag: str = "", last_modified: str = "", limit: int) -> Fetched:
        if urlsplit(url).scheme not in ("http", "https"):
            raise SourceUnavailable(f"{url}: only http and https URLs are fetched")
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        attempts = max(1, self.retries + 1)
        for attempt in range(1, attempts + 1):
            try:
                return self._get_once(url, headers, limit)
            except _Retryable as exc:
                if attempt == attempts:
                    raise SourceUnavailable(f"{url}: {exc} (after {attempts} attempts)") from None
                logger.warning("JMA feed: %s: %s; retrying (%d/%d)", url, exc, attempt, attempts)
                time.sleep(self.pause * attempt)
        raise AssertionError("unreachable")

    def _get_once(self, url: str, headers: dict, limit: int) -> Fetched:
        try:
            with self.client.stream("GET", url, headers=headers) as response:
                if response.status_code >= 500:
                    raise _Retryable(f"HTTP {response.status_code}")
                if response.status_code == 304:
                    return Fetched(304)
                if response.status_code != 200:
                    raise SourceUnavailable(f"{url}: HTTP {response.status_code}")
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > limit:
                        raise BadDocument(f"{url} is larger than the limit of {limit} bytes")
                    chunks.append(chunk)
                return Fetched(
                    200,
                    b"".join(chunks),
                    response.headers.get("ETag", ""),
                    response.headers.get("Last-Modified", ""),
                )
        except httpx.TimeoutException:
            raise _Retryable("timed out") from None
        except httpx.TransportError as exc:
            raise _Retryable(f"unreachable ({type(exc).__name__}: {exc})") from None


class _Retryable(Exception):
    pass


def parse_entries(root) -> list[Entry]:
    """The seismic-intensity telegrams of an Atom feed, oldest first."""
    if root.tag != f"{{{ATOM}}}feed":
        raise FeedError(f"not an Atom feed: the root element is {root.tag!r}")
    entries = []
    for entry in root.findall("atom:entry", NS):
        title = (entry.findtext("atom:title", "", NS) or "").strip()
        link = entry.find("atom:link", NS)
        href = (link.get("href", "") if link is not None else "").strip()
        if not href:
            href = (entry.findtext("atom:id", "", NS) or "").strip()
        if href and (title in telegrams.KINDS or WANTED_FILE.search(href)):
            entries.append(Entry(title, href, (entry.findtext("atom:updated", "", NS) or "")))
    return sorted(entries, key=lambda e: e.updated)


def is_feed(root) -> bool:
    return root.tag == f"{{{ATOM}}}feed"


class LocalFiles:
    """Reads the telegrams of a feed saved on disk, next to it; never leaves its folder."""

    def __init__(self, folder: Path):
        self.folder = folder.resolve()

    def locate(self, href: str) -> str:
        path = (self.folder / href).resolve()
        if self.folder not in path.parents:
            raise SourceUnavailable(f"{href}: outside the feed's folder")
        return str(path)

    def read(self, href: str) -> bytes:
        path = Path(self.locate(href))
        try:
            with path.open("rb") as f:
                return f.read(telegrams.max_bytes() + 1)
        except OSError as exc:
            raise SourceUnavailable(f"{href}: {exc.strerror or exc}") from None


def _ingest_entry(url: str, data: bytes, report: PollReport, ingest) -> None:
    from .services import telegram_ingest

    ingest = ingest or telegram_ingest
    with transaction.atomic():
        try:
            parsed = telegrams.parse(data)
        except telegrams.NotOurs as exc:
            QuakeFeedEntry.objects.create(url=url[:500], outcome=f"ignored: {exc}"[:300])
            report.read.append((url, None))
            return
        except telegrams.TelegramError as exc:
            logger.warning("JMA feed: rejected %s: %s", url, exc)
            QuakeFeedEntry.objects.create(url=url[:500], outcome=f"rejected: {exc}"[:300])
            report.rejected.append((url, str(exc)))
            return
        result = ingest(telegram=parsed, source=url)
        QuakeFeedEntry.objects.create(
            url=url[:500], outcome=result.outcome[:300], telegram=result.telegram
        )
        report.read.append((url, result))


def read_entries(root, *, base: str, report: PollReport, fetcher=None, files=None, ingest=None):
    """Fetch and act on every wanted entry not fetched before."""
    entries = parse_entries(root)
    report.entries = len(entries)
    urls = {}
    for e in entries:
        if files is None or urlsplit(e.url).scheme in ("http", "https"):
            urls[e.url] = urljoin(base, e.url)
        else:
            try:
                urls[e.url] = files.locate(e.url)
            except SourceUnavailable as exc:
                report.unavailable.append((e.url, str(exc)))
    entries = [e for e in entries if e.url in urls]
    seen = set(
        QuakeFeedEntry.objects.filter(url__in=list(urls.values())).values_list("url", flat=True)
    )
    for entry in entries:
        url = urls[entry.url]
        if url in seen:
            continue
        seen.add(url)
        try:
            if files is not None and urlsplit(url).scheme not in ("http", "https"):
                data = files.read(url)
            else:
                data = (fetcher or Fetcher()).get(url, limit=telegrams.max_bytes()).content
        except (SourceUnavailable, BadDocument) as exc:
            logger.warning("JMA feed: %s", exc)
            report.unavailable.append((url, str(exc)))
            continue
        _ingest_entry(url, data, report, ingest)


def poll(url: str, *, fetcher: Fetcher | None = None, ingest=None) -> PollReport:
    """One conditional GET of the feed, then every new wanted telegram in it."""
    fetcher = fetcher or Fetcher()
    state, _ = QuakeFeedState.objects.get_or_create(url=url[:500])
    report = PollReport(url)
    limit = _setting("QUAKE_FEED_MAX_BYTES", 4 * 1024 * 1024)
    try:
        answer = fetcher.get(url, etag=state.etag, last_modified=state.last_modified, limit=limit)
    except (SourceUnavailable, BadDocument) as exc:
        state.last_error, state.checked_at = str(exc)[:300], timezone.now()
        state.save(update_fields=["last_error", "checked_at"])
        raise SourceUnavailable(str(exc)) from None
    state.checked_at = timezone.now()
    if answer.status == 304:
        report.not_modified = True
        state.last_error = ""
        state.save(update_fields=["checked_at", "last_error"])
        return report
    try:
        root = load(answer.content, max_bytes=limit, what="feed")
        read_entries(root, base=url, report=report, fetcher=fetcher, ingest=ingest)
    except BadDocument as exc:
        raise FeedError(str(exc)) from None
    if not report.unavailable:
        # Only now: a 304 next time must not hide an entry that could not be fetched.
        state.etag, state.last_modified = answer.etag[:200], answer.last_modified[:100]
        state.changed_at = state.checked_at
    state.last_error = "; ".join(r for _u, r in report.unavailable)[:300]
    state.save()
    return report
