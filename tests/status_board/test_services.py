import threading
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from status_board import services
from status_board.models import CurrentStatus, StatusReport
from status_board.services import ReportInput
from tests import factories


@pytest.mark.django_db
def test_a_report_is_kept_and_becomes_the_current_status(reporter_a, org_a):
    services.status_report_create(
        actor=reporter_a,
        organization=org_a,
        entry=ReportInput(function="trading", status="degraded", message="一部停止"),
    )
    report = services.status_report_create(
        actor=reporter_a, organization=org_a, entry=ReportInput(function="trading", status="normal")
    )
    history = list(StatusReport.objects.filter(organization=org_a, function__code="trading"))
    assert [r.status for r in history] == ["normal", "degraded"]  # newest first, both kept
    assert all(r.reported_by == reporter_a for r in history)
    current = CurrentStatus.objects.get(organization=org_a, function__code="trading")
    assert current.report == report and current.status == "normal"
    assert current.impaired_since is None


@pytest.mark.django_db
def test_impaired_since_survives_changes_between_impaired_statuses(reporter_a, org_a):
    first = services.status_report_create(
        actor=reporter_a, organization=org_a, entry=ReportInput("trading", "suspended")
    )
    services.status_report_create(
        actor=reporter_a, organization=org_a, entry=ReportInput("trading", "degraded")
    )
    current = CurrentStatus.objects.get(organization=org_a, function__code="trading")
    assert current.impaired_since == first.reported_at


@pytest.mark.django_db
def test_all_normal_reports_every_function_in_one_go(reporter_a, org_a):
    reports = services.status_all_normal(actor=reporter_a, organization=org_a)
    held = set(org_a.organization_functions.values_list("function__code", flat=True))
    assert {r.function.code for r in reports} == held and len(held) >= 4
    assert set(
        CurrentStatus.objects.filter(organization=org_a).values_list("status", flat=True)
    ) == {"normal"}


@pytest.mark.django_db
def test_a_reporter_touches_only_its_own_organization(reporter_b, viewer_a, org_a):
    for outsider in (reporter_b, viewer_a):
        with pytest.raises(PermissionDenied):
            services.status_report_create(
                actor=outsider, organization=org_a, entry=ReportInput("trading", "normal")
            )
    assert not StatusReport.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "entry, field",
    [
        (ReportInput("trading", "not_reported"), "status"),
        (ReportInput("trading", "on_fire"), "status"),
        (ReportInput("clearing", "normal"), "function"),  # not held by a securities firm
        (ReportInput("no_such_function", "normal"), "function"),
        (ReportInput("trading", "normal", message="x" * 2001), "message"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(reporter_a, org_a, entry, field):
    with pytest.raises(ValidationError) as error:
        services.status_reports_create(
            actor=reporter_a,
            organization=org_a,
            entries=[ReportInput("trading", "normal"), entry],
        )
    assert field in error.value.message_dict
    assert not StatusReport.objects.exists()  # all or nothing


@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_lose_no_report_and_the_latest_is_current():
    org = factories.organization("RACE", functions=["trading"])
    users = [factories.user(f"rep{i}", role="reporter", organization=org) for i in range(6)]
    barrier = threading.Barrier(len(users))
    errors = []

    def post(user, status):
        try:
            barrier.wait()
            services.status_report_create(
                actor=user, organization=org, entry=ReportInput("trading", status)
            )
        except Exception as error:  # noqa: BLE001 — surfaced by the assertion below
            errors.append(error)
        finally:
            connection.close()

    statuses = ["normal", "degraded", "suspended", "backup_site", "closed", "normal"]
    threads = [
        threading.Thread(target=post, args=(u, s)) for u, s in zip(users, statuses, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    reports = list(StatusReport.objects.filter(organization=org).order_by("-reported_at", "-id"))
    assert len(reports) == 6
    assert len({r.reported_at for r in reports}) == 6
    current = CurrentStatus.objects.get(organization=org)
    assert current.report_id == reports[0].pk


@pytest.mark.django_db
def test_a_naive_expected_recovery_time_is_refused(reporter_a, org_a):
    naive = (timezone.now() + timedelta(hours=2)).replace(tzinfo=None)
    with pytest.raises(ValidationError):
        services.status_report_create(
            actor=reporter_a,
            organization=org_a,
            entry=ReportInput("trading", "suspended", expected_recovery_at=naive),
        )
