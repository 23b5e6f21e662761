"""A drill never reaches the real board: not its pages, API, feeds, cache or published copy,
nor the situation of a real incident. The drill incident is evaluated on the drill board."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from emergency_hq.incidents import dashboard
from emergency_hq.incidents import services as incidents
from status_board import snapshots
from status_board.models import CurrentStatus, StatusReport
from tests import factories

pytestmark = pytest.mark.django_db

SECRET = "訓練専用メッセージ-XYZZY"


@pytest.fixture
def public_reporter(public_org):
    factories.contact(public_org, "Head PUB")
    return factories.user("reporter_pub", role="reporter", organization=public_org)


@pytest.fixture
def drill_with_reports(
    api_client, running, public_org, public_reporter, reporter_a, django_capture_on_commit_callbacks
):
    drill = running(organizations=["FIRM-A", "FIRM-B", "FIRM-C", "PUB-EX"])
    snapshots.rebuild()
    version = cache.get(snapshots.KEY_DATA_VERSION)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for user, code, function in (
            (public_reporter, "PUB-EX", "trading"),
            (reporter_a, "FIRM-A", "trading"),
        ):
            api_client.force_authenticate(user)
            response = api_client.post(
                "/api/v1/status-reports/",
                {
                    "organization": code,
                    "function": function,
                    "status": "suspended",
                    "message": SECRET,
                    "drill": drill.pk,
                },
                format="json",
            )
            assert response.status_code == 201, response.json()
    api_client.force_authenticate(None)
    return {"drill": drill, "version": version, "callbacks": callbacks}


def test_nothing_is_written_to_the_real_board_or_its_cache(drill_with_reports):
    assert StatusReport.objects.count() == 0
    assert CurrentStatus.objects.count() == 0
    # No rebuild was asked for and the cached bundle's data version did not move.
    assert drill_with_reports["callbacks"] == []
    assert cache.get(snapshots.KEY_DATA_VERSION) == drill_with_reports["version"]
    bundle, _stale = snapshots.current()
    for variant in bundle.variants.values():
        assert SECRET.encode() not in variant.body
        assert SECRET not in variant.fragment
        assert b"suspended" not in variant.body or variant.content_type.startswith("text/html")


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/api/v1/board/",
        "/api/v1/status-reports/",
        "/api/v1/status-reports/?organization=PUB-EX",
        "/feeds/status.atom",
        "/board/PUB-EX/",
        "/board/PUB-EX/feed.atom",
        "/api/v1/organizations/",
    ],
)
def test_no_public_surface_shows_a_drill_report(client, drill_with_reports, url):
    response = client.get(url)
    assert response.status_code == 200
    body = b"".join(response) if response.streaming else response.content
    text = body.decode()
    assert SECRET not in text
    if url.startswith("/api/") or url.endswith(".atom"):
        assert "suspended" not in text


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/api/v1/board/",
        "/api/v1/status-reports/",
        "/members/board/",
        "/members/board/export.csv",
        "/board/FIRM-A/",
        "/board/FIRM-A/feed.atom",
        "/feeds/status.atom",
    ],
)
def test_no_members_surface_of_the_real_board_shows_it_either(
    client, login, viewer_a, drill_with_reports, url
):
    login(viewer_a)
    response = client.get(url)
    assert response.status_code == 200
    body = b"".join(response) if response.streaming else response.content
    assert SECRET not in body.decode("utf-8-sig")


def test_the_board_api_still_says_not_reported(api_client, login, viewer_a, drill_with_reports):
    api_client.force_authenticate(viewer_a)
    board = api_client.get("/api/v1/board/").json()
    statuses = {
        (o["code"], f["function"]): f["status"]
        for o in board["organizations"]
        for f in o["functions"]
    }
    assert statuses[("PUB-EX", "trading")] == "not_reported"
    assert statuses[("FIRM-A", "trading")] == "not_reported"


def test_a_real_incident_never_counts_drill_reports(hq_user, drill_with_reports):
    real = incidents.incident_open(
        actor=hq_user, title="実際の停電", kind="power_outage", severity=2
    )
    situation = dashboard.situation(user=hq_user, incident=real)
    assert situation.reported == []
    assert situation.by_status["suspended"] == 0


def test_the_drill_incident_is_evaluated_on_the_drill_board(hq_user, drill_with_reports):
    drill = drill_with_reports["drill"]
    situation = dashboard.situation(user=hq_user, incident=drill.incident)
    assert sorted(o.code for o in situation.organizations) == [
        "FIRM-A",
        "FIRM-B",
        "FIRM-C",
        "PUB-EX",
    ]
    assert sorted(o.code for o in situation.reported) == ["FIRM-A", "PUB-EX"]
    assert situation.by_status["suspended"] == 2
    # The drill's own alert counts with the incident's acknowledgements.
    assert situation.acks == {"acknowledged": 0, "pending": 4}


def test_the_drill_incidents_situation_api_reads_the_drill_board(
    api_client, hq_user, drill_with_reports
):
    drill = drill_with_reports["drill"]
    api_client.force_authenticate(hq_user)
    data = api_client.get(f"/api/v1/incidents/{drill.incident_id}/situation/").json()
    assert data["is_drill"] is True
    assert data["reported"] == 2 and data["by_status"]["suspended"] == 2


@pytest.mark.parametrize(
    "url",
    ["/", "/api/v1/board/", "/api/v1/status-reports/", "/feeds/status.atom", "/board/PUB-EX/"],
)
def test_the_same_report_posted_as_real_does_show_there(
    api_client, client, public_reporter, firms, url, django_capture_on_commit_callbacks
):
    """The control: these surfaces would show the text, so their silence above means something."""
    api_client.force_authenticate(public_reporter)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            "/api/v1/status-reports/",
            {
                "organization": "PUB-EX",
                "function": "trading",
                "status": "suspended",
                "message": SECRET,
            },
            format="json",
        )
    assert response.status_code == 201
    page = client.get(url)
    body = b"".join(page) if page.streaming else page.content
    assert SECRET in body.decode()


@pytest.fixture
def published(settings, tmp_path):
    root = tmp_path / "published"
    settings.BOARD_PUBLISH_DIR = str(root)
    return root


def test_a_drill_never_reaches_the_published_copy(published, drill_with_reports):
    """The copy nginx serves was written before the drill's reports and stays as it was."""
    from status_board import publishing

    files = {p: p.read_bytes() for p in published.rglob("*") if p.is_file()}
    assert (published / "ja/index.html").exists() and (published / "ja/board/PUB-EX").is_dir()
    publishing.publish(full=True)  # even a full rewrite finds nothing of the drill
    for path in published.rglob("*"):
        if path.is_file() and path.suffix != ".gz":
            assert SECRET.encode() not in path.read_bytes(), path
    assert {p: p.read_bytes() for p in files} == files
