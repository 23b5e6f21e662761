"""Small things a user notices: tappable phone numbers, the browser's favicon request."""

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def test_phone_numbers_in_the_contact_tree_are_tel_links(client, login, org_a, reporter_a):
    factories.contact(org_a, "Head A", phone="03-1234 5678")
    login(reporter_a)
    page = client.get(f"/organizations/{org_a.code}/contacts/").content.decode()
    assert '<a href="tel:0312345678">03-1234 5678</a>' in page


def test_the_contact_tree_stays_closed_to_other_organizations(client, login, org_a, reporter_b):
    factories.contact(org_a, "Head A", phone="03-1234 5678")
    login(reporter_b)
    response = client.get(f"/organizations/{org_a.code}/contacts/")
    assert response.status_code in (403, 404)
    assert "tel:0312345678" not in response.content.decode()


def test_favicon_ico_leads_to_the_icon(client):
    from django.contrib.staticfiles import finders

    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/img/favicon.svg"
    assert finders.find("img/favicon.svg")
