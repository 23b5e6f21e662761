"""Redis goes away and comes back: the board never falls back to what it showed before.

Issue 10, defect 3: a status posted while Redis was unreachable was shown, and then, once
Redis answered again, the older bundle Redis still held won over it until the next change.
A private redis-server sits behind a TCP proxy that the test cuts and restores.
"""

import time

import pytest
from django.core.cache import cache

from status_board import snapshots
from tests import factories
from tests.alerts.harness import RedisServer, free_port

from .tcp_proxy import TcpProxy

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def redis_behind_proxy(tmp_path, settings):
    server = RedisServer(free_port(), tmp_path)
    server.start()
    proxy = TcpProxy(free_port(), server.port)
    proxy.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{proxy.port}/0",
            "KEY_PREFIX": f"outage-{proxy.port}",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    snapshots.reset_local_state()
    yield proxy
    proxy.stop()
    server.stop()


@pytest.fixture
def reporter(public_org):
    return factories.user("pub_rep", role="reporter", organization=public_org)


def _trading(client) -> str:
    board = client.get("/api/v1/board/").json()
    (org,) = [o for o in board["organizations"] if o["code"] == "PUB-EX"]
    return next(f["status"] for f in org["functions"] if f["function"] == "trading")


def _statuses_for(client, seconds: float) -> set[str]:
    """What the board shows over a while (several revalidation rounds), request by request."""
    seen = set()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        seen.add(_trading(client))
        time.sleep(snapshots.LOCAL_TTL / 2)
    return seen


def test_a_status_posted_during_an_outage_stays_once_redis_returns(
    client, report, public_org, reporter, redis_behind_proxy
):
    report(reporter, public_org, "trading", "normal")
    assert _trading(client) == "normal"
    assert cache.get(snapshots.KEY_BUNDLE) is not None  # Redis holds the "normal" bundle

    redis_behind_proxy.cut()
    report(reporter, public_org, "trading", "suspended", message="障害")
    assert _trading(client) == "suspended"

    redis_behind_proxy.restore()
    assert _statuses_for(client, 4 * snapshots.DB_PROBE_INTERVAL) == {"suspended"}
    # Redis itself was repaired: another process (no copy of its own) sees it too.
    assert cache.get(snapshots.KEY_BUNDLE).data_version == cache.get(snapshots.KEY_DATA_VERSION)
    snapshots.reset_local_state()
    assert _trading(client) == "suspended"


def test_a_process_that_starts_after_the_outage_does_not_trust_the_older_bundle(
    client, report, public_org, reporter, redis_behind_proxy
):
    report(reporter, public_org, "trading", "normal")
    assert _trading(client) == "normal"
    redis_behind_proxy.cut()
    report(reporter, public_org, "trading", "suspended")
    redis_behind_proxy.restore()
    # The process that posted is gone (restarted, say): a new one starts with the older
    # bundle in Redis and the newer copy in the file.
    snapshots.reset_local_state()
    assert _statuses_for(client, 2 * snapshots.DB_PROBE_INTERVAL) == {"suspended"}
