"""Control characters and markup in status messages (issue 10, defects 4 and 5)."""

import pytest
from defusedxml import ElementTree as ET
from rest_framework.authtoken.models import Token

from status_board.models import CurrentStatus, StatusReport
from tests import factories

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
FEEDS = ("/feeds/status.atom", "/board/PUB-EX/feed.atom")


@pytest.fixture
def public_reporter(public_org):
    return factories.user("pub_rep", role="reporter", organization=public_org)


def _summaries(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    root = ET.fromstring(response.content)  # well-formed XML, or this raises
    return [entry.find(f"{ATOM}summary") for entry in root.iter(f"{ATOM}entry")]


def test_a_control_character_already_stored_does_not_break_the_feeds(
    client, report, public_org, public_reporter
):
    report(public_reporter, public_org, "trading", "suspended", message="停止中")
    # Stored before the fix (or by a path that forgot to clean): the feeds must still work.
    StatusReport.objects.update(message="停止\x01中\x0b", message_en="down\x1f")
    for url in FEEDS:
        summaries = _summaries(client, url)
        assert [s.text for s in summaries] == ["停止中"], url


def test_a_control_character_posted_is_never_stored(client, report, public_org, public_reporter):
    report(
        public_reporter,
        public_org,
        "trading",
        "degraded",
        message="一部\x01停止\x00\n続報は\t後ほど",
    )
    stored = StatusReport.objects.get()
    assert stored.message == "一部停止\n続報は\t後ほど"
    assert CurrentStatus.objects.get().message == stored.message
    assert all(_summaries(client, url) for url in FEEDS)


def test_the_api_strips_control_characters(api_client, public_org, public_reporter):
    token = Token.objects.create(user=public_reporter)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api_client.post(
        "/api/v1/status-reports/",
        {
            "organization": "PUB-EX",
            "function": "trading",
            "status": "degraded",
            "message": "a\x07b",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["message"] == "ab"
    assert StatusReport.objects.get().message == "ab"


def test_the_report_form_strips_control_characters(client, login, public_org, public_reporter):
    login(public_reporter)
    response = client.post(
        "/board/PUB-EX/report/",
        {"trading-status": "degraded", "trading-message": "x\x02y", "trading-message_en": ""},
    )
    assert response.status_code in (200, 302)
    assert StatusReport.objects.get().message == "xy"


def test_feed_summaries_are_plain_text_so_markup_stays_text(
    client, report, public_org, public_reporter
):
    markup = '<img src=x onerror="alert(1)"><b>復旧見込み</b>'
    report(public_reporter, public_org, "trading", "degraded", message=markup)
    for url in FEEDS:
        (summary,) = _summaries(client, url)
        assert summary.get("type") == "text", url
        assert summary.text == markup  # the reader shows the characters, never runs them


def test_a_carriage_return_reads_back_from_the_feed_as_stored():
    """Found by the round-trip property: a bare CR came back from the XML as a newline."""
    from common.feeds import PlainTextAtom1Feed

    feed = PlainTextAtom1Feed("t", "http://x/", "d")
    feed.add_item("a\rb", "http://x/1", "c\r\nd <x>&")
    root = ET.fromstring(feed.writeString("utf-8"))
    entry = next(root.iter("{http://www.w3.org/2005/Atom}entry"))
    assert entry.findtext("{http://www.w3.org/2005/Atom}title") == "a\rb"
    assert entry.findtext("{http://www.w3.org/2005/Atom}summary") == "c\r\nd <x>&"
