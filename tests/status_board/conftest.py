from pathlib import Path

import pytest

from status_board import snapshots
from tests import factories


@pytest.fixture(autouse=True)
def _fresh_board():
    """Each test starts without this process's copy of the cached board."""
    snapshots.reset_local_state()
    yield
    snapshots.reset_local_state()


@pytest.fixture
def members_only_org(db):
    return factories.organization(
        "SECRET-SEC", name_ja="非公開証券", name_en="Members Only Securities"
    )


@pytest.fixture
def report(django_capture_on_commit_callbacks):
    """Post a status through the service, running what happens on commit (the rebuild)."""
    from status_board import services

    def _report(user, organization, function, status, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return services.status_report_create(
                actor=user,
                organization=organization,
                entry=services.ReportInput(function=function, status=status, **extra),
            )

    return _report


@pytest.fixture
def published(settings, tmp_path) -> Path:
    """The published copy of the board (status_board.publishing) in a directory of its own."""
    root = tmp_path / "published"
    settings.BOARD_PUBLISH_DIR = str(root)
    return root


@pytest.fixture
def pub_reporter(public_org):
    return factories.user("reporter_pub", role="reporter", organization=public_org)
