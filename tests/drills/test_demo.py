"""`seed_demo` brings one finished drill with realistic answer times, once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from drills.models import Drill, DrillState

pytestmark = pytest.mark.django_db


def test_seed_demo_brings_one_finished_drill_with_its_report(
    client, login, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=StringIO())
    drill = Drill.objects.get()
    assert drill.state == DrillState.CLOSED and drill.announced is False
    r = drill.results
    assert r["participants"] > 20
    # Most answer, a few late, two never, one unreachable (its address bounces).
    assert r["participants"] - r["acknowledged"] == 3
    assert r["acknowledged"] - r["acknowledged_in_window"] == 3
    assert r["unreachable"] == 1
    yamabuki = next(o for o in r["organizations"] if o["code"] == "YAMABUKI")
    assert yamabuki["stale_contacts"] and "550" in yamabuki["stale_contacts"][0]["reason"]
    assert 60 <= r["time_to_ack_s"]["p50"] <= 600
    assert r["time_to_report_s"]["p50"] is not None
    assert r["time_to_ack_s"]["p50"] < r["time_to_report_s"]["p50"]
    # Nothing was e-mailed for a drill that is long over.
    assert mail.outbox == []
    # Safe to run again: still one drill.
    call_command("seed_demo", stdout=StringIO())
    assert Drill.objects.count() == 1
    from django.contrib.auth import get_user_model

    login(get_user_model().objects.get(username="demo-hq"))
    page = client.get(f"/drills/{drill.pk}/report/").content.decode()
    assert page.count("data:image/svg+xml") >= 2 and "YAMABUKI" in page
