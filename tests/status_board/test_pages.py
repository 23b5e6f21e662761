"""The organization page, the feeds and the reporting form."""

from datetime import timedelta

import pytest
from django.utils import timezone

from status_board.models import StatusReport
from status_board.selectors import daily_history
from tests import factories


@pytest.fixture
def public_reporter(public_org):
    return factories.user("pub_rep", role="reporter", organization=public_org)


@pytest.mark.django_db
def test_the_organization_page_shows_the_timeline_newest_first(
    client, report, public_org, public_reporter
):
    report(public_reporter, public_org, "trading", "suspended", message="第1報")
    report(public_reporter, public_org, "trading", "normal", message="第2報 再開")
    response = client.get("/board/PUB-EX/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("第2報 再開") < html.index("第1報")
    assert "pub_rep" not in html  # account names are for members
    assert 'type="application/atom+xml" href="/board/PUB-EX/feed.atom"' in html


@pytest.mark.django_db
def test_members_see_who_reported(client, login, report, public_org, public_reporter, viewer_a):
    report(public_reporter, public_org, "trading", "normal")
    login(viewer_a)
    assert "pub_rep" in client.get("/board/PUB-EX/").content.decode()


@pytest.mark.django_db
def test_members_only_organizations_are_invisible_to_anonymous_visitors(
    client, login, report, org_a, reporter_a, reporter_b
):
    report(reporter_a, org_a, "trading", "suspended", message="非公開の障害")
    for url in ("/board/FIRM-A/", "/board/FIRM-A/feed.atom"):
        assert client.get(url).status_code == 404, url
    assert "非公開の障害" not in client.get("/feeds/status.atom").content.decode()
    login(reporter_b)
    assert client.get("/board/FIRM-A/").status_code == 200
    assert "非公開の障害" in client.get("/board/FIRM-A/feed.atom").content.decode()


@pytest.mark.django_db
def test_the_feeds_list_public_changes(client, report, public_org, public_reporter):
    report(public_reporter, public_org, "trading", "degraded", message="一部停止")
    for url in ("/feeds/status.atom", "/board/PUB-EX/feed.atom"):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/atom+xml")
        body = response.content.decode()
        assert "<feed" in body and "一部停止" in body and "一部停止・縮退運転" in body
    assert 'rel="alternate" type="application/atom+xml"' in client.get("/").content.decode()


@pytest.mark.django_db
def test_ninety_daily_bars_carry_the_worst_status_of_each_day(client, public_org, public_reporter):
    from organizations.models import BusinessFunction

    trading = BusinessFunction.objects.get(code="trading")
    now = timezone.now()

    def old(status, days_ago):
        StatusReport.objects.create(
            organization=public_org,
            function=trading,
            status=status,
            reported_at=now - timedelta(days=days_ago),
            reported_by=public_reporter,
            source="web",
        )

    old("normal", 200)  # before the window: the window starts normal
    old("suspended", 10)
    old("normal", 9)
    bars = daily_history(organization=public_org)[trading.pk]
    assert len(bars) == 90
    statuses = [b.status for b in bars]
    assert statuses[0] == "normal"
    assert statuses.count("suspended") in (1, 2)  # the day of the outage (and the next, by TZ)
    assert statuses[-1] == "normal"
    html = client.get("/board/PUB-EX/").content.decode()
    assert html.count('class="bar b-') == 90  # only trading has history
    assert "停止中" in html


@pytest.mark.django_db
def test_each_daily_bar_says_its_day_and_status_as_text(client, public_org, public_reporter):
    """A screen reader hears every bar as a list item with its date and status, not a colour."""
    import re

    from django.utils import translation

    from organizations.models import BusinessFunction

    trading = BusinessFunction.objects.get(code="trading")
    outage = timezone.now() - timedelta(days=10)
    StatusReport.objects.create(
        organization=public_org,
        function=trading,
        status="suspended",
        reported_at=outage,
        reported_by=public_reporter,
        source="web",
    )
    html = client.get("/board/PUB-EX/").content.decode()
    bars = re.search(r'<ul class="bars" role="list" aria-labelledby="([^"]+)">(.*?)</ul>', html)
    assert bars and f'<h3 id="{bars.group(1)}">' in html
    days = re.findall(
        r'<li class="bar b-\w+"[^>]*><span class="visually-hidden">([^<]+)</span>', bars.group(2)
    )
    assert len(days) == 90
    day = timezone.localtime(outage).date().isoformat()
    assert f"{day} 停止中" in days
    with translation.override("en"):
        english = client.get("/board/PUB-EX/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'<span class="visually-hidden">{day} Suspended</span>' in english


@pytest.mark.django_db
def test_a_reporter_updates_its_functions_on_one_form(
    client, login, reporter_a, org_a, django_capture_on_commit_callbacks
):
    login(reporter_a)
    page = client.get("/board/FIRM-A/report/")
    assert page.status_code == 200
    assert 'name="trading-status"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/board/FIRM-A/report/",
            {
                "trading-status": "suspended",
                "trading-message": "本社停電",
                "trading-expected_recovery_at": "2030-03-11T18:00",
                "settlement-status": "backup_site",
            },
        )
    assert response.status_code == 302
    reports = {r.function.code: r for r in StatusReport.objects.filter(organization=org_a)}
    assert set(reports) == {"trading", "settlement"}
    assert reports["trading"].source == "web" and reports["trading"].reported_by == reporter_a
    eta = timezone.localtime(reports["trading"].expected_recovery_at)
    assert (eta.hour, eta.minute, str(eta.tzinfo)) == (18, 0, "Asia/Tokyo")


@pytest.mark.django_db
def test_all_normal_is_one_post(client, login, reporter_a, org_a):
    login(reporter_a)
    response = client.post("/board/FIRM-A/report/all-normal/")
    assert response.status_code == 302
    assert StatusReport.objects.filter(organization=org_a, status="normal").count() == (
        org_a.organization_functions.count()
    )


@pytest.mark.django_db
def test_the_form_explains_bad_input(client, login, reporter_a, org_a):
    login(reporter_a)
    response = client.post(
        "/board/FIRM-A/report/",
        {"trading-status": "on_fire", "settlement-message": "x" * 2001},
    )
    assert response.status_code == 400
    assert not StatusReport.objects.exists()
    assert 'class="errorlist"' in response.content.decode()


@pytest.mark.django_db
def test_only_the_organizations_reporters_may_use_the_form(
    client, login, reporter_b, viewer_a, org_a
):
    assert client.get("/board/FIRM-A/report/").status_code == 302  # to the login page
    for outsider in (reporter_b, viewer_a):
        login(outsider)
        assert client.get("/board/FIRM-A/report/").status_code == 403
        assert client.post("/board/FIRM-A/report/all-normal/").status_code == 403
    assert not StatusReport.objects.exists()


@pytest.mark.django_db
def test_report_status_leads_a_reporter_to_its_organization(client, login, reporter_a):
    login(reporter_a)
    response = client.get("/report/")
    assert response.status_code == 302 and response["Location"] == "/board/FIRM-A/report/"
