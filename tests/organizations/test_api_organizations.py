import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def test_anonymous_callers_see_public_organizations_only(api_client, org_a, public_org):
    body = api_client.get("/api/v1/organizations/").json()
    assert [o["code"] for o in body["results"]] == [public_org.code]
    assert set(body) == {"count", "next", "previous", "results"}
    first = body["results"][0]
    assert set(first) >= {"code", "name_ja", "name_en", "kind", "is_public", "functions"}
    assert "trading" in first["functions"]


def test_members_see_every_organization(api_client, viewer_a, org_a, org_b, public_org):
    api_client.force_authenticate(viewer_a)
    codes = [o["code"] for o in api_client.get("/api/v1/organizations/").json()["results"]]
    assert codes == sorted([org_a.code, org_b.code, public_org.code])


def test_token_authentication_works(api_client, viewer_a, org_a):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=viewer_a)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api_client.get("/api/v1/organizations/").json()["count"] == 1


def test_a_bad_token_is_a_401_with_a_message(api_client, org_a):
    api_client.credentials(HTTP_AUTHORIZATION="Token nope")
    response = api_client.get("/api/v1/organizations/")
    assert response.status_code == 401
    assert response.json()["message"]


def test_pagination_follows_page_size(api_client, viewer_a, org_a):
    for i in range(5):
        factories.organization(f"EXTRA-{i}")
    api_client.force_authenticate(viewer_a)
    body = api_client.get("/api/v1/organizations/?page_size=2").json()
    assert body["count"] == 6
    assert len(body["results"]) == 2
    assert "page=2" in body["next"]


def test_contacts_never_appear_in_the_api(api_client, viewer_a, org_a):
    factories.contact(org_a, "Secret Person", email="secret.person@example.test")
    api_client.force_authenticate(viewer_a)
    assert "secret.person" not in api_client.get("/api/v1/organizations/").content.decode()


def test_an_unknown_api_path_is_a_json_404(api_client):
    response = api_client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["message"]


def test_the_schema_and_docs_are_served_locally(client):
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs
    assert "cdn." not in docs and "unpkg" not in docs and "jsdelivr" not in docs


def test_the_api_docs_are_linked_for_members_only_and_say_their_language(client, login, viewer_a):
    """Investors on the public pages are not sent to a developer's page; members are."""
    link = 'href="/api/docs/"'
    assert link not in client.get("/").content.decode()
    assert link not in client.get("/circulars/").content.decode()
    login(viewer_a)
    assert link in client.get("/circulars/").content.decode()
    assert '<html lang="en">' in client.get("/api/docs/").content.decode()
