"""Building the board's bundle: every cached public representation from one read.

The public page in Japanese and English (with the board fragment that per-user pages embed and
the notice shown when the copy is stale) and the board JSON for the public and for members.
``status_board.snapshots`` keeps the bundle (Redis, memory, file) and decides when to build.
"""

from __future__ import annotations

import gc
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

from . import selectors
from .board_html import PublicBoardHTML, Times

LANGUAGES = ("ja", "en")
STALE_MARK = "<!--board-stale-->"


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


def _organization_json(row, iso) -> str:
    org = row.organization
    data = {
        "code": org.code,
        "name_ja": org.name_ja,
        "name_en": org.name_en,
        "kind": org.kind,
        "functions": [
            {
                "function": cell.function.code,
                "status": cell.status,
                "message": cell.message,
                "reported_at": iso(cell.reported_at),
                "expected_recovery_at": iso(cell.expected_recovery_at),
            }
            for cell in row.cells
        ],
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _board_json(organizations: list[str], generated_at: datetime, times: Times) -> bytes:
    # Byte for byte json.dumps of the whole board, joined from the organizations' pieces.
    head = json.dumps(
        {"generated_at": times.iso(generated_at)}, ensure_ascii=False, separators=(",", ":")
    )
    return f'{head[:-1]},"organizations":[{",".join(organizations)}]}}'.encode()


def board_json(rows, generated_at: datetime) -> bytes:
    times = Times()
    return _board_json([_organization_json(r, times.iso) for r in rows], generated_at, times)


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


def build(*, data_version: int = 0) -> Bundle:
    # The build makes some hundred thousand short-lived objects at market scale: collecting
    # them over and over while they are alive would cost more than the build (issue 16).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _build(data_version)
    finally:
        if collecting:
            gc.enable()


def _build(data_version: int) -> Bundle:
    generated_at = timezone.now()
    times = Times()  # each time shown is formatted once for the whole bundle
    # One read for both audiences; the public rows are the public organizations of it.
    member_rows = selectors.board_rows(everything=True)
    public_rows = [r for r in member_rows if r.organization.is_public]
    pieces = {id(r): _organization_json(r, times.iso) for r in member_rows}
    variants: dict[str, Variant] = {}
    for key, rows in (("json:public", public_rows), ("json:members", member_rows)):
        body = _board_json([pieces[id(r)] for r in rows], generated_at, times)
        variants[key] = Variant(body=body, etag=_etag(body), content_type="application/json")
    activations = selectors.activations_active(public_only=True)
    counts = selectors.counts_by_status(public_rows)
    for language in LANGUAGES:
        with translation.override(language):
            request = _anonymous_request(language)
            html = PublicBoardHTML(times).content(public_rows)
            context = {
                "rows": public_rows,
                "counts": counts,
                "generated_at": generated_at,
                "activations": activations,
                **{name: mark_safe(value) for name, value in html.items()},  # noqa: S308
            }
            fragment = render_to_string(
                "status_board/_board_public_content.html", context, request=request
            )
            notice = render_to_string(
                "status_board/_stale_notice.html", {"generated_at": generated_at}
            )
            page = render_to_string(
                "status_board/board_public.html",
                {"board_html": fragment, "cached_page": True},
                request=request,
            )
        body = page.encode()
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
