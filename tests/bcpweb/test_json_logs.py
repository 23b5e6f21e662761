"""Production logs one JSON object per line, with the request id of the request it belongs to."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Runs under the real production settings: a request through the whole middleware stack, a
# record logged outside any request, and one with a non-ASCII message and an exception.
SCRIPT = r"""
import logging
import django
django.setup()
from django.test import Client
from django.urls import path
from django.http import HttpResponse

def view(request):
    logging.getLogger("bcpweb.probe").warning("in the request %s", "本文")
    return HttpResponse("ok")

import bcpweb.urls
bcpweb.urls.urlpatterns.insert(0, path("probe-json-log", view))
response = Client(HTTP_X_FORWARDED_PROTO="https").get(
    "/probe-json-log", HTTP_X_REQUEST_ID="abcdef0123456789abcdef0123456789"
)
assert response.status_code == 200, response.status_code
assert response["X-Request-ID"] == "abcdef0123456789abcdef0123456789"
logging.getLogger("bcpweb.probe").info("outside any request")
try:
    1 / 0
except ZeroDivisionError:
    logging.getLogger("bcpweb.probe").exception("it failed")
"""


@pytest.fixture
def production_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="bcpweb.settings.production",
        SECRET_KEY="production-like-secret-" + "x" * 40,
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres",
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15"),
        ALLOWED_HOSTS="testserver",
        BCPWEB_VAR_DIR=str(tmp_path),
        LOG_LEVEL="INFO",
    )
    return env


def test_production_logs_one_json_object_per_line(production_env):
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=production_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    probes = [r for r in records if r["logger"] == "bcpweb.probe"]
    messages = [r["message"] for r in probes]
    assert messages == ["in the request 本文", "outside any request", "it failed"]
    for record in probes:
        assert {"time", "level", "logger", "message", "request_id"} <= record.keys()
    assert probes[0]["level"] == "WARNING"
    assert probes[0]["request_id"] == "abcdef0123456789abcdef0123456789"
    assert probes[1]["level"] == "INFO" and probes[1]["request_id"] is None
    assert "ZeroDivisionError" in probes[2]["exc_info"]


@pytest.mark.django_db
def test_every_response_carries_a_request_id(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert len(first) == 32 and first != second
    # An id a proxy sends is kept; one that could forge log lines is replaced.
    assert client.get("/healthz", HTTP_X_REQUEST_ID="nginx-id-12345678")["X-Request-ID"] == (
        "nginx-id-12345678"
    )
    forged = client.get("/healthz", HTTP_X_REQUEST_ID='x"\n{"level": "ERROR"}')["X-Request-ID"]
    assert len(forged) == 32 and "\n" not in forged
