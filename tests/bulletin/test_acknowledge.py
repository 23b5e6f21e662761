"""Reading (既読) and acknowledging: per organization, idempotent, visible to the issuer."""

import csv
import io

import pytest
from django.core import mail

from bulletin.models import CircularRecipient
from tests import factories

from .conftest import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def asked(hq_user, org_a, org_b):
    return publish(
        hq_user,
        title_ja="確認をお願いします",
        audience="organizations",
        organizations=["FIRM-A", "FIRM-B"],
        requires_ack=True,
    )


def _ack_url(circular):
    return f"/api/v1/circulars/{circular.number}/acknowledge/"


def test_acknowledging_twice_is_200_both_times_and_keeps_the_first_time(
    api_client, reporter_a, asked
):
    api_client.force_authenticate(reporter_a)
    first = api_client.post(_ack_url(asked), {}, format="json")
    assert first.status_code == 200
    receipt = CircularRecipient.objects.get(circular=asked, organization__code="FIRM-A")
    second = api_client.post(_ack_url(asked), {}, format="json")
    assert second.status_code == 200
    receipt2 = CircularRecipient.objects.get(pk=receipt.pk)
    assert receipt2.acknowledged_at == receipt.acknowledged_at
    assert receipt2.acknowledged_by == reporter_a
    assert receipt2.read_at is not None  # acknowledging implies having read it
    assert second.json()["receipts"][0]["organization"] == "FIRM-A"
    other = CircularRecipient.objects.get(circular=asked, organization__code="FIRM-B")
    assert other.acknowledged_at is None


def test_a_member_it_was_not_sent_to_cannot_acknowledge(api_client, hq_user, org_a, org_b):
    only_a = publish(hq_user, audience="organizations", organizations=["FIRM-A"], requires_ack=True)
    outsider = factories.user("outsider_b", role="reporter", organization=org_b)
    api_client.force_authenticate(outsider)
    assert api_client.post(_ack_url(only_a), {}, format="json").status_code == 404


def test_market_roles_without_an_organization_get_403(api_client, regulator_user, asked):
    api_client.force_authenticate(regulator_user)
    assert api_client.post(_ack_url(asked), {}, format="json").status_code == 403


def test_anonymous_acknowledgement_gets_401(api_client, asked):
    assert api_client.post(_ack_url(asked), {}, format="json").status_code == 401


def test_an_unknown_circular_is_404(api_client, reporter_a):
    api_client.force_authenticate(reporter_a)
    assert api_client.post("/api/v1/circulars/2026-9999/acknowledge/", {}).status_code == 404


def test_acknowledging_for_a_foreign_organization_is_refused(api_client, reporter_a, asked):
    api_client.force_authenticate(reporter_a)
    response = api_client.post(_ack_url(asked), {"organization": "FIRM-B"}, format="json")
    assert response.status_code == 403
    assert not CircularRecipient.objects.filter(acknowledged_at__isnull=False).exists()
    response = api_client.post(_ack_url(asked), {"organization": "GHOST"}, format="json")
    assert response.status_code == 400


def test_opening_the_page_records_a_read_but_never_an_acknowledgement(
    client, login, reporter_a, asked
):
    login(reporter_a)
    page = client.get(f"/circulars/{asked.number}/").content.decode()
    receipt = CircularRecipient.objects.get(circular=asked, organization__code="FIRM-A")
    assert receipt.read_at is not None and receipt.read_by == reporter_a
    assert receipt.acknowledged_at is None
    assert "circular_acknowledge" not in page  # the form posts to the real URL
    assert f"/circulars/{asked.number}/acknowledge/" in page


def test_a_viewer_reads_but_gets_no_acknowledge_button_and_no_task(client, login, viewer_a, asked):
    login(viewer_a)
    page = client.get(f"/circulars/{asked.number}/").content.decode()
    receipt = CircularRecipient.objects.get(circular=asked, organization__code="FIRM-A")
    assert receipt.read_at is not None and receipt.read_by == viewer_a
    assert "未確認" in page or "Not acknowledged yet" in page  # the state is shown
    assert f"/circulars/{asked.number}/acknowledge/" not in page
    assert 'id="tasks"' not in client.get("/circulars/").content.decode()


def test_a_viewer_cannot_acknowledge_through_the_api(api_client, viewer_a, asked):
    api_client.force_authenticate(viewer_a)
    response = api_client.post(_ack_url(asked), {}, format="json")
    assert response.status_code == 403 and response.json()["message"]
    response = api_client.post(_ack_url(asked), {"organization": "FIRM-A"}, format="json")
    assert response.status_code == 403
    assert not CircularRecipient.objects.filter(acknowledged_at__isnull=False).exists()


