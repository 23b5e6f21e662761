"""What a telegram does: open, update, escalate, correct, withdraw; drills, tests, aftershocks."""

from __future__ import annotations

import logging

import pytest
from django.core import mail
from django.test import override_settings

from alerts.models import Alert
from emergency_hq.incidents import services as incident_services
from emergency_hq.models import (
    CriterionMark,
    Incident,
    ManualDeclaration,
    QuakeEvent,
    QuakeTelegram,
    ReportRequest,
)
from tests.emergency_hq.quake.helpers import ingest, sample

pytestmark = pytest.mark.django_db


@pytest.fixture
def feed(django_capture_on_commit_callbacks):
    """Ingest a sample and run what waits for the commit (alerts' e-mails, requests)."""

    def _feed(name, data=None):
        with django_capture_on_commit_callbacks(execute=True):
            return ingest(name, data)

    return _feed


def _subjects_to(address: str) -> list[str]:
    return [m.subject for m in mail.outbox if address in m.to]


def _requested() -> dict[str, ReportRequest]:
    return {r.organization.code: r for r in ReportRequest.objects.select_related("organization")}


def _seismic(client, login, hq_user, incident) -> dict:
    login(hq_user)
    data = client.get(f"/api/v1/incidents/{incident.pk}/situation/").json()
    return next(c for c in data["criteria"] if c["code"] == "seismic-tokyo-6-lower")


def test_a_strong_tokyo_quake_opens_a_real_monitoring_incident(
    quake_market, feed, client, login, reporter_tokyo
):
    result = feed("vxse51_tokyo_6lower")
    incident = Incident.objects.get()
    assert result.outcome == "opened" and result.incident == incident
    assert (incident.kind, incident.state, incident.is_drill) == ("earthquake", "monitoring", False)
    assert incident.title == "地震 震度６弱 東京都２３区ほか"
    assert incident.severity == 3
    assert incident.started_at.isoformat() == "2026-11-20T00:35:00+00:00"
    assert "東京都多摩東部" not in incident.region  # no member sits there
    assert "千葉県北西部" in incident.region
    login(reporter_tokyo)
    listed = client.get("/api/v1/incidents/").json()["results"]
    assert [(i["kind"], i["is_drill"], i["state"]) for i in listed] == [
        ("earthquake", False, "monitoring")
    ]


def test_the_hq_and_the_regulators_are_alerted(quake_market, feed, hq_user):
    feed("vxse51_tokyo_6lower")
    record = QuakeTelegram.objects.get()
    targets = set(record.hq_alert.targets.values_list("organization__code", flat=True))
    assert targets == {"JSDA", "FSA"}
    assert any("【地震】震度６弱 東京都２３区" in s for s in _subjects_to("head@jsda.example.test"))
    assert _subjects_to("head@fsa.example.test")
    # HQ staff may belong to no organization: their account's address hears directly.
    assert any("インシデントを開きました" in s for s in _subjects_to(hq_user.email))


def test_organizations_with_a_site_in_the_areas_hit_are_asked_to_report(quake_market, feed):
    feed("vxse51_tokyo_6lower")
    requested = _requested()
    assert set(requested) == {"JSDA", "FSA", "TOKYO-A", "TOKYO-B"}
    assert requested["TOKYO-A"].intensity == "6-"
    assert requested["TOKYO-A"].area_codes == ["341", "350"]
    assert all(r.alert_id and r.sent_round == 1 for r in requested.values())
    body = next(m.body for m in mail.outbox if "head@tokyo-a.example.test" in m.to)
    assert "状況報告" in next(m.subject for m in mail.outbox if "head@tokyo-a.example.test" in m.to)
    assert "http://127.0.0.1:8000/board/TOKYO-A/report/" in body
    assert "本社（東京都２３区）: 震度６弱" in body
    assert not _subjects_to("head@osaka-c.example.test")


def test_the_seismic_criterion_is_marked_from_jma_awaiting_the_hq(
    quake_market, feed, client, login, hq_user
):
    feed("vxse51_tokyo_6lower")
    mark = CriterionMark.objects.get()
    assert (mark.criterion.code, mark.state) == ("seismic-tokyo-6-lower", "pending")
    assert "震度６弱 東京都２３区" in mark.evidence
    assert not ManualDeclaration.objects.exists()  # the HQ has declared nothing
    criterion = _seismic(client, login, hq_user, Incident.objects.get())
    assert criterion["met"] is True
    assert criterion["detail"] == {"from_jma": True}


