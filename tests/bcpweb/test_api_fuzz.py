"""schemathesis against a live portal: for an anonymous visitor, a reporter and HQ staff, every
operation of /api/schema/ (examples, fuzzed and negative inputs, then stateful sequences along
the links schemathesis infers) answers without a 5xx and exactly as the schema says.

Deterministic (deterministic generation, no example database) and small (a few examples per
operation), so the run stays within a few minutes; a failure prints the reproducing request.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings
from rest_framework.authtoken.models import Token

from emergency_hq.incidents import decisions as hq_decisions
from emergency_hq.incidents import services as hq_services
from organizations import two_factor
from status_board import services as board_services
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    ]
)
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


def _world(hq_user):
    """Something behind every read: organizations, a report, an incident with a decision."""
    public = factories.organization("PUB-EX", kind="exchange", is_public=True)
    firm = factories.organization("FIRM-A")
    reporter = factories.user("fuzz_reporter", role="reporter", organization=firm)
    factories.contact(firm, "Fuzz Contact")
    for org, actor in ((firm, reporter),):
        board_services.status_report_create(
            actor=actor,
            organization=org,
            entry=board_services.ReportInput(
                function=org.organization_functions.first().function.code,
                status="degraded",
                message="縮退運転中 🚧",
            ),
        )
    incident = hq_services.incident_open(
        actor=hq_user, title="首都直下地震", kind="earthquake", severity=3
    )
    hq_decisions.decision_record(
        actor=hq_user, incident=incident, segment="exchange", action="activate", rationale="訓練"
    )
    return public, firm, reporter


def _run(base_url: str, token: str | None, *, phases: str) -> subprocess.CompletedProcess:
    command = [
        str(SCHEMATHESIS),
        "run",
        f"{base_url}/api/schema/?format=json",
        "--phases",
        phases,
        "--checks",
        CHECKS,
        "--max-examples",
        "3",
        "--generation-deterministic",
        "--generation-with-security-parameters",
        "false",
        "--no-shrink",
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--suppress-health-check",
        "all",
        "--no-color",
        "--output-truncate",
        "true",
    ]
    if token:
        command += ["--header", f"Authorization: Token {token}"]
    return subprocess.run(command, capture_output=True, text=True, timeout=540)


def _token(user) -> str:
    return Token.objects.get_or_create(user=user)[0].key


@pytest.mark.parametrize("role", ["anonymous", "reporter", "hq_staff"])
@override_settings(API_TOKENS_FOR_TWO_FACTOR_ROLES=True)
def test_schemathesis_finds_no_5xx_and_no_schema_violation(live_server, role):
    hq = factories.user("fuzz_hq", role="hq_staff")
    admin = factories.user("fuzz_admin", role="jsda_admin")
    _public, _firm, reporter = _world(hq)
    token = None
    if role == "reporter":
        token = _token(reporter)
    elif role == "hq_staff":
        token = _token(hq)
        # HQ tokens skip the second factor only by a recorded approval (issue 10, defect 1).
        two_factor.api_token_exempt(actor=admin, user=hq, reason="schemathesis in the suite")
    # The coverage phase (every boundary and negative value of every field) is the slow one:
    # once, for the role that reaches every write; the others fuzz and chain operations.
    phases = "coverage,fuzzing,stateful" if role == "hq_staff" else "fuzzing,stateful"
    result = _run(live_server.url, token, phases=phases)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-12000:]
    tally = re.search(r"(\d+) generated, (\d+) passed", output)
    assert tally and tally[1] == tally[2] and int(tally[1]) > 0, output[-4000:]
