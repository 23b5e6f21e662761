"""An incident the earthquake feed opens has an English title, kept in step with JMA."""

from __future__ import annotations

import pytest

from emergency_hq.models import Incident
from tests.emergency_hq.quake.helpers import ingest

pytestmark = pytest.mark.django_db


@pytest.fixture
def feed(django_capture_on_commit_callbacks):
    def _feed(name):
        with django_capture_on_commit_callbacks(execute=True):
            return ingest(name)

    return _feed


def test_a_quake_incident_gets_an_english_title_and_description(quake_market, feed):
    feed("vxse51_tokyo_6lower")
    incident = Incident.objects.get()
    assert incident.title_en == "Earthquake: intensity 6 lower in 東京都２３区 and other areas"
    assert incident.description_en.startswith("Opened automatically from a JMA telegram")
    feed("vxse53_tokyo_6lower")
    feed("vxse53_tokyo_6upper_serial2")
    incident.refresh_from_db()
    assert incident.title_en == "Earthquake: intensity 6 upper in 東京都２３区 and other areas"