def test_the_same_telegram_twice_does_nothing(quake_market, feed):
    feed("vxse51_tokyo_6lower")
    counts = (Alert.objects.count(), len(mail.outbox), ReportRequest.objects.count())
    again = feed("vxse51_tokyo_6lower")
    assert again.duplicate
    assert (Alert.objects.count(), len(mail.outbox), ReportRequest.objects.count()) == counts
    assert QuakeTelegram.objects.count() == 1 and Incident.objects.count() == 1


def test_vxse53_after_vxse51_updates_the_incident_quietly(quake_market, feed):
    feed("vxse51_tokyo_6lower")
    alerts = Alert.objects.count()
    result = feed("vxse53_tokyo_6lower")
    assert result.outcome == "updated"
    quake = QuakeEvent.objects.get()
    assert quake.hypocentre["name"] == "千葉県北西部"
    assert quake.origin_at.isoformat() == "2026-11-20T00:35:12+00:00"
    assert (quake.authority_kind, quake.authority_serial) == ("VXSE53", 1)
    assert Incident.objects.count() == 1
    assert Alert.objects.count() == alerts  # nothing new to say


def test_a_later_serial_that_raises_the_intensity_escalates(quake_market, feed):
    feed("vxse51_tokyo_6lower")
    feed("vxse53_tokyo_6lower")
    before = len(_subjects_to("head@tokyo-a.example.test"))
    result = feed("vxse53_tokyo_6upper_serial2")
    assert result.outcome == "escalated"
    incident = Incident.objects.get()
    assert incident.title == "地震 震度６強 東京都２３区ほか"
    assert any(
        "震度６強 東京都２３区 に引き上げ" in s for s in _subjects_to("head@jsda.example.test")
    )
    # Asked again where the intensity rose, with the new intensity.
    request = _requested()["TOKYO-A"]
    assert (request.round, request.sent_round, request.intensity) == (2, 2, "6+")
    assert len(_subjects_to("head@tokyo-a.example.test")) == before + 1


def test_an_older_telegram_after_a_newer_one_is_only_recorded(quake_market, feed):
    feed("vxse53_tokyo_6upper_serial2")
    result = feed("vxse51_tokyo_6lower")
    assert result.outcome == "superseded"
    assert QuakeEvent.objects.get().max_int == "6+"
    assert Incident.objects.get().title == "地震 震度６強 東京都２３区ほか"


def test_a_correction_updates_and_tells_the_hq(quake_market, feed):
    feed("vxse53_tokyo_6upper_serial2")
    result = feed("vxse53_tokyo_correction")
    assert result.outcome == "corrected"
    areas = {a["code"]: a["max_int"] for a in QuakeEvent.objects.get().areas}
    assert areas["360"] == "5-"
    assert any("【地震・訂正】" in s for s in _subjects_to("head@jsda.example.test"))


def test_a_correction_below_the_tokyo_rule_withdraws_the_mark(
    quake_market, feed, client, login, hq_user
):
    feed("vxse53_tokyo_6upper_serial2")
    lowered = sample("vxse53_tokyo_correction").replace(b"6+", b"5+")
    feed("correction 5+", lowered)
    assert CriterionMark.objects.get().state == "withdrawn"
    assert _seismic(client, login, hq_user, Incident.objects.get())["met"] is False


def test_a_cancel_withdraws_the_automatic_part_and_tells_the_hq(
    quake_market, feed, client, login, hq_user, reporter_tokyo
):
    feed("vxse51_tokyo_6lower")
    result = feed("vxse53_tokyo_cancel")
    assert result.outcome == "withdrawn"
    incident = Incident.objects.get()
    assert incident.state == "monitoring"  # the HQ closes it, not the feed
    assert QuakeEvent.objects.get().withdrawn_at is not None
    assert CriterionMark.objects.get().state == "withdrawn"
    assert all(r.withdrawn_at for r in ReportRequest.objects.all())
    assert any("【地震・取消】" in s for s in _subjects_to("head@jsda.example.test"))
    assert _seismic(client, login, hq_user, incident)["met"] is False
    login(reporter_tokyo)
    assert 'id="report-requests"' not in client.get("/my/").content.decode()


def test_a_cancel_of_a_quake_never_acted_on_changes_nothing(quake_market, feed):
    assert feed("vxse53_tokyo_cancel").outcome == "cancel_unknown"
    assert not Incident.objects.exists() and not Alert.objects.exists()


def test_a_drill_telegram_does_nothing_when_no_drill_runs(quake_market, feed):
    assert feed("vxse51_tokyo_drill").outcome == "drill_ignored"
    assert not Incident.objects.exists() and not Alert.objects.exists()
    assert not ReportRequest.objects.exists()


