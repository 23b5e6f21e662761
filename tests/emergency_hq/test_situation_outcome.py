"""The situation gives the same answer whatever way it is computed: a varied market, pinned.

The expected answer in fixtures/situation_outcome.json was produced by the situation code
before it was made faster (issue 16); every field of the API answer but its time must stay.
Re-pin after a deliberate change with PIN_SITUATION_OUTCOME=1 (the test then fails once, so
that the new file is reviewed).
"""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from emergency_hq.incidents import dashboard, decisions, services
from emergency_hq.models import ActivationCriterion
from status_board.models import CurrentStatus
from tests.emergency_hq.incident_fixtures import report

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).parent / "fixtures" / "situation_outcome.json"


def _varied_situation(hq_user, market) -> dict:
    incident = services.incident_open(
        actor=hq_user, title="首都直下地震", kind="earthquake", severity=4
    )
    report(market["BIG"], "suspended")
    report(market["MID"], "degraded", functions=["order_acceptance"])
    report(market["SMALL"], "normal")
    report(market["TSE"], "backup_site", functions=["trading"])
    report(market["JSCC"], "suspended", functions=["clearing"])
    # A report from before the incident began counts as not reported.
    report(market["TINY"], "normal")
    CurrentStatus.objects.filter(organization=market["TINY"]).update(
        reported_at=incident.started_at - timedelta(minutes=5)
    )
    manual = ActivationCriterion.objects.filter(kind="manual", active=True).first()
    if manual is not None:
        services.criterion_declare(actor=hq_user, incident=incident, criterion=manual, met=True)
    decisions.decision_record(
        actor=hq_user, incident=incident, segment="bond", action="activate", rationale="演習"
    )
    body = dashboard.situation(user=hq_user, incident=incident).as_api()
    body.pop("generated_at")
    body.pop("incident")
    return body


def test_the_situation_answer_is_what_it_was(hq_user, market):
    body = _varied_situation(hq_user, market)
    # Same timing-free shape whatever the clock: times are not part of the answer compared.
    assert timezone.now()
    if os.environ.get("PIN_SITUATION_OUTCOME"):
        FIXTURE.parent.mkdir(exist_ok=True)
        FIXTURE.write_text(json.dumps(body, ensure_ascii=False, indent=1, sort_keys=True))
        pytest.fail("pinned a new expected situation: review fixtures/situation_outcome.json")
    assert body == json.loads(FIXTURE.read_text())
