"""Any title and body HQ types into a circular: never a 500, control characters stripped (or
the circular refused when nothing is left, or for a NUL), and the title stored is the one the
page, the API and the public Atom feed give back, character for character."""

import pytest
from hypothesis import given

from bulletin.models import Circular
from common.text import has_control_characters, strip_control_characters
from tests.text_roundtrip import atom_entries, in_page
from tests.text_strategies import property_settings, typed_text

pytestmark = pytest.mark.django_db

PROPERTY = property_settings(15)


@PROPERTY
@given(title=typed_text, body=typed_text)
def test_a_circular_reads_back_identically_in_page_api_and_feed(
    api_client, client, hq_user, title, body
):
    api_client.force_authenticate(hq_user)
    response = api_client.post(
        "/api/v1/circulars/",
        {"title_ja": title, "body_ja": body, "category": "general", "audience": "public"},
        format="json",
    )
    if (
        "\x00" in title + body
        or not strip_control_characters(title).strip()
        or not strip_control_characters(body).strip()
    ):
        # A NUL is refused by the API; other controls are stripped, and nothing left is refused.
        assert response.status_code == 400, response.content[:300]
        assert response.json()["message"]
        return
    assert response.status_code == 201, response.content[:300]
    number = response.json()["number"]
    stored = Circular.objects.get(number=number)
    assert not has_control_characters(stored.title_ja + stored.body_ja + stored.body_html_ja)
    assert stored.title_ja == strip_control_characters(title).strip()

    assert client.get(f"/api/v1/circulars/{number}/").json()["title_ja"] == stored.title_ja
    assert in_page(stored.title_ja, client.get(f"/circulars/{number}/").content.decode())
    entry = atom_entries(client.get("/circulars/feed/"))[0]
    assert entry["title"] == f"{number} {stored.title_ja}"
