"""The ack page and the members' inbox render an alert's Markdown as circulars do (issue 11)."""

from __future__ import annotations

import pytest
from django.utils import translation

from .conftest import ack_tokens

pytestmark = pytest.mark.django_db(transaction=True)

BODY = (
    "### 判断理由\n\n**震度6強**を観測しました。\n"
    "詳細は https://bcp.example/circulars/2026-007/ を参照。\n"
    '<script>alert(1)</script><a href="javascript:alert(2)">x</a>'
)


@pytest.fixture(autouse=True)
def _language_back():
    """An English request leaves English active in this thread: later tests expect Japanese."""
    yield
    translation.activate("ja")


@pytest.fixture
def alert_a(send, org_a, tree_a):
    return send([org_a], body_ja=BODY, body_en="**Read** https://bcp.example/en/")


def _checked(page: str, heading: str) -> None:
    # The body's top heading sits one level under the page's heading above it.
    assert f"<{heading}>判断理由</{heading}>" in page and "<strong>震度6強</strong>" in page
    assert "### 判断理由" not in page and "**震度6強**" not in page
    assert '<a href="https://bcp.example/circulars/2026-007/"' in page  # clickable
    assert "<script>alert(1)" not in page and "javascript:alert(2)" not in page


def test_the_ack_page_renders_the_body_as_markdown(client, alert_a):
    token = ack_tokens()["head.a@example.test"]
    _checked(client.get(f"/ack/{token}/").content.decode(), "h2")  # under the page's h1


def test_the_members_inbox_renders_the_body_as_markdown(client, login, reporter_a, alert_a):
    login(reporter_a)
    _checked(client.get("/ack/").content.decode(), "h3")  # under the alert's h2
    client.cookies["django_language"] = "en"
    page = client.get("/ack/").content.decode()
    assert "<strong>Read</strong>" in page and '<a href="https://bcp.example/en/"' in page
