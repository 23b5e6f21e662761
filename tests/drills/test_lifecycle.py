"""Start and close: the drill incident, the 【訓練】 alert along every contact tree (with the
test-day contact and escalation), 409 from the wrong state, the beat's scheduled start and
the timed injects."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from alerts import escalation, tasks
from alerts.models import Alert
from bulletin.models import Circular
from drills import services
from drills import tasks as drill_tasks
from drills.models import DrillState
from drills.services import DrillContactInput, DrillStateConflict, InjectInput
from emergency_hq.models import Incident
from tests.alerts.conftest import ack_tokens

pytestmark = pytest.mark.django_db


def test_start_opens_a_drill_incident_and_sends_the_drill_alert(
    running, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        drill = running()
    assert drill.state == DrillState.RUNNING
    incident = drill.incident
    assert incident.is_drill and incident.is_open
    assert incident.started_at == drill.started_at
    alert = drill.alert
    assert alert.is_drill and alert.requires_ack
    assert alert.deadline == drill.started_at + timedelta(minutes=30)
    assert alert.subject_for("ja") == "【訓練】共同演習開始: 首都直下地震を想定した共同演習"
    assert alert.subject_for("en") == "[DRILL] Joint drill started: Joint drill: Tokyo earthquake"
    assert sorted(t.organization.code for t in alert.targets.all()) == [
        "FIRM-A",
        "FIRM-B",
        "FIRM-C",
    ]
    # Step 1 of every tree now; FIRM-A's deputy waits for escalation.
    assert sorted(m.to[0] for m in mail.outbox) == [
        "head.a@example.test",
        "head.b@example.test",
        "head.c@example.test",
    ]
    assert all(m.subject.startswith("【訓練】") for m in mail.outbox)


def test_escalation_runs_inside_a_drill_and_the_results_name_the_step(
    running, django_capture_on_commit_callbacks
):
    from alerts.services import alert_acknowledge_by_token
    from drills.results import results_compute

    with django_capture_on_commit_callbacks(execute=True):
        drill = running()
    mail.outbox.clear()
    later = timezone.now() + timedelta(minutes=16)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.sweep(now=later)
    assert [m.to[0] for m in mail.outbox] == ["deputy.a@example.test"]
    assert mail.outbox[0].subject.startswith("【訓練】")
    token = ack_tokens()["deputy.a@example.test"]
    alert_acknowledge_by_token(token=token, answer="confirmed")
    row = next(r for r in results_compute(drill=drill).rows if r.code == "FIRM-A")
    assert (row.ack_by, row.ack_step, row.ack_via) == ("Deputy A", 2, "link")
    # An answer ends the organization's escalation, inside a drill as outside.
    assert not escalation.targets_due(later + timedelta(hours=1)).filter(alert=drill.alert).exists()


def test_the_test_day_contact_gets_the_alert_at_the_first_step_and_can_answer(
    plan, hq_user, reporter_a, django_capture_on_commit_callbacks
):
    from alerts.services import alert_acknowledge_by_token
    from drills.results import results_compute

    drill = plan()
    services.drill_test_contact_set(
        actor=reporter_a,
        drill=drill,
        organization=drill.participants.get(organization__code="FIRM-A").organization,
        contact=DrillContactInput(name="当日 花子", email="hanako@example.test"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        drill = services.drill_start(actor=hq_user, drill=drill)
    assert "hanako@example.test" in [m.to[0] for m in mail.outbox]
    alert_acknowledge_by_token(token=ack_tokens()["hanako@example.test"], answer="working")
    row = next(r for r in results_compute(drill=drill).rows if r.code == "FIRM-A")
    assert (row.ack_by, row.ack_step) == ("当日 花子", 1)


def test_the_test_day_contact_is_for_the_participant_and_fixed_at_the_start(
    plan, hq_user, reporter_b, reporter_out, outsider_org
):
    from django.core.exceptions import PermissionDenied, ValidationError

    drill = plan()
    a = drill.participants.get(organization__code="FIRM-A").organization
    with pytest.raises(PermissionDenied):
        services.drill_test_contact_set(
            actor=reporter_b, drill=drill, organization=a, contact=DrillContactInput(name="x")
        )
    with pytest.raises(ValidationError):
        services.drill_test_contact_set(
            actor=reporter_out,
            drill=drill,
            organization=outsider_org,
            contact=DrillContactInput(name="x", email="x@example.test"),
        )
    services.drill_start(actor=hq_user, drill=drill)
    with pytest.raises(DrillStateConflict):
        services.drill_test_contact_set(
            actor=hq_user,
            drill=drill,
            organization=a,
            contact=DrillContactInput(name="x", email="x@example.test"),
        )


def test_start_and_close_answer_409_from_any_other_state(api_client, hq_user, plan):
    drill = plan()
    api_client.force_authenticate(hq_user)
    base = f"/api/v1/drills/{drill.pk}"
    close_planned = api_client.post(f"{base}/close/")
    assert close_planned.status_code == 409 and close_planned.json()["message"]
    assert api_client.post(f"{base}/start/").status_code == 200
    assert api_client.post(f"{base}/start/").status_code == 409
    closed = api_client.post(f"{base}/close/")
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    assert api_client.post(f"{base}/close/").status_code == 409
    assert api_client.post(f"{base}/start/").status_code == 409
    assert Alert.objects.filter(source_kind="drill").count() == 1


@pytest.mark.parametrize("role_user", ["regulator_user", "reporter_a", "reporter_out"])
def test_only_hq_staff_start_and_close(api_client, plan, role_user, request):
    drill = plan()
    api_client.force_authenticate(request.getfixturevalue(role_user))
    for action in ("start", "close"):
        response = api_client.post(f"/api/v1/drills/{drill.pk}/{action}/")
        assert response.status_code == 403
    drill.refresh_from_db()
    assert drill.state == DrillState.PLANNED


def test_close_freezes_the_figures_ends_escalation_and_closes_the_incident(running, hq_user):
    drill = running()
    closed = services.drill_close(actor=hq_user, drill=drill)
    assert closed.results["participants"] == 3
    assert closed.results["final"] is True
    assert Incident.objects.get(pk=drill.incident_id).state == "closed"
    assert escalation.targets_due(timezone.now() + timedelta(hours=2)).count() == 0
    assert not drill.alert.deliveries.filter(status="held").exists()


def test_beat_starts_a_scheduled_drill_on_time_and_only_once(plan):
    starts = timezone.now() + timedelta(minutes=5)
    drill = plan(starts_at=starts)
    assert drill_tasks.tick(now=starts - timedelta(seconds=1)) == {"started": 0, "injects": 0}
    assert drill_tasks.tick(now=starts + timedelta(seconds=1))["started"] == 1
    assert drill_tasks.tick(now=starts + timedelta(seconds=2))["started"] == 0
    drill.refresh_from_db()
    assert drill.state == DrillState.RUNNING
    assert Alert.objects.filter(source_kind="drill").count() == 1


def test_injects_go_out_at_their_offsets_as_drill_alerts_and_circulars(plan, hq_user):
    drill = plan(
        injects=[
            InjectInput(offset_minutes=0, title_ja="第1報の催促", body_ja="報告してください"),
            InjectInput(
                offset_minutes=10, kind="circular", title_ja="特別措置", body_ja="決済繰延べ"
            ),
        ]
    )
    drill = services.drill_start(actor=hq_user, drill=drill)
    first, second = drill.injects.order_by("offset_minutes")
    assert first.sent_at == drill.started_at and first.alert.is_drill
    assert first.alert.subject_for("ja") == "【訓練】状況付与1: 第1報の催促"
    assert second.sent_at is None
    at = drill.started_at + timedelta(minutes=10)
    assert drill_tasks.tick(now=at - timedelta(seconds=1))["injects"] == 0
    assert drill_tasks.tick(now=at)["injects"] == 1
    assert drill_tasks.tick(now=at)["injects"] == 0
    second.refresh_from_db()
    circular = Circular.objects.get(pk=second.circular_id)
    assert circular.category == "drill" and circular.audience == "organizations"
    assert sorted(r.organization.code for r in circular.receipts.all()) == [
        "FIRM-A",
        "FIRM-B",
        "FIRM-C",
    ]


def test_no_inject_is_sent_once_the_drill_is_closed(plan, hq_user):
    drill = plan(injects=[InjectInput(offset_minutes=5, title_ja="余震", body_ja="…")])
    drill = services.drill_start(actor=hq_user, drill=drill)
    services.drill_close(actor=hq_user, drill=drill)
    assert drill_tasks.tick(now=timezone.now() + timedelta(minutes=10))["injects"] == 0


def test_an_answer_after_an_early_close_is_recorded_as_late(running, hq_user, reporter_a):
    from alerts.models import AlertTarget

    from .conftest import acknowledge

    drill = running()  # 30-minute window, closed at once: well before its end
    services.drill_close(actor=hq_user, drill=drill)
    acknowledge(drill, reporter_a, "FIRM-A")
    target = AlertTarget.objects.get(alert=drill.alert, organization__code="FIRM-A")
    assert target.acknowledged_at is not None and target.late is True
