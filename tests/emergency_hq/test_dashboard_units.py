"""The dashboard never puts organization counts and function counts side by side unlabelled."""

from __future__ import annotations

import re

import pytest

from tests.emergency_hq.incident_fixtures import report

pytestmark = pytest.mark.django_db

EXPECTED = {
    "ja": ("組織数：", "機能数："),
    "en": ("Organizations:", "Functions:"),
}


def _text(html: str, element_id: str) -> str:
    match = re.search(rf'<p[^>]*id="{element_id}"[^>]*>(.*?)</p>', html, re.S)
    assert match, element_id
    return re.sub(r"<[^>]+>", " ", match.group(1))


@pytest.mark.parametrize("language", ["ja", "en"])
def test_counts_say_whether_they_count_organizations_or_functions(
    client, login, hq_user, incident, market, language
):
    report(market["BIG"], "suspended")
    login(hq_user)
    client.cookies["django_language"] = language
    organizations, functions = EXPECTED[language]
    for path in ("", "situation/"):
        html = client.get(f"/hq/incidents/{incident.pk}/{path}").content.decode()
        assert _text(html, "count-organizations").strip().startswith(organizations), path
        assert _text(html, "count-functions").strip().startswith(functions), path
        # Every segment card labels its function counts too.
        segment_cards = html.count('class="card segment"')
        assert segment_cards and html.count(functions) == segment_cards + 1
    report_page = client.get(f"/hq/incidents/{incident.pk}/report/").content.decode()
    assert organizations in report_page
