"""Date filters at the calendar's edges: a clear 400 on the page, never a 500."""

import pytest

from bulletin import selectors

from .conftest import publish

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "query",
    [
        "date_to=9999-12-31",
        "date_from=9999-12-31",
        "date_from=0001-01-01",
        "date_to=0001-01-01",
        "date_from=1899-12-31&date_to=3000-01-01",
    ],
)
def test_a_date_filter_at_the_edge_is_a_400_with_a_message(client, hq_user, query):
    publish(hq_user)
    response = client.get(f"/circulars/?{query}")
    assert response.status_code == 400
    page = response.content.decode()
    assert "1900-01-01" in page and "2999-12-31" in page  # the message says what is allowed


def test_dates_inside_the_bounds_still_filter(client, hq_user):
    circular = publish(hq_user)
    assert circular.number in client.get("/circulars/?date_to=2999-12-31").content.decode()
    response = client.get("/circulars/?date_from=1900-01-01&date_to=1900-12-31")
    assert response.status_code == 200 and circular.number not in response.content.decode()


def test_the_selector_takes_the_last_day_of_the_calendar(hq_user):
    from datetime import date

    circular = publish(hq_user)
    found = selectors.circulars_search(user=hq_user, date_from=date.min, date_to=date.max)
    assert list(found) == [circular]
