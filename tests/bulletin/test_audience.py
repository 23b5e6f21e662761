"""Who sees a circular: the same answer on pages, the API, the feed and attachment downloads."""

import pytest

from .conftest import pdf_file, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def circulars(hq_user, org_a, org_b):
    return {
        "public": publish(
            hq_user, title_ja="公開の通達", audience="public", attachments=[pdf_file()]
        ),
        "members": publish(
            hq_user, title_ja="会員向けの通達", audience="members", attachments=[pdf_file()]
        ),
        "only_a": publish(
            hq_user,
            title_ja="A社だけの通達",
            audience="organizations",
            organizations=["FIRM-A"],
            attachments=[pdf_file()],
        ),
    }


def _surfaces(client, circular):
    """Status codes of every surface that shows one circular."""
    attachment = circular.attachments.get()
    return {
        "page": client.get(f"/circulars/{circular.number}/").status_code,
        "history": client.get(f"/circulars/{circular.number}/history/").status_code,
        "api": client.get(f"/api/v1/circulars/{circular.number}/").status_code,
        "file": client.get(
            f"/circulars/{circular.number}/attachments/{attachment.pk}/"
        ).status_code,
    }


def _listed(client, circular) -> dict:
    page = client.get("/circulars/").content.decode()
    api = client.get("/api/v1/circulars/").json()["results"]
    feed = client.get("/circulars/feed/").content.decode()
    return {
        "page": circular.title_ja in page,
        "api": circular.number in [c["number"] for c in api],
        "feed": circular.title_ja in feed,
    }


OK = {"page": 200, "history": 200, "api": 200, "file": 200}
HIDDEN = {"page": 404, "history": 404, "api": 404, "file": 404}
# A visitor who is not logged in is asked to log in on the pages (a member may be following a
# link); the API stays 404. tests/bulletin/test_login_first.py follows the login.
LOGIN_FIRST = {"page": 302, "history": 302, "api": 404, "file": 302}


def test_anonymous_visitors_see_public_circulars_only(client, circulars):
    assert _surfaces(client, circulars["public"]) == OK
    assert _listed(client, circulars["public"]) == {"page": True, "api": True, "feed": True}
    for key in ("members", "only_a"):
        assert _surfaces(client, circulars[key]) == LOGIN_FIRST
        assert _listed(client, circulars[key]) == {"page": False, "api": False, "feed": False}


def test_a_member_of_the_listed_organization_sees_it(client, login, viewer_a, circulars):
    login(viewer_a)
    for key in ("public", "members", "only_a"):
        assert _surfaces(client, circulars[key]) == OK, key
        listed = _listed(client, circulars[key])
        assert listed["page"] and listed["api"], key


def test_a_member_of_another_organization_does_not_see_it(client, login, reporter_b, circulars):
    login(reporter_b)
    assert _surfaces(client, circulars["members"]) == OK
    assert _surfaces(client, circulars["only_a"]) == HIDDEN
    assert _listed(client, circulars["only_a"]) == {"page": False, "api": False, "feed": False}


def test_the_feed_stays_public_even_for_members(client, login, viewer_a, circulars):
    login(viewer_a)
    assert _listed(client, circulars["members"])["feed"] is False


def test_regulators_and_hq_read_everything(client, login, regulator_user, circulars):
    login(regulator_user)
    for circular in circulars.values():
        assert _surfaces(client, circular) == OK


def test_an_account_without_any_role_is_treated_as_anonymous(client, circulars):
    from tests import factories

    client.force_login(factories.user("nobody"))
    assert _surfaces(client, circulars["members"]) == HIDDEN
    assert _surfaces(client, circulars["public"]) == OK


def test_kind_and_committee_audiences(client, login, hq_user, viewer_a, reporter_b, org_b):
    from organizations.models import Committee

    committee = Committee.objects.create(code="OTC-C", name_ja="店頭委員会", name_en="OTC")
    committee.members.add(org_b)
    by_kind = publish(hq_user, audience="kinds", kinds=["securities_firm"])
    by_committee = publish(hq_user, audience="committees", committees=["OTC-C"])
    login(viewer_a)
    assert client.get(f"/circulars/{by_kind.number}/").status_code == 200
    assert client.get(f"/circulars/{by_committee.number}/").status_code == 404
    login(reporter_b)
    assert client.get(f"/circulars/{by_committee.number}/").status_code == 200


def test_an_attachment_of_one_circular_is_not_served_under_another(
    client, login, reporter_b, circulars
):
    secret = circulars["only_a"].attachments.get()
    url = f"/circulars/{circulars['public'].number}/attachments/{secret.pk}/"
    assert client.get(url)["Location"].startswith("/accounts/login/")  # not the file
    login(reporter_b)
    assert client.get(url).status_code == 404


def test_the_issuing_organization_sees_its_own_targeted_notice(
    client, login, exchange_reporter, exchange, org_a
):
    from tests import factories

    colleague = factories.user("tse_viewer", role="viewer", organization=exchange)
    notice = publish(
        exchange_reporter, issuer=exchange, audience="organizations", organizations=["FIRM-A"]
    )
    login(colleague)
    assert client.get(f"/circulars/{notice.number}/").status_code == 200
