"""A password alone never gives an HQ or admin account a second factor (issue 10, defect 1).

The test settings are production-like here: OTP_REQUIRED is true.
"""

import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from organizations import two_factor
from organizations.models import TwoFactorEnrolment
from organizations.services import system_actor
from tests import factories

pytestmark = pytest.mark.django_db


def _password_login(client, user):
    response = client.post(
        "/accounts/login/", {"username": user.username, "password": factories.PASSWORD}
    )
    assert response.status_code == 302


def _code(device) -> str:
    return f"{totp(device.bin_key):06d}"


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_a_password_alone_cannot_enrol_a_new_device_over_a_confirmed_one(client, hq_user):
    factories.verified_device(hq_user)
    _password_login(client, hq_user)
    page = client.get("/accounts/otp/setup/")
    assert page.status_code == 302
    assert page["Location"].startswith("/accounts/otp/verify/")
    assert not TOTPDevice.objects.filter(user=hq_user, confirmed=False).exists()
    # Even a POST with a code for a device the attacker made up leads nowhere.
    intruder = TOTPDevice.objects.create(user=hq_user, name="intruder", confirmed=False)
    response = client.post("/accounts/otp/setup/", {"token": _code(intruder)})
    assert response.status_code == 302 and "/accounts/otp/verify/" in response["Location"]
    intruder.refresh_from_db()
    assert not intruder.confirmed
    assert client.get("/hq/incidents/")["Location"].startswith("/accounts/otp/verify/")


def test_a_verified_session_may_add_a_further_device(client, login, hq_user):
    login(hq_user)
    assert client.get("/accounts/otp/setup/").status_code == 200
    device = TOTPDevice.objects.get(user=hq_user, confirmed=False)
    assert client.post("/accounts/otp/setup/", {"token": _code(device)}).status_code == 302
    assert TOTPDevice.objects.filter(user=hq_user, confirmed=True).count() == 2


def test_hq_staff_without_a_device_cannot_enrol_without_a_link(client, hq_user):
    _password_login(client, hq_user)
    assert client.get("/hq/incidents/")["Location"].startswith("/accounts/otp/setup/")
    page = client.get("/accounts/otp/setup/")
    assert page.status_code == 403
    assert 'id="enrolment-needed"' in page.content.decode() and "<svg" not in page.content.decode()
    assert client.post("/accounts/otp/setup/", {"token": "123456"}).status_code == 403
    assert not TOTPDevice.objects.filter(user=hq_user).exists()
    assert client.get("/hq/incidents/").status_code == 302


def test_the_enrolment_link_enrols_once_and_records_its_use(client, admin_user, hq_user):
    url = two_factor.enrolment_link_issue(actor=admin_user, user=hq_user)
    _password_login(client, hq_user)
    page = client.get(_path(url))
    assert page.status_code == 200 and "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=hq_user, confirmed=False)
    response = client.post(_path(url), {"token": _code(device), "next": "/hq/incidents/"})
    assert response.status_code == 302 and response["Location"] == "/hq/incidents/"
    assert client.get("/hq/incidents/").status_code == 200
    link = TwoFactorEnrolment.objects.get(user=hq_user)
    assert link.used_at is not None and link.used_from == "127.0.0.1"
    assert link.issued_by == admin_user
    assert link.history.filter(used_at__isnull=False, history_user=hq_user).exists()
    # Single use: the same link does nothing a second time.
    again = client.get(_path(url))
    assert again.status_code == 403 and 'id="enrolment-invalid"' in again.content.decode()


def test_a_link_works_only_for_the_account_it_was_issued_for(client, admin_user, hq_user):
    url = two_factor.enrolment_link_issue(actor=admin_user, user=hq_user)
    other = factories.user("hq_other", role="hq_staff")
    _password_login(client, other)
    assert client.get(_path(url)).status_code == 403
    assert not TOTPDevice.objects.filter(user=other).exists()


def test_an_expired_or_replaced_link_is_refused(client, admin_user, hq_user):
    from datetime import timedelta

    first = two_factor.enrolment_link_issue(actor=admin_user, user=hq_user)
    second = two_factor.enrolment_link_issue(actor=admin_user, user=hq_user)
    _password_login(client, hq_user)
    assert client.get(_path(first)).status_code == 403  # replaced by the second
    TwoFactorEnrolment.objects.filter(revoked_at=None).update(
        expires_at=TwoFactorEnrolment.objects.get(revoked_at=None).issued_at - timedelta(1)
    )
    assert client.get(_path(second)).status_code == 403


def test_a_link_used_up_between_page_and_code_enrols_nothing(client, admin_user, hq_user):
    url = two_factor.enrolment_link_issue(actor=admin_user, user=hq_user)
    _password_login(client, hq_user)
    client.get(_path(url))
    device = TOTPDevice.objects.get(user=hq_user, confirmed=False)
    TwoFactorEnrolment.objects.update(used_at=timezone.now())  # used from another session
    assert client.post(_path(url), {"token": _code(device)}).status_code == 403
    device.refresh_from_db()
    assert not device.confirmed


def test_only_administrators_issue_links(hq_user, reporter_a):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        two_factor.enrolment_link_issue(actor=hq_user, user=reporter_a)
    assert not TwoFactorEnrolment.objects.exists()


def test_a_reporter_still_enrols_on_their_own(client, reporter_a):
    _password_login(client, reporter_a)
    assert client.get("/accounts/otp/setup/").status_code == 200
    device = TOTPDevice.objects.get(user=reporter_a, confirmed=False)
    assert client.post("/accounts/otp/setup/", {"token": _code(device)}).status_code == 302
    assert client.get("/my/").status_code == 200


def test_add_member_prints_a_link_for_hq_and_admin_roles_only(capsys, client, org_a):
    call_command("add_member", "new-hq", "--role", "hq_staff", "--password", factories.PASSWORD)
    out = capsys.readouterr().out
    url = re.search(r"https?://\S+/accounts/otp/enrol/\S+/", out).group(0)
    from django.contrib.auth.models import User

    new_hq = User.objects.get(username="new-hq")
    _password_login(client, new_hq)
    assert client.get(_path(url)).status_code == 200
    assert TwoFactorEnrolment.objects.get(user=new_hq).issued_by == system_actor()
    call_command("add_member", "new-rep", "--role", "reporter", "--org", org_a.code)
    assert "/accounts/otp/enrol/" not in capsys.readouterr().out


def test_the_admin_issues_a_link_from_the_user_list(client, login, admin_user, hq_user):
    admin_user.is_staff = True
    admin_user.save()
    login(admin_user)
    response = client.post(
        "/admin/auth/user/",
        {"action": "issue_enrolment_link", "_selected_action": [hq_user.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert re.search(r"/accounts/otp/enrol/[\w-]+/", page)
    assert TwoFactorEnrolment.objects.get(user=hq_user).issued_by == admin_user


def test_two_factor_link_reissues_a_link_and_refuses_unknown_users(capsys, client, hq_user):
    from django.core.management import CommandError

    call_command("two_factor_link", hq_user.username)
    first = re.search(r"/accounts/otp/enrol/\S+/", capsys.readouterr().out).group(0)
    call_command("two_factor_link", hq_user.username)
    second = re.search(r"/accounts/otp/enrol/\S+/", capsys.readouterr().out).group(0)
    _password_login(client, hq_user)
    assert client.get(first).status_code == 403  # the newer link replaced it
    assert client.get(second).status_code == 200
    with pytest.raises(CommandError, match="nobody"):
        call_command("two_factor_link", "nobody")
