"""Planning a drill through POST /api/v1/drills/: what is stored, bad input, who may."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from drills.models import Drill, DrillParticipant

pytestmark = pytest.mark.django_db

URL = "/api/v1/drills/"


def _body(**extra):
    body = {
        "title_ja": "共同演習",
        "scenario_ja": "**震度6強**<script>alert(1)</script>",
        "audience": "organizations",
        "organizations": ["FIRM-A", "FIRM-B"],
        "answer_minutes": 30,
    }
    body.update(extra)
    return body


def test_hq_plans_a_drill(api_client, hq_user, firms):
    api_client.force_authenticate(hq_user)
    response = api_client.post(URL, _body(title_en="Joint drill", announced=False), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["state"] == "planned"
    assert data["announced"] is False
    assert [p["code"] for p in data["participants"]] == ["FIRM-A", "FIRM-B"]
    assert "<strong>震度6強</strong>" in data["scenario_html"]
    assert "<script" not in data["scenario_html"]
    assert mail.outbox == []  # unannounced: nobody hears of it before the start


def test_an_announced_drill_tells_the_participants_without_asking_an_answer(
    api_client, hq_user, firms, django_capture_on_commit_callbacks
):
    api_client.force_authenticate(hq_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(URL, _body(announced=True), format="json")
    assert response.status_code == 201
    subjects = {m.subject for m in mail.outbox}
    assert subjects == {"【訓練】共同演習の予告: 共同演習"}
    assert {m.to[0] for m in mail.outbox} == {
        "head.a@example.test",
        "deputy.a@example.test",
        "head.b@example.test",
    }


@pytest.mark.parametrize(
    ("audience", "extra", "expected"),
    [
        ("members", {}, {"FIRM-A", "FIRM-B", "FIRM-C"}),
        ("kinds", {"kinds": ["securities_firm"]}, {"FIRM-A", "FIRM-B", "FIRM-C"}),
        ("organizations", {"organizations": ["firm-c"]}, {"FIRM-C"}),
    ],
)
def test_participants_come_from_the_audience(api_client, hq_user, firms, audience, extra, expected):
    api_client.force_authenticate(hq_user)
    body = _body(audience=audience, organizations=[])
    body.update(extra)
    response = api_client.post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    assert {p["code"] for p in response.json()["participants"]} == expected


def test_committees_and_segments_are_audiences_too(api_client, hq_user, firms):
    from organizations.models import Committee
    from tests.emergency_hq.incident_fixtures import segments

    committee = Committee.objects.order_by("code").first()
    committee.members.add(firms["FIRM-A"])
    segments(firms["FIRM-C"], {"bond": ("10", None)})
    api_client.force_authenticate(hq_user)
    by_committee = api_client.post(
        URL,
        _body(audience="committees", organizations=[], committees=[committee.code]),
        format="json",
    )
    assert by_committee.status_code == 201, by_committee.json()
    assert "FIRM-A" in {p["code"] for p in by_committee.json()["participants"]}
    by_segment = api_client.post(
        URL, _body(audience="segments", organizations=[], segments=["bond"]), format="json"
    )
    assert by_segment.status_code == 201, by_segment.json()
    assert {p["code"] for p in by_segment.json()["participants"]} == {"FIRM-C"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title_ja": ""}, "title_ja"),
        ({"title_ja": "   "}, "title_ja"),
        ({"scenario_ja": ""}, "scenario_ja"),
        ({"organizations": []}, "organizations"),
        ({"organizations": ["NOPE"]}, "organizations"),
        ({"audience": "kinds", "kinds": ["martian"]}, "kinds"),
        ({"audience": "committees", "committees": ["NOPE"]}, "committees"),
        ({"audience": "segments", "segments": ["moon"]}, "segments"),
        ({"audience": "everyone"}, "audience"),
        ({"answer_minutes": 0}, "answer_minutes"),
        ({"answer_minutes": -5}, "answer_minutes"),
        ({"answer_minutes": 7 * 24 * 60 + 1}, "answer_minutes"),
        ({"answer_minutes": "soon"}, "answer_minutes"),
        ({"starts_at": "2020-01-01T09:00:00+09:00"}, "starts_at"),
        ({"severity": 9}, "severity"),
        ({"injects": [{"offset_minutes": -1, "title_ja": "x", "body_ja": "y"}]}, "injects"),
        ({"injects": [{"offset_minutes": 5, "title_ja": "", "body_ja": "y"}]}, "injects"),
        (
            {"injects": [{"offset_minutes": 5, "kind": "fax", "title_ja": "x", "body_ja": "y"}]},
            "injects",
        ),
        (
            {"test_contacts": [{"organization": "FIRM-C", "name": "X", "email": "x@example.test"}]},
            "test_contacts",
        ),
        (
            {"test_contacts": [{"organization": "FIRM-A", "name": "X", "email": "not-an-email"}]},
            "test_contacts",
        ),
        ({"test_contacts": [{"organization": "FIRM-A", "name": "X"}]}, "test_contacts"),
    ],
)
def test_bad_input_is_a_400_by_field_and_stores_nothing(api_client, hq_user, firms, change, field):
    api_client.force_authenticate(hq_user)
    response = api_client.post(URL, _body(**change), format="json")
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["message"]
    assert field in body["errors"], body
    assert Drill.objects.count() == 0
    assert DrillParticipant.objects.count() == 0


def test_the_longest_window_and_a_future_start_are_fine(api_client, hq_user, firms):
    api_client.force_authenticate(hq_user)
    starts = (timezone.now() + timedelta(hours=2)).isoformat()
    response = api_client.post(
        URL, _body(answer_minutes=7 * 24 * 60, starts_at=starts), format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["answer_minutes"] == 10080


def test_injects_and_test_day_contacts_are_stored(api_client, hq_user, firms):
    api_client.force_authenticate(hq_user)
    response = api_client.post(
        URL,
        _body(
            injects=[
                {"offset_minutes": 10, "title_ja": "余震", "body_ja": "震度5強の余震"},
                {"offset_minutes": 0, "kind": "circular", "title_ja": "特別措置", "body_ja": "…"},
            ],
            test_contacts=[
                {"organization": "firm-a", "name": "当日 花子", "email": "hanako@example.test"}
            ],
        ),
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert [(i["offset_minutes"], i["kind"]) for i in data["injects"]] == [
        (0, "circular"),
        (10, "alert"),
    ]
    a = DrillParticipant.objects.get(organization__code="FIRM-A")
    assert (a.test_contact_name, a.test_contact_email) == ("当日 花子", "hanako@example.test")


@pytest.mark.parametrize("role_user", ["regulator_user", "reporter_a", "admin_user", "viewer_a"])
def test_only_hq_staff_plan(api_client, firms, role_user, request):
    api_client.force_authenticate(request.getfixturevalue(role_user))
    assert api_client.post(URL, _body(), format="json").status_code == 403
    assert Drill.objects.count() == 0


def test_anonymous_visitors_get_a_401(api_client, firms):
    assert api_client.post(URL, _body(), format="json").status_code == 401
    assert api_client.get(URL).status_code == 401
    assert api_client.get(f"{URL}1/results/").status_code == 401
