"""A circular's page reads in order for a screen reader: the body's headings sit under the
page's title without a skipped level, on the circular and on its revision history."""

import pytest

from bulletin import services
from common.markdown import nest_headings, render_markdown
from tests.bcpweb.structure_scan import structure_problems

from .conftest import publish

pytestmark = pytest.mark.django_db

BODY = "## 状況\n\n本社停電。\n\n#### 判断理由\n\n売買停止。\n\n# 連絡先\n\n事務局"


def _headings(html: str) -> list[str]:
    return [p for p in structure_problems(html) if p.startswith("h")]


def test_the_body_headings_follow_the_page_title_without_a_gap(client, hq_user):
    circular = publish(hq_user, body_ja=BODY)
    html = client.get(f"/circulars/{circular.number}/").content.decode()
    assert _headings(html) == []
    assert "<h2>状況</h2>" in html and "<h3>判断理由</h3>" in html and "<h2>連絡先</h2>" in html
    # What was stored (and what the API returns) is the body as written.
    assert "<h4>判断理由</h4>" in circular.body_html_ja


def test_the_revision_history_has_no_skipped_heading(client, hq_user):
    circular = publish(hq_user, body_ja=BODY)
    services.circular_revise(
        actor=hq_user, circular=circular, changes={"body_ja": BODY + "\n\n追記"}, note="追記"
    )
    html = client.get(f"/circulars/{circular.number}/history/").content.decode()
    assert _headings(html) == []
    assert '<h2 class="revision">' in html


def test_nest_headings_moves_the_top_heading_under_the_given_level():
    html = render_markdown("### a\n\n###### b\n\n### c")
    assert nest_headings(html, 1) == "<h2>a</h2>\n<h3>b</h3>\n<h2>c</h2>"
    assert nest_headings(html, 2) == "<h3>a</h3>\n<h4>b</h4>\n<h3>c</h3>"
    assert nest_headings("<p>no heading</p>", 1) == "<p>no heading</p>"
