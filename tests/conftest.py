"""Shared fixtures: the real services, standing users, and a guard against logged errors.

Three standing users per module in the spirit of STYLE.md: a member of the organization, a
member of another organization, and an anonymous visitor — plus the market-wide roles.
"""

from __future__ import annotations

import logging
import socket

import pytest
from django.conf import settings

from tests import factories


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def pytest_sessionstart(session):
    # Fail loudly, never fall back: these tests are about the real services.
    db = settings.DATABASES["default"]
    if not _reachable(db.get("HOST") or "127.0.0.1", int(db.get("PORT") or 5432)):
        pytest.exit("PostgreSQL is not reachable: run `make services` (or .ci/services.sh)", 2)
    if not _reachable("127.0.0.1", 6379):
        pytest.exit("Redis is not reachable: run `make services` (or .ci/services.sh)", 2)


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield


class _ErrorCollector(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture(autouse=True)
def _fail_on_logged_errors(request):
    """A test that makes the portal log an error fails, unless it says it expects one."""
    collector = _ErrorCollector()
    root = logging.getLogger()
    django_logger = logging.getLogger("django")
    root.addHandler(collector)
    django_logger.addHandler(collector)
    yield
    root.removeHandler(collector)
    django_logger.removeHandler(collector)
    if request.node.get_closest_marker("allow_error_log"):
        return
    if collector.records:
        messages = "; ".join(r.getMessage()[:200] for r in collector.records[:3])
        pytest.fail(f"the portal logged errors: {messages}")


def pytest_configure(config):
    config.addinivalue_line("markers", "allow_error_log: the test expects an error to be logged")


@pytest.fixture
def org_a(db):
    return factories.organization("FIRM-A", name_ja="テスト証券A", name_en="Test Securities A")


@pytest.fixture
def org_b(db):
    return factories.organization("FIRM-B", name_ja="テスト証券B", name_en="Test Securities B")


@pytest.fixture
def public_org(db):
    return factories.organization(
        "PUB-EX", kind="exchange", is_public=True, name_ja="公開取引所", name_en="Public Exchange"
    )


@pytest.fixture
def reporter_a(org_a):
    return factories.user("reporter_a", role="reporter", organization=org_a)


@pytest.fixture
def viewer_a(org_a):
    return factories.user("viewer_a", role="viewer", organization=org_a)


@pytest.fixture
def reporter_b(org_b):
    return factories.user("reporter_b", role="reporter", organization=org_b)


@pytest.fixture
def hq_user(db):
    return factories.user("hq", role="hq_staff")


@pytest.fixture
def regulator_user(db):
    return factories.user("fsa", role="regulator")


@pytest.fixture
def admin_user(db):
    return factories.user("jsda", role="jsda_admin")


@pytest.fixture
def login(client):
    """Log a user in on the test client, with a verified second factor where it is needed."""

    def _login(user, client=client):
        factories.login(client, user)
        return client

    return _login


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()
