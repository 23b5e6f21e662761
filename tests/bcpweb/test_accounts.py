import pytest
from django.core import mail
from django_otp.oath import totp

from tests import factories

pytestmark = pytest.mark.django_db


def test_hq_staff_without_a_device_must_set_one_up(client, hq_user):
    client.force_login(hq_user)
    response = client.get("/my/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/otp/setup/")


def test_setting_up_totp_verifies_the_session(client, hq_user):
    from organizations import services, two_factor

    url = two_factor.enrolment_link_issue(actor=services.system_actor(), user=hq_user)
    enrol = "/accounts/otp/enrol/" + url.rsplit("/enrol/", 1)[1]
    client.force_login(hq_user)
    page = client.get(enrol)
    assert page.status_code == 200 and "<svg" in page.content.decode()
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=hq_user, confirmed=False)
    response = client.post(enrol, {"token": f"{totp(device.bin_key):06d}"})
    assert response.status_code == 302
    assert client.get("/my/").status_code == 200


def test_a_wrong_code_is_refused(client, hq_user):
    device = factories.verified_device(hq_user)
    client.force_login(hq_user)
    wrong = (totp(device.bin_key) + 1) % 1_000_000
    response = client.post("/accounts/otp/verify/", {"token": f"{wrong:06d}"})
    assert response.status_code == 200
    assert client.get("/my/").status_code == 302


def test_a_reporter_with_a_device_is_asked_for_the_code(client, reporter_a):
    factories.verified_device(reporter_a)
    client.force_login(reporter_a)
    assert client.get("/my/")["Location"].startswith("/accounts/otp/verify/")


def test_a_reporter_without_a_device_is_not_forced(client, reporter_a):
    client.force_login(reporter_a)
    assert client.get("/my/").status_code == 200


def test_an_api_call_on_an_unverified_session_is_a_json_403(client, hq_user):
    client.force_login(hq_user)
    response = client.get("/api/v1/organizations/")
    assert response.status_code == 403
    assert response.json()["message"]


def test_login_is_throttled_after_repeated_failures(client, reporter_a):
    for _ in range(5):
        client.post("/accounts/login/", {"username": reporter_a.username, "password": "bad"})
    response = client.post(
        "/accounts/login/", {"username": reporter_a.username, "password": factories.PASSWORD}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_good_login_works(client, reporter_a):
    response = client.post(
        "/accounts/login/", {"username": reporter_a.username, "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(reporter_a.pk)


def test_password_reset_sends_a_link_by_email(client, reporter_a):
    response = client.post("/accounts/password_reset/", {"email": reporter_a.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body


def test_logout_needs_a_post(client, reporter_a):
    client.force_login(reporter_a)
    assert client.get("/accounts/logout/").status_code == 405
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session


def test_pages_are_japanese_first_and_switch_to_english(client):
    assert '<html lang="ja">' in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert '<html lang="en">' in client.get("/").content.decode()
