import pytest
from django.core.management import CommandError, call_command

from organizations import permissions
from organizations.permissions import Action

pytestmark = pytest.mark.django_db


def test_it_creates_a_reporter_of_an_organization(org_a):
    call_command(
        "add_member",
        "alice",
        "--role",
        "reporter",
        "--org",
        org_a.code.lower(),
        "--password",
        "pw-123456789",
        "--email",
        "alice@example.test",
    )
    from django.contrib.auth.models import User

    alice = User.objects.get(username="alice")
    assert alice.check_password("pw-123456789")
    assert permissions.can(alice, Action.REPORT_STATUS, org_a)


def test_it_gives_market_roles_without_an_organization(db):
    call_command("add_member", "hq2", "--role", "hq_staff")
    from django.contrib.auth.models import User

    assert permissions.can(User.objects.get(username="hq2"), Action.RUN_HQ)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--role", "boss"], "不明な役割 boss"),
        (["--role", "reporter", "--org", "NOPE"], "不明な組織です: NOPE"),
        (["--role", "viewer"], "--org CODE"),
        (
            ["--role", "reporter", "--org", "FIRM-A", "--email", "not-an-email"],
            "valid email|メールアドレス",
        ),
    ],
)
def test_it_refuses_bad_input_with_a_clear_message(org_a, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("add_member", "bob", *args)
    from django.contrib.auth.models import User

    assert not User.objects.filter(username="bob").exists()


def test_the_command_exits_non_zero_on_refusal(transactional_db):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "manage.py", "add_member", "carol", "--role", "boss"],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
    )
    assert result.returncode != 0
    assert "不明な役割 boss" in result.stderr


def test_history_attributes_the_grant_to_the_system_account(org_a):
    call_command("add_member", "dave", "--role", "reporter", "--org", org_a.code)
    from django.contrib.auth.models import User

    record = User.history.filter(username="dave").latest("history_date")
    assert record.history_user.username == "system"


def _env():
    import os

    from django.conf import settings

    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "bcpweb.settings.test"
    env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return env
