"""The members' list: search that works for Japanese text, and filters."""

from datetime import UTC, datetime

import pytest

from bulletin import selectors

from .conftest import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def some(hq_user, exchange_reporter, exchange, org_a, reporter_a):
    circulars = {
        "quake": publish(
            hq_user,
            title_ja="首都直下地震に伴う売買停止について",
            body_ja="東京証券取引所は売買を停止しました。",
            category="emergency",
            audience="members",
            requires_ack=True,
            now=datetime(2026, 5, 10, 1, 0, tzinfo=UTC),
        ),
        "drill": publish(
            hq_user,
            title_ja="市場全体の共同演習の実施",
            body_ja="訓練シナリオを配布します。",
            category="drill",
            now=datetime(2026, 6, 1, 1, 0, tzinfo=UTC),
        ),
        "tse": publish(
            exchange_reporter,
            issuer=exchange,
            title_ja="相場情報配信の遅延",
            title_en="Market data delay",
            body_ja="配信が遅延しています。",
            category="general",
            audience="members",
            requires_ack=True,
            now=datetime(2026, 6, 15, 1, 0, tzinfo=UTC),
        ),
    }
    return circulars


def _numbers(user, **filters):
    return {c.number for c in selectors.circulars_search(user=user, **filters)}


def test_japanese_substring_search_needs_no_word_breaks(reporter_a, some):
    assert _numbers(reporter_a, q="直下地震") == {some["quake"].number}
    assert _numbers(reporter_a, q="演習") == {some["drill"].number}
    assert _numbers(reporter_a, q="売買") == {some["quake"].number}  # title and body
    assert _numbers(reporter_a, q="遅延 配信") == {some["tse"].number}
    assert _numbers(reporter_a, q="market DATA") == {some["tse"].number}
    assert _numbers(reporter_a, q="台風") == set()


def test_filters_by_category_issuer_and_period(reporter_a, exchange, some):
    from datetime import date

    assert _numbers(reporter_a, category="drill") == {some["drill"].number}
    assert _numbers(reporter_a, issuer=exchange.code) == {some["tse"].number}
    assert _numbers(reporter_a, issuer=selectors.MARKET_WIDE) == {
        some["quake"].number,
        some["drill"].number,
    }
    assert _numbers(reporter_a, date_from=date(2026, 6, 1), date_to=date(2026, 6, 1)) == {
        some["drill"].number
    }


def test_filter_by_acknowledged_or_not(client, login, reporter_a, some):
    login(reporter_a)
    client.post(f"/circulars/{some['quake'].number}/acknowledge/")
    assert _numbers(reporter_a, ack="done") == {some["quake"].number}
    assert _numbers(reporter_a, ack="pending") == {some["tse"].number}


def test_the_list_page_searches_and_filters(client, login, reporter_a, some):
    login(reporter_a)
    page = client.get("/circulars/", {"q": "地震", "category": "emergency"}).content.decode()
    assert some["quake"].title_ja in page
    assert some["drill"].title_ja not in page
    page = client.get("/circulars/", {"ack": "pending"}).content.decode()
    assert some["tse"].title_ja in page and some["drill"].title_ja not in page


def test_a_bad_filter_is_a_form_error_not_a_500(client, login, reporter_a, some):
    login(reporter_a)
    response = client.get("/circulars/", {"date_from": "yesterday", "category": "nonsense"})
    assert response.status_code == 400  # the page, with the form's message, and no 500
    assert "errorlist" in response.content.decode()


def test_the_api_list_searches_too(api_client, reporter_a, some):
    api_client.force_authenticate(reporter_a)
    data = api_client.get("/api/v1/circulars/", {"q": "共同演習"}).json()
    assert data["count"] == 1 and data["results"][0]["number"] == some["drill"].number
    assert set(data) == {"count", "next", "previous", "results"}


def test_the_list_page_uses_a_fixed_number_of_queries(
    client, login, reporter_a, hq_user, some, django_assert_max_num_queries
):
    for i in range(15):
        publish(hq_user, title_ja=f"お知らせ {i}", audience="members")
    login(reporter_a)
    with django_assert_max_num_queries(14):
        assert client.get("/circulars/").status_code == 200


def test_anonymous_search_sees_only_public_circulars(client, some):
    page = client.get("/circulars/", {"q": "売買"}).content.decode()
    assert some["quake"].title_ja not in page
