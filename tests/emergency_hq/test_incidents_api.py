"""GET/POST /api/v1/incidents/: members read, HQ staff open; states move only as allowed."""

from __future__ import annotations

import pytest

from emergency_hq.incidents import services
from emergency_hq.models import Incident, IncidentTransition
from tests import factories

pytestmark = pytest.mark.django_db


URL = "/api/v1/incidents/"
QUAKE = {"title": "首都直下地震", "kind": "earthquake", "severity": 4, "is_drill": False}


def _as(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def test_anonymous_visitors_get_401(api_client):
    assert api_client.get(URL).status_code == 401
    response = api_client.post(URL, QUAKE, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")
    assert Incident.objects.count() == 0


def test_hq_staff_open_an_incident(api_client, hq_user):
    response = _as(api_client, hq_user).post(
        URL, {**QUAKE, "description": "M7.3, 23区で震度6強"}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "monitoring"
    assert body["started_at"]
    assert body["is_drill"] is False
    assert body["opened_by"] == "hq"
    incident = Incident.objects.get(pk=body["id"])
    assert incident.description == "M7.3, 23区で震度6強"
    # The opening is attributed: the history and the first state change name the actor.
    assert incident.history.first().history_user == hq_user
    assert IncidentTransition.objects.get(incident=incident).by == hq_user


def test_members_read_but_only_hq_staff_write(api_client, hq_user, reporter_a, regulator_user):
    services.incident_open(actor=hq_user, title="停電", kind="power_outage", severity=2)
    for reader in (reporter_a, regulator_user):
        client = _as(api_client, reader)
        listing = client.get(URL)
        assert listing.status_code == 200
        assert listing.json()["count"] == 1
        assert listing.json()["results"][0]["kind"] == "power_outage"
        denied = client.post(URL, QUAKE, format="json")
        assert denied.status_code == 403
        assert denied.json()["message"]
    assert Incident.objects.count() == 1


def test_a_user_without_any_role_cannot_read(api_client):
    nobody = factories.user("nobody")
    assert _as(api_client, nobody).get(URL).status_code == 403


@pytest.mark.parametrize(
    "change, field",
    [
        ({"kind": "meteor"}, "kind"),
        ({"severity": 5}, "severity"),
        ({"severity": 0}, "severity"),
        ({"title": ""}, "title"),
        ({"severity": "high"}, "severity"),
    ],
)
def test_bad_input_gets_a_400_with_a_message(api_client, hq_user, change, field):
    response = _as(api_client, hq_user).post(URL, {**QUAKE, **change}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert field in body["errors"]
    assert body["message"]
    assert Incident.objects.count() == 0


def test_states_move_along_the_allowed_path_only(api_client, hq_user):
    client = _as(api_client, hq_user)
    incident_id = client.post(URL, QUAKE, format="json").json()["id"]
    step = f"{URL}{incident_id}/transitions/"
    refused = client.post(step, {"state": "bcp_active"}, format="json")
    assert refused.status_code == 400
    assert "state" in refused.json()["errors"]
    unknown = client.post(step, {"state": "panic"}, format="json")
    assert unknown.status_code == 400
    assert client.post(step, {"state": "hq_convened"}, format="json").json()["state"] == (
        "hq_convened"
    )
    assert client.post(step, {"state": "monitoring"}, format="json").status_code == 400
    closed = client.post(step, {"state": "closed", "note": "誤報"}, format="json")
    assert closed.status_code == 200
    assert closed.json()["closed_at"]
    assert client.post(step, {"state": "monitoring"}, format="json").status_code == 400
    moves = list(
        IncidentTransition.objects.filter(incident_id=incident_id).values_list(
            "from_state", "to_state", "by__username"
        )
    )
    assert moves == [
        ("", "monitoring", "hq"),
        ("monitoring", "hq_convened", "hq"),
        ("hq_convened", "closed", "hq"),
    ]


def test_only_hq_staff_change_states(api_client, hq_user, regulator_user):
    incident = services.incident_open(
        actor=hq_user, title="障害", kind="system_failure", severity=3
    )
    response = _as(api_client, regulator_user).post(
        f"{URL}{incident.pk}/transitions/", {"state": "hq_convened"}, format="json"
    )
    assert response.status_code == 403
    incident.refresh_from_db()
    assert incident.state == "monitoring"


def test_convening_alerts_the_participating_institutions(api_client, hq_user, market):
    from alerts.models import Alert

    client = _as(api_client, hq_user)
    incident_id = client.post(URL, QUAKE, format="json").json()["id"]
    response = client.post(
        f"{URL}{incident_id}/convene/",
        {
            "location": "日本証券業協会 本部",
            "alternate_location": "大阪事務所",
            "conference_bridge": "+81-3-0000-0000 #1234",
            "participants": ["TSE", "JSCC", "jasdec"],
            "members": [
                {"role": "chief", "name": "本部長 山田"},
                {"role": "liaison", "name": "連絡 佐藤", "organization": "TSE"},
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["incident"]["state"] == "hq_convened"
    assert body["participants"] == ["JASDEC", "JSCC", "TSE"]
    alert = Alert.objects.get(pk=body["alert"])
    assert sorted(alert.targets.values_list("organization__code", flat=True)) == [
        "JASDEC",
        "JSCC",
        "TSE",
    ]
    assert "大阪事務所" in alert.body_ja


def test_convening_refuses_unknown_institutions_and_closed_incidents(api_client, hq_user):
    client = _as(api_client, hq_user)
    incident_id = client.post(URL, QUAKE, format="json").json()["id"]
    unknown = client.post(
        f"{URL}{incident_id}/convene/",
        {"location": "本部", "participants": ["NOPE"]},
        format="json",
    )
    assert unknown.status_code == 400
    assert "NOPE" in unknown.json()["message"]
    client.post(f"{URL}{incident_id}/transitions/", {"state": "closed"}, format="json")
    closed = client.post(f"{URL}{incident_id}/convene/", {"location": "本部"}, format="json")
    assert closed.status_code == 400


def test_drills_are_marked_as_drill(api_client, hq_user):
    response = _as(api_client, hq_user).post(
        URL, {**QUAKE, "title": "共同演習", "is_drill": True}, format="json"
    )
    assert response.json()["is_drill"] is True
    assert str(Incident.objects.get()) == "【訓練】共同演習"


def test_control_characters_in_incident_text_are_dropped(api_client, hq_user):
    api_client.force_authenticate(hq_user)
    response = api_client.post(
        "/api/v1/incidents/",
        {"title": "震度6\x01強", "kind": "earthquake", "severity": 4, "description": "a\x02\tb"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert (response.json()["title"], response.json()["description"]) == ("震度6強", "a\tb")
