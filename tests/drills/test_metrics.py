"""The figures on a hand-computed example: ties, nobody answering (None), late answers, and
answers after the close (kept, but not in the frozen figures)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from alerts.models import AlertTarget
from drills import metrics, reading, services
from drills.results import results_compute
from tests import factories

from .conftest import acknowledge, drill_report


def test_percentiles_are_nearest_ranks_among_all_participants():
    # 5 participants; 4 answered at 60, 60 (a tie), 120 and 2400 s; one never did.
    times = [60, 60, 120, 2400, None]
    assert metrics.spread(times, 5) == {
        "p25": 60,  # rank ceil(1.25) = 2
        "p50": 120,  # rank ceil(2.5) = 3
        "p75": 2400,  # rank ceil(3.75) = 4
        "p90": None,  # rank ceil(4.5) = 5: the fifth never answered
        "max": 2400,
    }


def test_nobody_answering_gives_none_everywhere_and_zero_rates():
    assert metrics.spread([None, None], 2) == dict.fromkeys(
        ("p25", "p50", "p75", "p90", "max"), None
    )
    assert metrics.spread([], 0)["p50"] is None
    assert metrics.rate(0, 2) == 0.0
    assert metrics.rate(0, 0) is None


def test_exact_shares_hit_their_rank():
    # 4 participants: p50 is the 2nd answer, p75 the 3rd, p25 the 1st, p90 the 4th.
    assert metrics.spread([10, 20, 30, 40], 4) == {
        "p25": 10,
        "p50": 20,
        "p75": 30,
        "p90": 40,
        "max": 40,
    }


def test_the_curve_counts_answers_up_to_each_minute():
    points = metrics.curve([60, 60, 120, None], [300, None, None, None], window_seconds=300)
    assert points[0] == {"minute": 0, "acknowledged": 0, "reported": 0}
    assert points[1] == {"minute": 1, "acknowledged": 2, "reported": 0}
    assert points[2] == {"minute": 2, "acknowledged": 3, "reported": 0}
    assert points[-1] == {"minute": 5, "acknowledged": 3, "reported": 1}


def test_a_long_window_keeps_the_curve_short():
    points = metrics.curve([60], [None], window_seconds=7 * 24 * 3600)
    assert len(points) <= metrics.CURVE_POINTS + 2
    assert points[-1]["minute"] == 7 * 24 * 60


def test_the_histogram_puts_each_answer_in_one_band():
    bands = metrics.histogram([30, 60, 119, 600, 9000, None])
    counts = {(b["from"], b["to"]): b["count"] for b in bands}
    assert counts[(0, 1)] == 1 and counts[(1, 2)] == 2 and counts[(10, 15)] == 1
    assert counts[(120, None)] == 1
    assert sum(counts.values()) == 5


# --- the same example, recorded through the portal ---------------------------------------


@pytest.fixture
def five(firms):
    extra = {}
    for code in ("FIRM-D", "FIRM-E"):
        extra[code] = factories.organization(code)
        factories.contact(extra[code], f"Head {code[-1]}")
    return {**firms, **extra}


def _at(drill, code, seconds, user):
    acknowledge(drill, user, code)
    AlertTarget.objects.filter(alert=drill.alert, organization__code=code).update(
        acknowledged_at=drill.started_at + timedelta(seconds=seconds)
    )


@pytest.mark.django_db
def test_the_hand_computed_example_end_to_end(plan, hq_user, five):
    users = {
        code: factories.user(f"rep_{code[-1].lower()}", role="reporter", organization=org)
        for code, org in five.items()
    }
    start = timezone.now() - timedelta(hours=2)
    drill = plan(organizations=list(five), answer_minutes=30)
    drill = services.drill_start(actor=hq_user, drill=drill, now=start)
    _at(drill, "FIRM-A", 60, users["FIRM-A"])
    _at(drill, "FIRM-B", 60, users["FIRM-B"])
    _at(drill, "FIRM-C", 120, users["FIRM-C"])
    _at(drill, "FIRM-D", 2400, users["FIRM-D"])  # after the 30-minute window: late
    for code in ("FIRM-A", "FIRM-C"):
        drill_report(drill, users[code], five[code], now=start + timedelta(seconds=300))
    drill_report(
        drill,
        users["FIRM-C"],
        five["FIRM-C"],
        function="trading",
        now=start + timedelta(seconds=900),
    )

    live = results_compute(drill=drill).as_dict()
    assert live["final"] is False
    assert (live["participants"], live["acknowledged"], live["reported"]) == (5, 4, 2)
    assert (live["ack_rate"], live["report_rate"]) == (0.8, 0.4)
    assert (live["acknowledged_in_window"], live["reported_in_window"]) == (3, 2)
    assert live["time_to_ack_s"] == {"p25": 60, "p50": 120, "p75": 2400, "p90": None, "max": 2400}
    assert live["time_to_report_s"] == {
        "p25": 300,
        "p50": None,
        "p75": None,
        "p90": None,
        "max": 300,
    }
    rows = {r["code"]: r for r in live["organizations"]}
    assert rows["FIRM-D"]["ack_late"] is True and rows["FIRM-A"]["ack_late"] is False
    assert rows["FIRM-E"]["acknowledged_at"] is None and rows["FIRM-E"]["time_to_ack_s"] is None
    assert rows["FIRM-C"]["functions_reported"] == 2
    assert rows["FIRM-A"]["acknowledged_by"] == "rep_a" and rows["FIRM-A"]["ack_via"] == "portal"

    closed = services.drill_close(actor=hq_user, drill=drill, now=start + timedelta(seconds=3000))
    final = dict(closed.results)
    # E answers after the close: recorded (late), listed, and the figures stay as they were.
    acknowledge(drill, users["FIRM-E"], "FIRM-E")
    assert AlertTarget.objects.get(alert=drill.alert, organization__code="FIRM-E").late is True
    closed.refresh_from_db()
    assert reading.figures_of(closed) == final
    assert final["acknowledged"] == 4 and final["time_to_ack_s"]["p90"] is None
    assert [a.code for a in reading.answers_after_close(drill=closed)] == ["FIRM-E"]


@pytest.mark.django_db
def test_unreachable_participants_name_their_failed_contacts(running, org_c):
    from alerts.models import Delivery, DeliveryStatus
    from organizations.models import Contact

    Contact.objects.filter(organization=org_c).update(active=False)  # nobody left at C
    drill = running()
    target_b = AlertTarget.objects.get(alert=drill.alert, organization__code="FIRM-B")
    Delivery.objects.filter(target=target_b).update(
        status=DeliveryStatus.FAILED, last_error="550 5.1.1 mailbox unavailable"
    )
    Delivery.objects.filter(alert=drill.alert).exclude(target=target_b).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now()
    )
    figures = results_compute(drill=drill).as_dict()
    rows = {r["code"]: r for r in figures["organizations"]}
    assert rows["FIRM-A"]["reachable"] is True and rows["FIRM-A"]["unreachable"] is False
    assert rows["FIRM-B"]["unreachable"] is True
    assert rows["FIRM-B"]["stale_contacts"] == [
        {
            "name": "Head B",
            "channel": "email",
            "address": "head.b@example.test",
            "reason": "550 5.1.1 mailbox unavailable",
        }
    ]
    assert rows["FIRM-C"]["unreachable"] is True and rows["FIRM-C"]["stale_contacts"] == []
    assert (figures["reached"], figures["unreachable"]) == (1, 2)


@pytest.mark.django_db
def test_inject_answers_are_counted_per_participant(plan, hq_user, reporter_a):
    from alerts.services import alert_acknowledge
    from bulletin.receipts import circular_acknowledge

    drill = plan(
        injects=[
            services.InjectInput(offset_minutes=0, title_ja="余震", body_ja="…"),
            services.InjectInput(offset_minutes=0, kind="circular", title_ja="措置", body_ja="…"),
        ]
    )
    drill = services.drill_start(actor=hq_user, drill=drill)
    alert_inject, circular_inject = drill.injects.order_by("kind")
    target = alert_inject.alert.targets.get(organization__code="FIRM-A")
    alert_acknowledge(actor=reporter_a, target=target, answer="confirmed")
    circular_acknowledge(actor=reporter_a, circular=circular_inject.circular)
    figures = results_compute(drill=drill).as_dict()
    rows = {r["code"]: r for r in figures["organizations"]}
    assert (rows["FIRM-A"]["injects_acknowledged"], rows["FIRM-A"]["injects_asked"]) == (2, 2)
    assert rows["FIRM-B"]["injects_acknowledged"] == 0
    assert figures["inject_ack_rate"] == round(2 / 6, 4)
