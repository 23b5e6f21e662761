"""Three firms with contact trees, and helpers to plan, start and answer a drill."""

from __future__ import annotations

import pytest

from alerts.models import AlertTarget
from alerts.services import alert_acknowledge
from drills import services
from drills.board import reports_create
from status_board.services import ReportInput
from tests import factories
from tests.status_board.conftest import _fresh_board  # noqa: F401 — each test its own board


@pytest.fixture
def org_c(db):
    return factories.organization("FIRM-C", name_ja="テスト証券C", name_en="Test Securities C")


@pytest.fixture
def firms(org_a, org_b, org_c):
    """FIRM-A: head + deputy (step 2); FIRM-B: head; FIRM-C: head."""
    factories.contact(org_a, "Head A", order=1)
    factories.contact(org_a, "Deputy A", order=2)
    factories.contact(org_b, "Head B", order=1)
    factories.contact(org_c, "Head C", order=1)
    return {"FIRM-A": org_a, "FIRM-B": org_b, "FIRM-C": org_c}


@pytest.fixture
def reporter_c(org_c):
    return factories.user("reporter_c", role="reporter", organization=org_c)


@pytest.fixture
def outsider_org(db):
    return factories.organization("OUTSIDE", name_ja="不参加証券")


@pytest.fixture
def reporter_out(outsider_org):
    return factories.user("reporter_out", role="reporter", organization=outsider_org)


@pytest.fixture
def plan(hq_user, firms):
    def _plan(**kwargs):
        kwargs.setdefault("title_ja", "首都直下地震を想定した共同演習")
        kwargs.setdefault("title_en", "Joint drill: Tokyo earthquake")
        kwargs.setdefault("scenario_ja", "午前9時、東京23区で震度6強。")
        kwargs.setdefault("audience", "organizations")
        kwargs.setdefault("organizations", ["FIRM-A", "FIRM-B", "FIRM-C"])
        kwargs.setdefault("answer_minutes", 30)
        kwargs.setdefault("announced", False)
        return services.drill_plan(actor=kwargs.pop("actor", hq_user), **kwargs)

    return _plan


@pytest.fixture
def running(plan, hq_user):
    def _running(**kwargs):
        return services.drill_start(actor=hq_user, drill=plan(**kwargs))

    return _running


def target_of(drill, code) -> AlertTarget:
    return AlertTarget.objects.get(alert=drill.alert, organization__code=code)


def acknowledge(drill, user, code, answer="confirmed"):
    return alert_acknowledge(actor=user, target=target_of(drill, code), answer=answer)


def drill_report(drill, user, org, function="order_acceptance", status="normal", **extra):
    return reports_create(
        actor=user,
        organization=org,
        drill_id=drill.pk,
        entries=[ReportInput(function=function, status=status)],
        source="api",
        **extra,
    )
