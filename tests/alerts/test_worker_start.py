"""A worker that has just started is ready for its first alert, and sending an alert leaves the
process's memory management as it found it."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from alerts.services import alert_send
from tests import factories

ROOT = Path(__file__).resolve().parents[2]

# What a worker process does when it starts: Django set up, then Celery's worker_init signal
# (sent before the pool starts, so prefork children inherit what it loaded).
_WORKER_START = """
import sys
import django
django.setup()
from bcpweb.celery import app
from celery import signals
from django.template import engines
before = "bcpweb.urls" in sys.modules
signals.worker_init.send(sender=None)
print(before, "bcpweb.urls" in sys.modules, "django" in engines._engines)
"""


def test_a_starting_worker_loads_the_urlconf_and_templates_its_first_alert_needs():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.setdefault("DJANGO_SETTINGS_MODULE", "bcpweb.settings.test")
    done = subprocess.run(
        [sys.executable, "-c", _WORKER_START],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    # Not loaded before the signal (or the test would prove nothing), loaded after it.
    assert done.stdout.split() == ["False", "True", "True"]


@pytest.mark.django_db
def test_sending_an_alert_leaves_the_cycle_collector_on_even_when_it_is_refused(hq_user):
    firm = factories.organization("GCFIRM")
    factories.contact(firm, "BCP担当", email="bcp@gcfirm.example.test")
    assert gc.isenabled()
    alert_send(actor=hq_user, subject_ja="件名", body_ja="本文", organizations=[firm])
    assert gc.isenabled()
    with pytest.raises(ValidationError):  # no text: refused inside the paused block
        alert_send(actor=hq_user, subject_ja="", body_ja="", organizations=[firm])
    assert gc.isenabled()
