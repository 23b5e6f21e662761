"""Markdown bodies are rendered and sanitized: known XSS payloads come out harmless."""

import re

import pytest

from bulletin.rendering import render_markdown

from .conftest import publish

PAYLOADS = [
    "<script>alert('xss')</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<img src="javascript:alert(1)">',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="&#x6A;avascript:alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<div style="position:fixed;top:0">overlay</div>',
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="data:text/html,<script>alert(1)</script>">d</a>',
    '<iframe src="https://evil.example"></iframe>',
    '<object data="x.swf"></object>',
    '<body onload="alert(1)">',
    '<a href="https://ok.example" onclick="alert(1)">ok</a>',
    '<details open ontoggle="alert(1)">',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<a href="vbscript:msgbox(1)">vb</a>',
    "<!--<img src=x onerror=alert(1)>-->",
]

DANGER = re.compile(
    r"<script|<svg|<iframe|<object|<img|<style|<form|<meta|<math|\son\w+\s*=|style\s*=|"
    r"javascript:|vbscript:|data:",
    re.IGNORECASE,
)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_lose_everything_dangerous(payload):
    html = render_markdown(f"前文\n\n{payload}\n\n後文")
    assert not DANGER.search(html), html
    assert "前文" in html  # the text before survives (an unclosed <math> may eat the rest)


def test_only_http_https_and_mailto_links_survive():
    html = render_markdown(
        "[a](https://www.jsda.or.jp/) [b](http://example.test/) [c](mailto:bcp@example.test) "
        "[d](ftp://example.test/) [e](tel:0312345678)"
    )
    assert 'href="https://www.jsda.or.jp/"' in html
    assert 'href="http://example.test/"' in html
    assert 'href="mailto:bcp@example.test"' in html
    assert "ftp:" not in html and "tel:" not in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_markdown_still_renders_documents():
    html = render_markdown("## 対応\n\n1. 一\n2. 二\n\n| 市場 | 状況 |\n|---|---|\n| 東証 | 通常 |")
    assert "<h2>対応</h2>" in html
    assert "<ol>" in html and "<table>" in html


@pytest.mark.django_db
def test_the_page_and_the_api_serve_only_the_sanitized_body(client, hq_user):
    circular = publish(
        hq_user,
        title_ja="<script>alert('title')</script>",
        body_ja="\n\n".join(PAYLOADS),
        body_en="<img src=x onerror=alert(2)> English",
    )
    page = client.get(f"/circulars/{circular.number}/").content.decode()
    main = page.split('<main id="main">')[1].split("</main>")[0]
    assert not re.search(r"<script|\sonerror=|\sonload=|javascript:", main, re.IGNORECASE)
    assert "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;" in main
    data = client.get(f"/api/v1/circulars/{circular.number}/").json()
    assert not DANGER.search(data["body_html"])
    assert not DANGER.search(data["body_html_en"])
    feed = client.get("/circulars/feed/").content.decode()
    assert "<script" not in feed and "onerror=" not in feed


def test_control_characters_never_reach_a_circular_or_its_feed(client, hq_user):
    from defusedxml import ElementTree as ET

    circular = publish(hq_user, title_ja="お知\x01らせ", body_ja="本文\x0c\nです\x1f")
    circular.refresh_from_db()
    assert (circular.title_ja, circular.body_ja) == ("お知らせ", "本文\nです")
    # Already stored by an older version: the public feed still answers.
    type(circular).objects.filter(pk=circular.pk).update(title_ja="古い\x01件名")
    response = client.get("/circulars/feed/")
    assert response.status_code == 200
    titles = [
        e.text for e in ET.fromstring(response.content).iter("{http://www.w3.org/2005/Atom}title")
    ]
    assert f"{circular.number} 古い件名" in titles


def test_control_characters_in_a_withdrawal_reason_are_dropped(client, login, hq_user):
    circular = publish(hq_user)
    login(hq_user)
    response = client.post(f"/circulars/{circular.number}/withdraw/", {"reason": "誤\x01配信"})
    assert response.status_code == 302
    circular.refresh_from_db()
    assert circular.withdrawal_reason == "誤配信"
