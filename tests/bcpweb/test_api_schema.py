"""The OpenAPI schema tells clients the contract of DESIGN §6: codes are named enums and every
operation lists the error responses it can give, each with the portal's one error body."""

from __future__ import annotations

import pytest
import yaml
from django.core.management import call_command

pytestmark = pytest.mark.django_db

# The vocabularies of DESIGN §3 / §6 and where the schema carries them.
ENUMS = {
    "OrganizationKindEnum": {
        "jsda",
        "exchange",
        "pts",
        "clearing",
        "depository",
        "securities_firm",
        "bank",
        "central_bank",
        "regulator",
    },
    "StatusEnum": {"normal", "backup_site", "degraded", "suspended", "closed"},
    "IncidentKindEnum": {
        "earthquake",
        "system_failure",
        "pandemic",
        "terrorism",
        "power_outage",
        "other",
    },
    "IncidentStateEnum": {"monitoring", "hq_convened", "bcp_active", "recovering", "closed"},
    "SegmentEnum": {"exchange", "bond", "otc", "all"},
    "DecisionActionEnum": {
        "activate",
        "deactivate",
        "halt_trading",
        "resume_trading",
        "postpone_settlement",
        "other_measure",
    },
    "CircularCategoryEnum": {"emergency", "market_rule", "drill", "general"},
    "AlertAnswerEnum": {"confirmed", "working", "need_support"},
    "DrillStateEnum": {"planned", "running", "closed"},
}

FIELDS = [
    ("Organization", "kind", "OrganizationKindEnum"),
    ("StatusReportInput", "status", "StatusEnum"),
    ("IncidentInput", "kind", "IncidentKindEnum"),
    ("Incident", "kind", "IncidentKindEnum"),
    ("Incident", "state", "IncidentStateEnum"),
    ("TransitionInput", "state", "IncidentStateEnum"),
    ("DecisionInput", "segment", "SegmentEnum"),
    ("DecisionInput", "action", "DecisionActionEnum"),
    ("Decision", "segment", "SegmentEnum"),
    ("Decision", "action", "DecisionActionEnum"),
    ("CircularInput", "category", "CircularCategoryEnum"),
    ("Drill", "state", "DrillStateEnum"),
    ("DrillInput", "audience", "DrillAudienceEnum"),
    ("Target", "state", "AlertTargetStateEnum"),
    ("Acknowledge", "answer", "AlertAnswerEnum"),
]


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        from drf_spectacular.generators import SchemaGenerator

        return SchemaGenerator().get_schema(request=None, public=True)


def _ref_name(prop: dict) -> str | None:
    ref = prop.get("$ref") or next((p.get("$ref") for p in prop.get("allOf", [])), None)
    return ref.rsplit("/", 1)[-1] if ref else None


@pytest.mark.parametrize(("component", "field", "enum"), FIELDS)
def test_codes_are_named_enums(schema, component, field, enum):
    components = schema["components"]["schemas"]
    assert _ref_name(components[component]["properties"][field]) == enum
    values = set(components[enum]["enum"])
    assert values == ENUMS.get(enum, values)


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_every_operation_lists_its_errors_with_the_error_body(schema):
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["message"]
    assert {"message", "detail", "errors"} <= set(error["properties"])
    for path, method, operation in _operations(schema):
        responses = operation["responses"]
        expected = {"401", "403"}
        params = operation.get("parameters", [])
        if method != "get" or any(p["in"] == "query" for p in params):
            expected.add("400")
        if "{" in path or any(p["name"] == "page" for p in params):
            expected.add("404")
        assert expected <= set(responses), (method, path, sorted(responses))
        for code in expected | {c for c in responses if c.startswith(("4", "5"))}:
            body = responses[code]["content"]["application/json"]["schema"]
            assert body == {"$ref": "#/components/schemas/Error"}, (method, path, code)


@pytest.mark.parametrize(
    ("method", "path", "codes"),
    [
        ("post", "/api/v1/status-reports/", {"201", "400", "401", "403"}),
        ("post", "/api/v1/incidents/{incident_id}/decisions/", {"201", "400", "401", "403", "404"}),
        ("get", "/api/v1/incidents/{incident_id}/situation/", {"200", "401", "403", "404"}),
        ("post", "/api/v1/drills/{drill_id}/start/", {"200", "401", "403", "404", "409"}),
        ("get", "/api/v1/circulars/", {"200", "400", "401", "403", "404"}),
    ],
)
def test_the_documented_codes_of_design_6(schema, method, path, codes):
    assert codes <= set(schema["paths"][path][method]["responses"])


def test_the_error_body_the_api_writes_matches_the_schema(api_client, reporter_a, schema):
    """The shape declared is the one returned: a 400 by field and a 401 with ``detail``."""
    import jsonschema

    error = schema["components"]["schemas"]["Error"]
    invalid = api_client.post("/api/v1/status-reports/", {}, format="json")
    assert invalid.status_code == 401
    jsonschema.validate(invalid.json(), error)
    assert invalid.json()["detail"]
    api_client.force_authenticate(reporter_a)
    bad = api_client.post("/api/v1/status-reports/", {"organization": "FIRM-A"}, format="json")
    assert bad.status_code == 400
    jsonschema.validate(bad.json(), error)
    assert "function" in bad.json()["errors"]


def test_spectacular_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    loaded = yaml.safe_load(out.read_text())
    assert loaded["openapi"].startswith("3.")
