"""Whatever text a reporter types: never a 500, no control character stored, the rest kept;
and what is stored reads back identically on the page, in the API and in both Atom feeds."""

import pytest
from defusedxml import ElementTree as ET
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings

from common.text import has_control_characters, strip_control_characters
from status_board import services
from status_board.models import StatusReport
from tests import factories
from tests.text_roundtrip import atom_entries, in_page
from tests.text_strategies import typed_text

pytestmark = pytest.mark.django_db

PROPERTY = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def public_reporter(public_org):
    return factories.user("pub_rep", role="reporter", organization=public_org)


@PROPERTY
@given(message=typed_text, message_en=typed_text)
def test_any_message_round_trips_without_its_control_characters(
    client, public_org, public_reporter, message, message_en
):
    try:
        report = services.status_report_create(
            actor=public_reporter,
            organization=public_org,
            entry=services.ReportInput(
                function="trading", status="degraded", message=message, message_en=message_en
            ),
        )
    except ValidationError:
        pytest.fail("no message of this length is refused")
    stored = StatusReport.objects.get(pk=report.pk)
    assert stored.message == strip_control_characters(message).strip()
    assert stored.message_en == strip_control_characters(message_en).strip()
    assert not has_control_characters(stored.message + stored.message_en)
    response = client.get("/board/PUB-EX/feed.atom")
    assert response.status_code == 200
    ET.fromstring(response.content)


@settings(PROPERTY, max_examples=15)
@given(message=typed_text)
def test_what_is_posted_reads_back_identically_everywhere(
    api_client, client, public_org, public_reporter, message
):
    api_client.force_authenticate(public_reporter)
    response = api_client.post(
        "/api/v1/status-reports/",
        {"organization": "PUB-EX", "function": "trading", "status": "degraded", "message": message},
        format="json",
    )
    if "\x00" in message:
        # The API refuses a NUL outright (DRF); every other control character is stripped.
        assert response.status_code == 400 and response.json()["errors"]["message"]
        return
    assert response.status_code == 201, response.content[:300]
    stored = StatusReport.objects.get(pk=response.json()["id"])
    assert not has_control_characters(stored.message)
    assert stored.message == strip_control_characters(message).strip()
    assert response.json()["message"] == stored.message

    history = client.get("/api/v1/status-reports/", {"organization": "PUB-EX"}).json()
    assert history["results"][0]["message"] == stored.message
    page = client.get("/board/PUB-EX/").content.decode()
    if stored.message:
        assert in_page(stored.message, page, multiline=True)
    for url in ("/feeds/status.atom", "/board/PUB-EX/feed.atom"):
        newest = atom_entries(client.get(url))[0]
        assert newest["summary_type"] == "text"
        if stored.message:
            assert newest["summary"] == stored.message, url
