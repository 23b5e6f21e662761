"""Building the board's bundle: every cached public representation from one read.

The public page in Japanese and English (with the board fragment that per-user pages embed and
the notice shown when the copy is stale) and the board JSON for the public and for members.
``status_board.snapshots`` keeps the bundle (Redis, memory, file) and decides when to build.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone, translation
from django.utils.http import http_date
from django.utils.safestring import mark_safe

from common.gc_pause import cycle_collector_paused

from . import selectors
from .board_html import BoardHTML, Times

LANGUAGES = ("ja", "en")
STALE_MARK = "<!--board-stale-->"
_FRAGMENT_MARK = "<!--board-fragment-->"


@dataclass
class Variant:
    body: bytes
    etag: str
    content_type: str
    # HTML only: the board fragment for pages rendered per user, and the stale notice.
    fragment: str = ""
    stale_notice: str = ""


@dataclass
class Bundle:
    id: str
    data_version: int
    generated_at: datetime
    variants: dict[str, Variant] = field(default_factory=dict)
    last_modified_http: str = ""
    # Built or stored while Redis was unreachable: Redis does not know this data.
    offline: bool = False

    @property
    def order(self) -> tuple[int, datetime]:
        return self.data_version, self.generated_at


def _etag(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def fragment_etag(fragment: str) -> str:
    """The validator of the board fragment the public page polls (``board_fragment``)."""
    return _etag(fragment.encode())


def _organization_json(row, iso) -> str:
    """The organization's entry as json.dumps writes it, byte for byte, written out directly
    (about 3 times faster than a dict per function: this is done for every organization)."""
    org = row.organization
    cells = []
    for cell in row.cells:
        reported, expected, confirmed = (
            iso(cell.reported_at),
            iso(cell.expected_recovery_at),
            iso(cell.confirmed_at),
        )
        cells.append(
            f'{{"function":{_text(cell.function.code)},"status":{_text(cell.status)},'
            f'"message":{_text(cell.message)},"message_en":{_text(cell.message_en)},'
            f'"reported_at":{_text(reported) if reported else "null"},'
            f'"expected_recovery_at":{_text(expected) if expected else "null"},'
            f'"confirmed_at":{_text(confirmed) if confirmed else "null"}}}'
        )
    return (
        f'{{"code":{_text(org.code)},"name_ja":{_text(org.name_ja)},'
        f'"name_en":{_text(org.name_en)},"kind":{_text(org.kind)},'
        f'"functions":[{",".join(cells)}]}}'
    )


# A string as json.dumps(ensure_ascii=False) writes it.
_text = json.encoder.encode_basestring


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _board_json(organizations: list[str], generated_at: datetime, times, activations) -> bytes:
    # Byte for byte json.dumps of the whole board, joined from each organization's piece
    # (made once for both audiences).
    head = _dumps(
        {
            "generated_at": times.iso(generated_at),
            # The BCP activations in force (the banner), each with its titles and circular.
            "activations": [a.as_dict() for a in activations],
        }
    )
    return f'{head[:-1]},"organizations":[{",".join(organizations)}]}}'.encode()


def board_json(rows, generated_at: datetime, activations=()) -> bytes:
    times = Times()
    pieces = [_organization_json(row, times.iso) for row in rows]
    return _board_json(pieces, generated_at, times, activations)


def _anonymous_request(language: str):
    request = RequestFactory().get("/", HTTP_HOST=_host())
    request.user = AnonymousUser()
    request.LANGUAGE_CODE = language
    return request


def _host() -> str:
    host = urlsplit(settings.SITE_URL).netloc or "localhost"
    allowed = settings.ALLOWED_HOSTS
    if "*" in allowed or host.split(":")[0] in allowed:
        return host
    return allowed[0].lstrip(".") if allowed else "localhost"


# Tens of thousands of short-lived objects per build (no cycles): with the cycle collector
# on, its full passes over the whole process cost a third of the build.
@cycle_collector_paused()
def build(*, data_version: int = 0) -> Bundle:
    generated_at = timezone.now()
    times = Times()  # each moment shown is formatted once for the whole bundle
    # One read for both audiences; the public rows are the public organizations of it.
    member_rows = selectors.board_rows(everything=True)
    public_rows = [r for r in member_rows if r.organization.is_public]
    pieces = {id(r): _organization_json(r, times.iso) for r in member_rows}
    variants: dict[str, Variant] = {}
    activations = selectors.activations_active(public_only=True)
    members_activations = selectors.activations_active(public_only=False)
    for key, rows, shown in (
        ("json:public", public_rows, activations),
        ("json:members", member_rows, members_activations),
    ):
        body = _board_json([pieces[id(r)] for r in rows], generated_at, times, shown)
        variants[key] = Variant(body=body, etag=_etag(body), content_type="application/json")
    counts = selectors.counts_by_status(public_rows)
    for language in LANGUAGES:
        with translation.override(language):
            html = BoardHTML(times)
            fragment = html.fragment(public_rows, counts, generated_at, activations, STALE_MARK)
            notice = html.stale_notice(generated_at)
            encoded = fragment.encode()
            # The page around a mark, the fragment put in as bytes: the 700 kB are neither
            # copied through the template nor encoded twice.
            head, tail = render_to_string(
                "status_board/board_public.html",
                {
                    "board_html": mark_safe(_FRAGMENT_MARK),  # noqa: S308 — a constant
                    "cached_page": True,
                    "fragment_etag": _etag(encoded),
                    "board_refresh_seconds": settings.BOARD_REFRESH_SECONDS,
                },
                request=_anonymous_request(language),
            ).split(_FRAGMENT_MARK)
        body = head.encode() + encoded + tail.encode()
        variants[f"html:{language}"] = Variant(
            body=body,
            etag=_etag(body),
            content_type="text/html; charset=utf-8",
            fragment=fragment,
            stale_notice=notice,
        )
    return Bundle(
        id=uuid.uuid4().hex,
        data_version=data_version,
        generated_at=generated_at,
        variants=variants,
        last_modified_http=http_date(int(generated_at.timestamp())),
    )
