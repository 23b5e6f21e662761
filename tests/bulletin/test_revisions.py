"""Revisions keep every version with a visible diff; withdrawal (取消) replaces deletion."""

import pytest
from django.core.exceptions import ValidationError

from bulletin import services
from bulletin.models import Circular

from .conftest import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def circular(hq_user, org_a):
    return publish(
        hq_user,
        title_ja="売買停止のお知らせ",
        body_ja="全銘柄の売買を停止します。\n\n再開は未定です。",
        audience="members",
        requires_ack=True,
    )


def test_a_revision_keeps_the_old_version_and_shows_the_change(
    client, login, hq_user, circular, viewer_a
):
    login(hq_user)
    response = client.post(
        f"/circulars/{circular.number}/edit/",
        {
            "title_ja": "売買停止のお知らせ（第2報）",
            "title_en": "",
            "body_ja": "全銘柄の売買を停止します。\n\n14時に再開します。",
            "body_en": "",
            "category": "market_rule",
            "note": "再開時刻を追記",
        },
    )
    assert response.status_code == 302
    circular.refresh_from_db()
    assert circular.revision == 2
    assert "14時に再開" in circular.body_html_ja
    assert circular.number == circular.number  # the number never changes
    assert circular.history.count() == 2
    login(viewer_a)
    detail = client.get(f"/circulars/{circular.number}/").content.decode()
    assert f"/circulars/{circular.number}/history/" in detail
    history = client.get(f"/circulars/{circular.number}/history/").content.decode()
    assert "<del>再開は未定です。</del>" in history
    assert "<ins>14時に再開します。</ins>" in history
    assert "再開時刻を追記" in history
    assert "hq" in history  # who changed it


def test_the_diff_escapes_what_it_shows(client, hq_user, org_a):
    public = publish(hq_user, body_ja="本文")
    services.circular_revise(
        actor=hq_user, circular=public, changes={"body_ja": "<script>alert(1)</script>"}
    )
    history = client.get(f"/circulars/{public.number}/history/").content.decode()
    assert "<script>alert(1)" not in history
    assert "&lt;script&gt;" in history


def test_a_revision_that_changes_nothing_is_refused(hq_user, circular):
    with pytest.raises(ValidationError):
        services.circular_revise(
            actor=hq_user, circular=circular, changes={"title_ja": circular.title_ja}
        )
    with pytest.raises(ValidationError):
        services.circular_revise(actor=hq_user, circular=circular, changes={"title_ja": ""})
    with pytest.raises(ValidationError):
        services.circular_revise(actor=hq_user, circular=circular, changes={"audience": "public"})
    assert Circular.objects.get().revision == 1


@pytest.mark.parametrize("who", ["reporter_a", "regulator_user"])
def test_only_the_issuer_revises_and_withdraws(client, login, request, circular, who):
    login(request.getfixturevalue(who))
    assert client.get(f"/circulars/{circular.number}/edit/").status_code == 403
    assert client.post(f"/circulars/{circular.number}/edit/", {"title_ja": "x"}).status_code == 403
    assert (
        client.post(f"/circulars/{circular.number}/withdraw/", {"reason": "x"}).status_code == 403
    )
    circular.refresh_from_db()
    assert circular.revision == 1 and not circular.is_withdrawn


def test_withdrawal_keeps_the_circular_visible_as_withdrawn(
    client, login, hq_user, reporter_a, circular, api_client
):
    login(hq_user)
    assert client.post(f"/circulars/{circular.number}/withdraw/", {"reason": ""}).status_code == 200
    response = client.post(f"/circulars/{circular.number}/withdraw/", {"reason": "誤送信のため"})
    assert response.status_code == 302
    assert Circular.objects.filter(pk=circular.pk).exists()
    login(reporter_a)
    page = client.get(f"/circulars/{circular.number}/").content.decode()
    assert "誤送信のため" in page
    assert "banner bad" in page
    listing = client.get("/circulars/").content.decode()
    assert circular.number in listing
    assert 'id="tasks"' not in listing  # a withdrawn circular is no longer a task
    api_client.force_authenticate(reporter_a)
    data = api_client.get(f"/api/v1/circulars/{circular.number}/").json()
    assert data["withdrawn"] is True and data["withdrawal_reason"] == "誤送信のため"
    ack = api_client.post(f"/api/v1/circulars/{circular.number}/acknowledge/", {}, format="json")
    assert ack.status_code == 400
    history = client.get(f"/circulars/{circular.number}/history/").content.decode()
    assert "<ins>誤送信のため</ins>" in history


def test_a_withdrawn_circular_cannot_be_revised_or_withdrawn_again(hq_user, circular):
    services.circular_withdraw(actor=hq_user, circular=circular, reason="取消")
    with pytest.raises(ValidationError):
        services.circular_withdraw(actor=hq_user, circular=circular, reason="again")
    with pytest.raises(ValidationError):
        services.circular_revise(actor=hq_user, circular=circular, changes={"title_ja": "新"})


def test_the_feed_marks_withdrawn_circulars(client, hq_user):
    public = publish(hq_user, title_ja="公開通達")
    services.circular_withdraw(actor=hq_user, circular=public, reason="誤り")
    feed = client.get("/circulars/feed/").content.decode()
    assert "公開通達" in feed
    assert "[取消]" in feed or "[Withdrawn]" in feed


def test_nothing_deletes_a_circular(client, login, admin_user, circular):
    login(admin_user)
    response = client.post(f"/admin/bulletin/circular/{circular.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Circular.objects.filter(pk=circular.pk).exists()
