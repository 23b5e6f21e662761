"""Any text HQ types into an incident or a decision through the API: a 201 or a 400 with a
message, never a 500; no control character stored; the API gives back what was stored."""

import pytest
from hypothesis import given

from common.text import has_control_characters, strip_control_characters
from emergency_hq.models import ActivationDecision, Incident
from tests.text_strategies import property_settings, typed_text

pytestmark = pytest.mark.django_db

PROPERTY = property_settings(10)


@PROPERTY
@given(title=typed_text, description=typed_text, rationale=typed_text)
def test_incident_and_decision_text_is_stored_clean_and_read_back(
    api_client, hq_user, title, description, rationale
):
    api_client.force_authenticate(hq_user)
    response = api_client.post(
        "/api/v1/incidents/",
        {"title": title, "kind": "other", "severity": 1, "description": description},
        format="json",
    )
    if "\x00" in title + description or not strip_control_characters(title).strip():
        assert response.status_code == 400 and response.json()["message"]
        return
    assert response.status_code == 201, response.content[:300]
    incident = Incident.objects.get(pk=response.json()["id"])
    assert not has_control_characters(incident.title + incident.description)
    assert incident.title == strip_control_characters(title).strip()
    read = api_client.get(f"/api/v1/incidents/{incident.pk}/").json()
    assert (read["title"], read["description"]) == (incident.title, incident.description)

    decided = api_client.post(
        f"/api/v1/incidents/{incident.pk}/decisions/",
        {"segment": "exchange", "action": "activate", "rationale": rationale},
        format="json",
    )
    if "\x00" in rationale:
        assert decided.status_code == 400 and decided.json()["message"]
        return
    assert decided.status_code in (201, 400), decided.content[:300]
    if decided.status_code == 400:
        assert decided.json()["message"]
        return
    decision = ActivationDecision.objects.get(pk=decided.json()["id"])
    assert not has_control_characters(decision.rationale)
    assert decided.json()["rationale"] == decision.rationale
