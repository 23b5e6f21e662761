import pytest

from organizations.models import Contact
from tests import factories

pytestmark = pytest.mark.django_db


def _post_contact(client, org, **data):
    payload = {
        "name": "新担当",
        "email": "new@example.test",
        "language": "ja",
        "order": 1,
        "active": "on",
    }
    payload.update(data)
    return client.post(f"/organizations/{org.code}/contacts/new/", payload)


def test_a_reporter_adds_a_contact_to_its_tree(client, login, reporter_a, org_a):
    login(reporter_a)
    response = _post_contact(client, org_a)
    assert response.status_code == 302
    contact = Contact.objects.get(organization=org_a, name="新担当")
    assert contact.history.latest().history_user == reporter_a
    assert "新担当" in client.get(f"/organizations/{org_a.code}/contacts/").content.decode()


def test_a_contact_needs_a_way_to_reach_it(client, login, reporter_a, org_a):
    login(reporter_a)
    response = _post_contact(client, org_a, email="")
    assert response.status_code == 200
    assert (
        "e-mail, phone or SMS" in response.content.decode() or "メール" in response.content.decode()
    )
    assert not Contact.objects.filter(name="新担当").exists()


def test_a_bad_email_is_refused_with_a_form_error(client, login, reporter_a, org_a):
    login(reporter_a)
    response = _post_contact(client, org_a, email="not-an-address")
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert not Contact.objects.exists()


def test_the_parent_must_be_in_the_same_organization(client, login, reporter_a, org_a, org_b):
    foreign = factories.contact(org_b, "Foreign Head")
    login(reporter_a)
    response = _post_contact(client, org_a, parent=foreign.pk)
    assert response.status_code == 200
    assert not Contact.objects.filter(organization=org_a).exists()


def test_a_loop_in_the_tree_is_refused(client, login, reporter_a, org_a):
    head = factories.contact(org_a, "Head")
    deputy = factories.contact(org_a, "Deputy", order=2, parent=head)
    login(reporter_a)
    response = client.post(
        f"/organizations/{org_a.code}/contacts/{head.pk}/edit/",
        {
            "name": "Head",
            "email": "head@example.test",
            "language": "ja",
            "order": 1,
            "parent": deputy.pk,
            "active": "on",
        },
    )
    assert response.status_code == 200
    head.refresh_from_db()
    assert head.parent is None


def test_removing_a_contact_keeps_its_children_in_the_tree(client, login, reporter_a, org_a):
    head = factories.contact(org_a, "Head")
    deputy = factories.contact(org_a, "Deputy", order=2, parent=head)
    member = factories.contact(org_a, "Member", order=3, parent=deputy)
    login(reporter_a)
    assert (
        client.post(f"/organizations/{org_a.code}/contacts/{deputy.pk}/delete/").status_code == 302
    )
    member.refresh_from_db()
    assert member.parent == head
    assert Contact.history.filter(id=deputy.pk, history_type="-").exists()


def test_other_organizations_cannot_see_or_edit_contacts(
    client, login, reporter_b, viewer_a, org_a
):
    head = factories.contact(org_a, "Head")
    for outsider in (reporter_b, viewer_a):
        login(outsider)
        assert client.get(f"/organizations/{org_a.code}/contacts/").status_code == 403
        assert _post_contact(client, org_a).status_code == 403
        assert (
            client.post(f"/organizations/{org_a.code}/contacts/{head.pk}/delete/").status_code
            == 403
        )
    assert Contact.objects.filter(organization=org_a).count() == 1


def test_anonymous_visitors_are_sent_to_login(client, org_a):
    response = client.get(f"/organizations/{org_a.code}/contacts/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_jsda_admin_manages_any_tree(client, login, admin_user, org_a):
    login(admin_user)
    assert _post_contact(client, org_a).status_code == 302


def test_a_contact_of_another_organization_is_not_found_under_mine(
    client, login, reporter_a, org_a, org_b
):
    foreign = factories.contact(org_b, "Foreign Head")
    login(reporter_a)
    assert client.get(f"/organizations/{org_a.code}/contacts/{foreign.pk}/edit/").status_code == 404


def test_webhooks_are_kept_with_the_contacts(client, login, reporter_a, reporter_b, org_a):
    login(reporter_a)
    response = client.post(
        f"/organizations/{org_a.code}/webhooks/new/",
        {"url": "https://hooks.example.test/bcp", "secret": "a-long-secret", "active": "on"},
    )
    assert response.status_code == 302
    assert org_a.webhooks.get().url == "https://hooks.example.test/bcp"
    login(reporter_b)
    assert client.get(f"/organizations/{org_a.code}/webhooks/new/").status_code == 403


def test_control_characters_in_a_contact_are_dropped(client, login, reporter_a, org_a):
    login(reporter_a)
    response = _post_contact(client, org_a, name="新\x01担当", notes="夜間は\x1b携帯へ\n二行目")
    assert response.status_code == 302
    contact = Contact.objects.get(organization=org_a)
    assert (contact.name, contact.notes) == ("新担当", "夜間は携帯へ\n二行目")
