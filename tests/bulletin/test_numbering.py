"""Numbers run per Japanese fiscal year (April–March, judged in JST) and never repeat."""

import threading
from datetime import UTC, datetime

import pytest
from django.db import connection

from bulletin.models import Circular
from bulletin.services import fiscal_year_of

from .conftest import publish


@pytest.mark.parametrize(
    "moment, year",
    [
        (datetime(2026, 3, 31, 14, 59, tzinfo=UTC), 2025),  # 23:59 JST on March 31
        (datetime(2026, 3, 31, 15, 0, tzinfo=UTC), 2026),  # 00:00 JST on April 1
        (datetime(2026, 1, 1, 0, 0, tzinfo=UTC), 2025),
        (datetime(2026, 12, 31, 23, 0, tzinfo=UTC), 2026),
    ],
)
def test_the_fiscal_year_is_judged_in_japan_time(moment, year):
    assert fiscal_year_of(moment) == year


@pytest.mark.django_db
def test_numbering_restarts_on_april_first_jst(hq_user):
    march = [
        publish(hq_user, now=datetime(2026, 3, 31, 14, 58, tzinfo=UTC)),
        publish(hq_user, now=datetime(2026, 3, 31, 14, 59, tzinfo=UTC)),
    ]
    april = publish(hq_user, now=datetime(2026, 3, 31, 15, 0, 1, tzinfo=UTC))
    assert [c.number for c in march] == ["2025-0001", "2025-0002"]
    assert april.number == "2026-0001"
    # Late paperwork for the old year continues its own series.
    assert publish(hq_user, now=datetime(2026, 3, 1, tzinfo=UTC)).number == "2025-0003"


@pytest.mark.django_db
def test_a_failed_publication_does_not_use_up_a_number(hq_user):
    with pytest.raises(Exception):  # noqa: B017 - any validation failure
        publish(hq_user, category="nonsense")
    assert publish(hq_user).number.endswith("-0001")


@pytest.mark.django_db(transaction=True)
def test_concurrent_publications_never_share_a_number(hq_user):
    workers = 8
    barrier = threading.Barrier(workers)
    numbers, errors = [], []

    def work(i):
        try:
            barrier.wait(timeout=10)
            numbers.append(publish(hq_user, title_ja=f"同時発行 {i}").number)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    year = fiscal_year_of(Circular.objects.first().published_at)
    assert sorted(numbers) == [f"{year}-{n:04d}" for n in range(1, workers + 1)]
    assert Circular.objects.count() == workers
