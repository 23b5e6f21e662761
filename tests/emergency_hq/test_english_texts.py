"""What the HQ writes in English reaches English readers; without it, the Japanese is marked.

Incident title and description, the HQ's location and a decision's rationale each have an
optional English text (``*_en``): English pages, circulars, e-mails, the banner and the board
JSON use it, and fall back visibly to the Japanese with "(日本語のみ / Japanese only)".
"""

from __future__ import annotations

import pytest

from common.marks import JAPANESE_ONLY
from emergency_hq.incidents import decisions, services
from tests.emergency_hq.incident_fixtures import bilingual_incident

pytestmark = pytest.mark.django_db


@pytest.fixture
def bilingual(hq_user, market):
    return bilingual_incident(hq_user)


def _decide(hq_user, incident, **kwargs):
    kwargs.setdefault("segment", "exchange")
    kwargs.setdefault("action", "activate")
    kwargs.setdefault("rationale", "売買代金シェア50%以上の参加者が発注不能")
    return decisions.decision_record(actor=hq_user, incident=incident, **kwargs)


def _english(client):
    client.cookies["django_language"] = "en"
    return client


def test_english_pages_show_the_english_title_description_and_rationale(
    client, login, hq_user, bilingual
):
    decision = _decide(hq_user, bilingual, rationale_en="Half the trading value cannot order")
    login(hq_user)
    page = _english(client).get(f"/hq/incidents/{bilingual.pk}/").content.decode()
    assert "Tokyo Inland Earthquake" in page and "首都直下地震" not in page
    assert "Intensity 6 upper in southern central Tokyo" in page
    page = client.get(f"/hq/incidents/{bilingual.pk}/decisions/{decision.pk}/").content.decode()
    assert "Half the trading value cannot order" in page
    report = client.get(f"/hq/incidents/{bilingual.pk}/report/").content.decode()
    assert "Tokyo Inland Earthquake" in report and "Half the trading value" in report


def test_without_english_the_japanese_is_shown_with_a_marker(client, login, hq_user, incident):
    login(hq_user)
    page = _english(client).get(f"/hq/incidents/{incident.pk}/").content.decode()
    assert f"首都直下地震 {JAPANESE_ONLY}" in page
    client.cookies["django_language"] = "ja"
    assert JAPANESE_ONLY not in client.get(f"/hq/incidents/{incident.pk}/").content.decode()


def test_the_decision_circular_and_alert_carry_the_english_texts(hq_user, bilingual):
    decision = _decide(hq_user, bilingual, rationale_en="Half the trading value cannot order")
    circular = decision.circular
    assert "Tokyo Inland Earthquake" in circular.body_en
    assert "Half the trading value cannot order" in circular.body_en
    assert "首都直下地震" in circular.body_ja and "売買代金シェア" in circular.body_ja
    assert "Half the trading value cannot order" in decision.alert.body_en
    # Without an English rationale the English circular marks the Japanese one.
    other = _decide(hq_user, bilingual, segment="bond")
    assert f"売買代金シェア50%以上の参加者が発注不能 {JAPANESE_ONLY}" in other.circular.body_en


def test_the_convening_alert_in_english_uses_the_english_title_and_location(
    hq_user, bilingual, market
):
    from organizations.models import Organization

    participants = list(Organization.objects.exclude(kind__in=["securities_firm", "bank"]))
    convening = services.hq_convene(
        actor=hq_user,
        incident=bilingual,
        location="日本証券業協会 本部会議室",
        location_en="JSDA head office, meeting room",
        participants=participants,
    )
    assert "JSDA head office, meeting room" in convening.alert.body_en
    assert "Tokyo Inland Earthquake" in convening.alert.subject_en
    assert "日本証券業協会 本部会議室" in convening.alert.body_ja


def test_the_api_reads_and_writes_the_english_fields(api_client, hq_user, market):
    api_client.force_authenticate(hq_user)
    created = api_client.post(
        "/api/v1/incidents/",
        {
            "title": "大規模停電",
            "title_en": "Major power outage",
            "description_en": "Kanto-wide",
            "kind": "power_outage",
            "severity": 3,
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["title_en"] == "Major power outage"
    assert created.json()["description_en"] == "Kanto-wide"
    incident_id = created.json()["id"]
    decided = api_client.post(
        f"/api/v1/incidents/{incident_id}/decisions/",
        {"segment": "otc", "action": "activate", "rationale": "停電", "rationale_en": "Outage"},
        format="json",
    )
    assert decided.status_code == 201, decided.content
    assert decided.json()["rationale_en"] == "Outage"
    # Additive: the Japanese fields are still there and the English ones optional.
    plain = api_client.post(
        "/api/v1/incidents/",
        {"title": "通信障害", "kind": "system_failure", "severity": 2},
        format="json",
    )
    assert plain.status_code == 201 and plain.json()["title_en"] == ""


def test_the_public_banner_links_the_circular_with_the_english_title(
    client, hq_user, bilingual, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        decision = _decide(hq_user, bilingual)
    number = decision.circular.number
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Tokyo Inland Earthquake" in english
    assert f'href="/circulars/{number}/"' in english
    japanese = client.get("/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "首都直下地震" in japanese and f'href="/circulars/{number}/"' in japanese


def test_the_board_json_has_message_en_and_the_activation_banner(
    client, hq_user, bilingual, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        decision = _decide(hq_user, bilingual)
    data = client.get("/api/v1/board/").json()
    functions = [f for o in data["organizations"] for f in o["functions"]]
    assert functions and all("message_en" in f for f in functions)
    (activation,) = data["activations"]
    assert activation["segment"] == "exchange"
    assert activation["incident_title_en"] == "Tokyo Inland Earthquake"
    assert activation["incident_title_ja"] == "首都直下地震"
    assert activation["circular"] == decision.circular.number


def test_the_japanese_circular_of_a_decision_says_criteria_in_japanese(hq_user, bilingual):
    decision = _decide(hq_user, bilingual, criteria=["tse-halt-order-routing"])
    assert "### 発動基準" in decision.circular.body_ja
    assert "Criteria" not in decision.circular.body_ja
    assert "### Criteria" in decision.circular.body_en


def test_english_labels_of_the_alert_form_start_with_a_capital(client, login, hq_user):
    login(hq_user)
    page = _english(client).get("/hq/alerts/new/").content.decode()
    assert "Subject (English)" in page and "Answer by" in page
    assert ">subject (English)" not in page
