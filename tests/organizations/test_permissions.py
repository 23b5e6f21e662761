"""The one permissions module: every role, and the denied path of each."""

import pytest

from organizations import permissions
from organizations.permissions import Action
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_reporter_may_report_only_for_its_own_organization(reporter_a, org_a, org_b):
    assert permissions.can(reporter_a, Action.REPORT_STATUS, org_a)
    assert not permissions.can(reporter_a, Action.REPORT_STATUS, org_b)


def test_a_viewer_reads_but_does_not_report_or_see_contacts(viewer_a, org_a):
    assert permissions.can(viewer_a, Action.VIEW_MEMBERS_AREA)
    assert permissions.can(viewer_a, Action.VIEW_PROFILE, org_a)
    assert not permissions.can(viewer_a, Action.REPORT_STATUS, org_a)
    assert not permissions.can(viewer_a, Action.VIEW_CONTACTS, org_a)


def test_contacts_are_for_own_reporters_and_jsda_admin_only(
    reporter_a, reporter_b, hq_user, regulator_user, admin_user, org_a
):
    assert permissions.can(reporter_a, Action.MANAGE_CONTACTS, org_a)
    assert permissions.can(admin_user, Action.MANAGE_CONTACTS, org_a)
    for outsider in (reporter_b, hq_user, regulator_user):
        assert not permissions.can(outsider, Action.VIEW_CONTACTS, org_a)


def test_anonymous_visitors_see_public_organizations_only(org_a, public_org):
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    assert permissions.can(anonymous, Action.VIEW_ORGANIZATION, public_org)
    assert not permissions.can(anonymous, Action.VIEW_ORGANIZATION, org_a)
    assert not permissions.can(anonymous, Action.VIEW_MEMBERS_AREA)


def test_market_roles(hq_user, regulator_user, admin_user, reporter_a):
    assert permissions.can(hq_user, Action.RUN_HQ)
    assert not permissions.can(regulator_user, Action.RUN_HQ)
    assert permissions.can(regulator_user, Action.READ_EVERYTHING)
    assert permissions.can(admin_user, Action.ADMINISTER)
    assert not permissions.can(hq_user, Action.ADMINISTER)
    assert not permissions.can(reporter_a, Action.READ_EVERYTHING)


def test_a_deactivated_user_loses_every_right(reporter_a, org_a):
    reporter_a.is_active = False
    reporter_a.save()
    assert not permissions.can(reporter_a, Action.REPORT_STATUS, org_a)
    assert not permissions.is_member(reporter_a)


def test_a_user_without_roles_is_not_a_member(db):
    nobody = factories.user("nobody")
    assert not permissions.is_member(nobody)
    assert not permissions.can(nobody, Action.VIEW_MEMBERS_AREA)


def test_revoking_a_role_takes_effect(reporter_a, org_a):
    from organizations import services

    services.role_revoke(
        actor=services.system_actor(), user=reporter_a, role="reporter", organization=org_a
    )
    assert not permissions.can(reporter_a, Action.REPORT_STATUS, org_a)


def test_two_factor_is_required_for_hq_and_admins_only(hq_user, admin_user, regulator_user):
    assert permissions.requires_two_factor(hq_user)
    assert permissions.requires_two_factor(admin_user)
    assert not permissions.requires_two_factor(regulator_user)


def test_a_regulator_answers_alerts_only_for_its_own_organization(db):
    from django.core.management import call_command

    fsa = factories.organization("FSA-T", kind="regulator", functions=[])
    other = factories.organization("BOJ-T", kind="central_bank")
    call_command("add_member", "fsa_staff", "--role", "regulator", "--org", fsa.code)
    from django.contrib.auth.models import User

    staff = User.objects.get(username="fsa_staff")
    assert permissions.can(staff, Action.ACKNOWLEDGE_ALERT, fsa)
    assert not permissions.can(staff, Action.ACKNOWLEDGE_ALERT, other)
    assert permissions.can(staff, Action.READ_EVERYTHING)


def test_a_viewer_does_not_answer_alerts(viewer_a, org_a):
    assert not permissions.can(viewer_a, Action.ACKNOWLEDGE_ALERT, org_a)


def test_reporters_acknowledge_circulars_and_viewers_do_not(reporter_a, viewer_a, org_a, org_b):
    assert permissions.can(reporter_a, Action.ACKNOWLEDGE, org_a)
    assert not permissions.can(reporter_a, Action.ACKNOWLEDGE, org_b)
    assert not permissions.can(viewer_a, Action.ACKNOWLEDGE, org_a)
