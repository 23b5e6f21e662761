"""The public board's banner shows segments with BCP active; drills never reach the public."""

from __future__ import annotations

import pytest

from emergency_hq.incidents import decisions, selectors, services

pytestmark = pytest.mark.django_db


def _decide(hq_user, incident, **kwargs):
    kwargs.setdefault("segment", "exchange")
    kwargs.setdefault("action", "activate")
    kwargs.setdefault("rationale", "売買代金シェア50%以上の参加者が発注不能")
    return decisions.decision_record(actor=hq_user, incident=incident, **kwargs)


def test_an_activation_shows_on_the_public_board_and_goes_when_deactivated(
    client,
    hq_user,
    market,
    django_capture_on_commit_callbacks,
):
    incident = services.incident_open(
        actor=hq_user, title="首都直下地震", kind="earthquake", severity=4
    )
    assert "BCP発動" not in client.get("/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        _decide(hq_user, incident)
    page = client.get("/").content.decode()
    assert "BCP発動" in page
    assert "取引所取引" in page
    with django_capture_on_commit_callbacks(execute=True):
        _decide(hq_user, incident, action="deactivate", rationale="復旧")
    assert "BCP発動" not in client.get("/").content.decode()


def test_a_drill_stays_off_every_public_page(
    client,
    api_client,
    hq_user,
    reporter_a,
    market,
    django_capture_on_commit_callbacks,
):
    drill = services.incident_open(
        actor=hq_user, title="共同演習", kind="earthquake", severity=4, is_drill=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        decision = _decide(hq_user, drill)
    # Marked as drill everywhere.
    assert decision.is_drill is True
    assert decision.circular.category == "drill"
    assert decision.circular.audience == "members"
    assert decision.circular.title_ja.startswith("【訓練】")
    assert decision.alert.is_drill is True
    assert decision.alert.subject.startswith("【訓練】")
    # Never public: board, banner, circulars (page, API and feed), the "not reported" baseline.
    assert selectors.activations_active(public_only=True) == []
    assert selectors.incident_started_at() is None
    assert "BCP発動" not in client.get("/").content.decode()
    assert decision.circular.number not in client.get("/circulars/").content.decode()
    listing = api_client.get("/api/v1/circulars/").json()
    assert decision.circular.number not in [c["number"] for c in listing["results"]]
    assert client.get(f"/circulars/{decision.circular.number}/").status_code in (302, 404)
    assert decision.circular.title_ja not in client.get("/circulars/feed/").content.decode()
    # Members see the drill circular, marked as such.
    client.force_login(reporter_a)
    page = client.get(f"/circulars/{decision.circular.number}/").content.decode()
    assert "【訓練】" in page


def test_the_members_board_counts_not_reported_from_the_real_incident(hq_user, market):
    assert selectors.incident_started_at() is None
    real = services.incident_open(actor=hq_user, title="停電", kind="power_outage", severity=2)
    assert selectors.incident_started_at() == real.started_at
    services.incident_transition(actor=hq_user, incident=real, to_state="closed")
    assert selectors.incident_started_at() is None


def test_drill_alerts_carry_the_drill_mark_exactly_once(hq_user, market):
    drill = services.incident_open(
        actor=hq_user, title="共同演習", kind="earthquake", severity=4, is_drill=True
    )
    convening = services.hq_convene(
        actor=hq_user, incident=drill, location="本部会議室", participants=[market["TSE"]]
    )
    assert convening.alert.subject_for("ja") == "【訓練】緊急対策本部設置: 共同演習"
    # Without an English title the English subject marks the Japanese one (issue 11).
    assert convening.alert.subject_for("en") == (
        "[DRILL] Emergency HQ convened: 共同演習 (日本語のみ / Japanese only)"
    )
    decision = _decide(hq_user, drill)
    number = decision.circular.number
    assert decision.circular.title_ja == "【訓練】BCP発動: 取引所取引"
    assert decision.circular.title_en == "[DRILL] BCP activation: Exchange trading"
    assert decision.alert.subject_for("ja") == f"【訓練】BCP発動: 取引所取引（通達 {number}）"
    assert decision.alert.subject_for("en") == (
        f"[DRILL] BCP activation: Exchange trading (circular {number})"
    )


def test_real_alerts_carry_no_drill_mark(hq_user, market):
    incident = services.incident_open(
        actor=hq_user, title="首都直下地震", kind="earthquake", severity=4
    )
    decision = _decide(hq_user, incident)
    assert decision.alert.subject_for("ja").startswith("BCP発動: 取引所取引（通達 ")