def test_a_viewer_cannot_acknowledge_through_the_page(client, login, viewer_a, asked):
    login(viewer_a)
    response = client.post(f"/circulars/{asked.number}/acknowledge/", {"organization": "FIRM-A"})
    assert response.status_code == 403
    assert not CircularRecipient.objects.filter(acknowledged_at__isnull=False).exists()


def test_a_regulator_acknowledges_for_its_own_organization(api_client, hq_user):
    fsa = factories.organization("FSA-T", kind="regulator")
    staff = factories.user("fsa_staff", role="regulator", organization=fsa)
    circular = publish(
        hq_user, audience="organizations", organizations=["FSA-T"], requires_ack=True
    )
    api_client.force_authenticate(staff)
    assert api_client.post(_ack_url(circular), {}, format="json").status_code == 200


def test_the_page_acknowledges_with_one_post(client, login, reporter_a, asked):
    login(reporter_a)
    assert client.get(f"/circulars/{asked.number}/acknowledge/").status_code == 405
    response = client.post(f"/circulars/{asked.number}/acknowledge/", {"organization": "FIRM-A"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "確認済み" in page or "Acknowledged" in page
    assert CircularRecipient.objects.get(
        circular=asked, organization__code="FIRM-A"
    ).acknowledged_at


def test_pending_acknowledgements_show_as_tasks(client, login, reporter_a, asked):
    login(reporter_a)
    page = client.get("/circulars/").content.decode()
    assert 'id="tasks"' in page and asked.number in page
    client.post(f"/circulars/{asked.number}/acknowledge/")
    assert 'id="tasks"' not in client.get("/circulars/").content.decode()


def test_a_public_circular_can_be_acknowledged_by_any_member_organization(
    api_client, hq_user, reporter_b, org_a
):
    everyone = publish(hq_user, audience="public", requires_ack=True)
    api_client.force_authenticate(reporter_b)
    assert api_client.post(_ack_url(everyone), {}, format="json").status_code == 200
    assert CircularRecipient.objects.get(
        circular=everyone, organization__code="FIRM-B"
    ).acknowledged_at


def test_the_issuer_follows_progress_and_exports_csv(
    client, login, hq_user, reporter_a, viewer_a, asked
):
    from organizations.models import Organization

    factories.user("viewer_b", role="viewer", organization=Organization.objects.get(code="FIRM-B"))
    login(viewer_a)
    client.get(f"/circulars/{asked.number}/")
    login(reporter_a)
    client.post(f"/circulars/{asked.number}/acknowledge/")
    login(hq_user)
    page = client.get(f"/circulars/{asked.number}/progress/").content.decode()
    assert 'id="count-acknowledged">1<' in page
    assert 'id="count-pending">1<' in page
    response = client.get(f"/circulars/{asked.number}/progress.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {(r["organization"], r["state"]) for r in rows} == {
        ("FIRM-A", "acknowledged"),
        ("FIRM-B", "pending"),
    }
    assert rows[0]["name_ja"] == "テスト証券A"


def test_reminders_go_to_the_pending_organizations_only(
    client, login, hq_user, reporter_a, reporter_b, asked, django_capture_on_commit_callbacks
):
    login(reporter_a)
    client.post(f"/circulars/{asked.number}/acknowledge/")
    login(hq_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/circulars/{asked.number}/remind/")
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[reporter_b.email]]
    assert asked.number in mail.outbox[0].subject
    assert f"/circulars/{asked.number}/" in mail.outbox[0].body
    receipt = CircularRecipient.objects.get(circular=asked, organization__code="FIRM-B")
    assert receipt.reminder_count == 1


@pytest.mark.parametrize("who", ["reporter_a", "reporter_b", "regulator_user"])
def test_progress_csv_and_reminders_are_for_the_issuer_only(client, login, request, asked, who):
    login(request.getfixturevalue(who))
    assert client.get(f"/circulars/{asked.number}/progress/").status_code == 403
    assert client.get(f"/circulars/{asked.number}/progress.csv").status_code == 403
    assert client.post(f"/circulars/{asked.number}/remind/").status_code == 403
    assert not mail.outbox


def test_an_infrastructure_sees_progress_of_its_own_notices_only(
    client, login, hq_user, exchange_reporter, exchange, org_a
):
    own = publish(exchange_reporter, issuer=exchange, audience="members", requires_ack=True)
    market = publish(hq_user, audience="members", requires_ack=True)
    login(exchange_reporter)
    assert client.get(f"/circulars/{own.number}/progress/").status_code == 200
    assert client.get(f"/circulars/{market.number}/progress/").status_code == 403


def test_the_progress_page_needs_few_queries(
    client, login, hq_user, asked, django_assert_max_num_queries
):
    for i in range(20):
        org = factories.organization(f"BULK-{i:02d}")
        CircularRecipient.objects.create(circular=asked, organization=org)
    login(hq_user)
    with django_assert_max_num_queries(15):
        assert client.get(f"/circulars/{asked.number}/progress/").status_code == 200
