"""The public board's hot path: no Redis or PostgreSQL round trip per request."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from status_board import snapshots
from tests import factories


@pytest.fixture
def served(db, public_org, client):
    factories.user("pub_rep", role="reporter", organization=public_org)
    assert client.get("/").status_code == 200  # builds and holds the copy
    return client


@pytest.fixture
def cache_calls(monkeypatch):
    calls = []
    original = snapshots._cache_get_many

    def counting(keys):
        calls.append(keys)
        return original(keys)

    monkeypatch.setattr(snapshots, "_cache_get_many", counting)
    return calls


def test_requests_within_the_local_ttl_touch_neither_redis_nor_postgresql(served, cache_calls):
    snapshots._local.db_checked = snapshots._local.checked  # probed just now
    with CaptureQueriesContext(connection) as queries:
        for _ in range(20):
            assert served.get("/").status_code == 200
    assert cache_calls == []
    assert [q["sql"] for q in queries.captured_queries] == []


def test_while_another_process_rebuilds_redis_is_asked_once_per_ttl_not_per_request(
    served, cache_calls, monkeypatch
):
    before = served.get("/")
    # Another process has bumped the data version and holds the rebuild lock.
    cache.incr(snapshots.KEY_DATA_VERSION)
    cache.add(snapshots.KEY_LOCK, "other-process", timeout=30)
    snapshots._local.checked = 0.0
    try:
        for _ in range(10):
            response = served.get("/")
            assert response.status_code == 200 and response["ETag"] == before["ETag"]
    finally:
        cache.delete(snapshots.KEY_LOCK)
    assert len(cache_calls) == 1  # the first request asked; the others served the copy
    # Once the lock is gone and the TTL has passed, the next request rebuilds.
    snapshots._local.checked = 0.0
    assert served.get("/").status_code == 200
    assert snapshots.current()[0].data_version == cache.get(snapshots.KEY_DATA_VERSION)
