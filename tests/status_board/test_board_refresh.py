"""The public board refreshes itself cheaply: its fragment answers 304 while unchanged."""

import html
import re

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def test_the_fragment_costs_a_304_until_the_board_changes(client, public_org, report):
    reporter = factories.user("frag_rep", role="reporter", organization=public_org)
    page = client.get("/").content.decode()
    etag = html.unescape(re.search(r'id="board"[^>]*data-etag="([^"]+)"', page).group(1))
    first = client.get("/board/fragment.html")
    assert first.status_code == 200 and first["ETag"] == etag
    body = first.content.decode()
    assert "公開取引所" in body and "<html" not in body  # the board alone, not the page
    assert client.get("/board/fragment.html", HTTP_IF_NONE_MATCH=etag).status_code == 304
    report(reporter, public_org, "trading", "suspended", message="売買停止中")
    changed = client.get("/board/fragment.html", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert "売買停止中" in changed.content.decode()


def test_the_fragment_speaks_the_readers_language(client, public_org):
    client.cookies["django_language"] = "en"
    assert "Public Exchange" in client.get("/board/fragment.html").content.decode()


def test_the_page_says_how_fresh_it_is_and_refreshes_only_with_javascript(client, public_org):
    page = client.get("/").content.decode()
    assert re.search(r"最終更新 <time datetime=\"[^\"]+\">[\d: -]+</time> JST", page)
    notice = re.search(r'<p class="js-only[^"]*" id="board-refresh" hidden>', page)
    assert notice, "the self-refresh notice must stay hidden without JavaScript"
    assert "<script>" not in page and "onclick" not in page  # static files only (CSP)
    assert "/static/status_board/board-refresh.js" in page