def _running_drill(hq_user, organizations):
    from drills import services as drill_services

    plan = drill_services.drill_plan(
        actor=hq_user,
        title_ja="首都直下地震訓練",
        scenario_ja="訓練の想定",
        audience="organizations",
        organizations=[o.code for o in organizations],
        answer_minutes=60,
    )
    return drill_services.drill_start(actor=hq_user, drill=plan).incident


def test_a_drill_telegram_joins_the_running_drill_and_stays_a_drill(quake_market, feed, hq_user):
    drill = _running_drill(hq_user, quake_market.values())
    mail.outbox.clear()
    result = feed("vxse51_tokyo_drill")
    assert result.outcome == "attached" and result.incident == drill
    assert Incident.objects.filter(is_drill=False).count() == 0
    drill.refresh_from_db()
    assert drill.title.endswith("首都直下地震訓練")  # the drill keeps its own title
    assert set(Alert.objects.values_list("is_drill", flat=True)) == {True}
    assert all(r.is_drill for r in ReportRequest.objects.all())
    body = next(m.body for m in mail.outbox if "head@tokyo-a.example.test" in m.to)
    assert "/board/TOKYO-A/report/" not in body  # a drill never reaches the real board
    assert all(m.subject.startswith("【訓練】") for m in mail.outbox)


def test_a_test_telegram_is_ignored_and_logged(quake_market, feed, caplog):
    with caplog.at_level(logging.INFO, logger="emergency_hq.quake"):
        assert feed("vxse51_test").outcome == "test"
    assert "試験" in caplog.text
    assert not Incident.objects.exists() and not Alert.objects.exists()
    assert QuakeTelegram.objects.get().outcome == "test"


def test_an_aftershock_within_the_window_joins_the_open_incident(quake_market, feed):
    feed("vxse53_tokyo_6lower")
    result = feed("vxse53_tokyo_aftershock")
    assert result.outcome == "attached"
    main, after = QuakeEvent.objects.order_by("origin_at")
    assert after.incident_id == main.incident_id and after.main_event_id == main.pk
    assert Incident.objects.count() == 1
    assert any("【地震・余震】" in s for s in _subjects_to("head@jsda.example.test"))


@override_settings(QUAKE_AFTERSHOCK_HOURS=1)
def test_a_quake_outside_the_window_opens_its_own_incident(quake_market, feed):
    feed("vxse53_tokyo_6lower")
    assert feed("vxse53_tokyo_aftershock").outcome == "opened"
    assert Incident.objects.count() == 2


def test_a_quake_after_the_hq_closed_the_incident_opens_a_new_one(quake_market, feed, hq_user):
    feed("vxse53_tokyo_6lower")
    incident_services.incident_transition(
        actor=hq_user, incident=Incident.objects.get(), to_state="closed"
    )
    assert feed("vxse53_tokyo_aftershock").outcome == "opened"
    assert Incident.objects.exclude(state="closed").count() == 1


@pytest.mark.parametrize("name", ["vxse53_kushiro_weak", "vxse51_miyagi_5upper"])
def test_weak_or_far_quakes_change_nothing(quake_market, feed, name):
    assert feed(name).outcome == "below_rules"
    assert not Incident.objects.exists() and not Alert.objects.exists()
    assert QuakeTelegram.objects.get().outcome == "below_rules"


def test_readings_not_yet_received_count_as_5_lower(quake_market, feed):
    result = feed("vxse53_kanagawa_not_received")
    assert result.outcome == "opened"
    assert Incident.objects.get().title == "地震 震度５弱 神奈川県西部"
    assert set(_requested()) == {"HAKONE-D"}


def test_requests_go_out_in_chained_batches(quake_market, feed, monkeypatch):
    from emergency_hq.quake import report_requests

    monkeypatch.setattr(report_requests, "SEND_BATCH", 1)
    feed("vxse51_tokyo_6lower")
    assert all(r.alert_id and r.sent_round == 1 for r in ReportRequest.objects.all())
    assert Alert.objects.filter(targeting__has_key="report_request").count() == 4


def test_requests_left_unsent_go_out_at_the_next_poll(quake_market):
    from django.test import override_settings

    from emergency_hq.quake.tasks import quake_feed_poll
    from tests.emergency_hq.quake.http_server import Answer, FakeJma

    ingest("vxse51_tokyo_6lower")  # never committed here: as if the broker had been down
    assert ReportRequest.objects.filter(sent_round=0).count() == 4
    with FakeJma() as jma:
        jma.routes["/eqvol.xml"] = [Answer(304)]
        with override_settings(QUAKE_FEED_URL=f"{jma.url}/eqvol.xml"):
            assert quake_feed_poll() == "not modified"
    assert not ReportRequest.objects.filter(sent_round=0).exists()
