"""The incident tests' small market (incident_fixtures.build_market) and an incident in it."""

import pytest

from emergency_hq.incidents import services
from tests.emergency_hq.incident_fixtures import build_market


@pytest.fixture
def market(db):
    return build_market()


@pytest.fixture
def incident(hq_user, market):
    return services.incident_open(
        actor=hq_user, title="首都直下地震", kind="earthquake", severity=4
    )
