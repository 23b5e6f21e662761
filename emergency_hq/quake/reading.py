"""``quake_ingest PATH|URL``: read a telegram or a feed from a file or a URL, then act.

Exit codes (DESIGN §6): 0 when the telegram was read, acted on or deliberately ignored (weak,
test, drill, repeat, another kind of JMA telegram); 1 when it is malformed, truncated,
oversize, in the wrong namespace or has an unknown intensity (nothing changed); 2 when the
source cannot be read at all (missing file, unreachable URL, 5xx after retries).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from . import feed, telegram
from .safexml import BadDocument, load

READ, REJECTED, UNREACHABLE = 0, 1, 2


@dataclass
class SourceReport:
    code: int = READ
    lines: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    results: list = field(default_factory=list)

    def fail(self, code: int, message: str) -> None:
        self.code = max(self.code, code)
        self.errors.append(message)


def _limit() -> int:
    return max(telegram.max_bytes(), feed._setting("QUAKE_FEED_MAX_BYTES", 4 * 1024 * 1024))


def _fetch(source: str, fetcher) -> tuple[bytes, feed.LocalFiles | None]:
    if urlsplit(source).scheme in ("http", "https"):
        return (fetcher or feed.Fetcher()).get(source, limit=_limit()).content, None
    path = Path(source)
    try:
        with path.open("rb") as f:
            data = f.read(_limit() + 1)
    except OSError as exc:
        raise feed.SourceUnavailable(f"{source}: {exc.strerror or exc}") from None
    return data, feed.LocalFiles(path.parent)


def ingest_source(source: str, *, fetcher=None) -> SourceReport:
    from .services import telegram_ingest

    report = SourceReport()
    try:
        data, files = _fetch(source, fetcher)
        root = load(data, max_bytes=_limit(), what="document")
    except feed.SourceUnavailable as exc:
        report.fail(UNREACHABLE, f"unreachable: {exc}")
        return report
    except BadDocument as exc:
        report.fail(REJECTED, f"rejected: {source}: {exc}")
        return report

    if feed.is_feed(root):
        polled = feed.PollReport(source)
        feed.read_entries(root, base=source, report=polled, fetcher=fetcher, files=files)
        for url, result in polled.read:
            report.lines.append(f"{url}: {result.message if result else 'ignored (other kind)'}")
            if result:
                report.results.append(result)
        for url, reason in polled.rejected:
            report.fail(REJECTED, f"rejected: {url}: {reason}")
        for url, reason in polled.unavailable:
            report.fail(UNREACHABLE, f"unreachable: {url}: {reason}")
        if not polled.entries:
            report.lines.append(f"{source}: no seismic-intensity telegram in the feed")
        elif not (polled.read or polled.rejected or polled.unavailable):
            report.lines.append(f"{source}: every telegram of the feed was read before")
        return report

    try:
        if len(data) > telegram.max_bytes():
            raise telegram.TelegramError(
                f"the telegram is larger than the limit of {telegram.max_bytes()} bytes"
            )
        parsed = telegram.from_element(root, data)
    except telegram.NotOurs as exc:
        report.lines.append(f"ignored: {exc}")
        return report
    except telegram.TelegramError as exc:
        report.fail(REJECTED, f"rejected: {source}: {exc}")
        return report
    result = telegram_ingest(telegram=parsed, source=source)
    report.results.append(result)
    report.lines.append(result.message)
    return report
