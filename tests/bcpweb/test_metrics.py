"""/metrics: django-prometheus and the portal's own gauges, for the configured scraper only."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from drills.models import Drill

from . import outbox

pytestmark = pytest.mark.django_db


def _samples(response) -> dict[tuple[str, tuple], float]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/plain; version=")
    found = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_the_scraper_reads_the_outbox_the_board_and_the_drills(client, org_a, hq_user):
    outbox.waited(outbox.one_delivery(org_a, hq_user), 200)
    client.get("/")  # the public board builds its bundle
    samples = _samples(client.get("/metrics"))

    assert samples[("bcpweb_outbox_deliveries", (("state", "queued"),))] == 1
    assert samples[("bcpweb_outbox_deliveries", (("state", "sent"),))] == 0
    assert 199 <= samples[("bcpweb_outbox_oldest_due_age_seconds", ())] < 260
    assert 0 <= samples[("bcpweb_board_bundle_age_seconds", ())] < 60
    assert ("bcpweb_board_data_version", ()) in samples
    assert samples[("bcpweb_board_stale", ())] == 0
    assert (
        samples[("bcpweb_drills", (("state", "planned"),))]
        == Drill.objects.filter(state="planned").count()
    )
    for source in ("outbox", "board", "drills", "subscriptions"):
        assert samples[("bcpweb_metrics_source_up", (("source", source),))] == 1
    # django-prometheus counts the requests of this process.
    assert any(name.startswith("django_http_requests_total") for name, _ in samples)


def test_a_source_that_fails_is_reported_down_and_the_others_still_answer(client, monkeypatch):
    from bcpweb import metrics

    def broken():
        raise RuntimeError("boom")
        yield  # pragma: no cover

    monkeypatch.setitem(metrics.SOURCES, "board", broken)
    samples = _samples(client.get("/metrics"))
    assert samples[("bcpweb_metrics_source_up", (("source", "board"),))] == 0
    assert samples[("bcpweb_metrics_source_up", (("source", "outbox"),))] == 1
    assert ("bcpweb_board_data_version", ()) not in samples


def test_an_address_outside_the_allowed_networks_is_refused(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = []
    response = client.get("/metrics")
    assert response.status_code == 403
    assert b"bcpweb_outbox" not in response.content
    assert response["WWW-Authenticate"].startswith("Bearer")
    settings.METRICS_ALLOWED_NETWORKS = settings_networks("10.0.0.0/8")
    assert client.get("/metrics").status_code == 403  # the test client is 127.0.0.1
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="::ffff:10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="11.1.2.3").status_code == 403


def test_the_bearer_token_opens_it_and_a_wrong_one_does_not(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = []
    settings.METRICS_BEARER_TOKEN = "scrape-me-0123456789"
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Token scrape-me-0123456789").status_code == (
        403
    )
    ok = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-me-0123456789")
    assert ok.status_code == 200 and b"bcpweb_outbox_deliveries" in ok.content
    settings.METRICS_BEARER_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 403


def test_production_closes_it_unless_configured(monkeypatch):
    import importlib
    import sys

    monkeypatch.setenv("SECRET_KEY", "x" * 50)
    monkeypatch.delenv("METRICS_ALLOWED_IPS", raising=False)
    sys.modules.pop("bcpweb.settings.production", None)
    production = importlib.import_module("bcpweb.settings.production")
    try:
        assert production.METRICS_ALLOWED_NETWORKS == []
        assert production.METRICS_BEARER_TOKEN == ""
        assert r"^metrics$" in production.SECURE_REDIRECT_EXEMPT
    finally:
        sys.modules.pop("bcpweb.settings.production", None)


def test_a_mistyped_network_stops_the_start():
    from django.core.exceptions import ImproperlyConfigured

    from bcpweb.settings.base import metrics_networks

    with pytest.raises(ImproperlyConfigured):
        metrics_networks(["10.0.0.0/33"])


def settings_networks(*entries):
    from bcpweb.settings.base import metrics_networks

    return metrics_networks(list(entries))
