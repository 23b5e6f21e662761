"""Webhook URLs may not point inside the portal's network (SSRF): refused when saved, with the
reason in the member's language, for every form a probe tried."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from common.netguard import UnresolvableHost, UnsafeURL, check_url
from organizations import services
from organizations.models import WebhookEndpoint

pytestmark = pytest.mark.django_db

REFUSED = [
    ("http://127.0.0.1:8000/hook", "https://"),
    ("https://127.0.0.1/hook", "内部"),
    ("https://[::1]/hook", "内部"),
    ("https://[::ffff:127.0.0.1]/hook", "内部"),
    ("https://169.254.169.254/latest/meta-data/", "内部"),
    ("https://10.0.0.1/", "内部"),
    ("https://192.168.1.10/", "内部"),
    ("https://172.16.0.5/", "内部"),
    ("https://100.64.0.1/", "内部"),
    ("https://[fd00::1]/", "内部"),
    ("https://[fe80::1]/", "内部"),
    ("https://224.0.0.1/", "内部"),
    ("https://0.0.0.0/", "内部"),
    ("https://metadata.google.internal/computeMetadata/v1/", "内部のサービス"),
    ("https://anything.internal/", "内部のサービス"),
    ("ftp://hooks.example.com/", "https://"),
    ("https://user:pass@hooks.example.com/", "ユーザー名やパスワード"),
]


@pytest.mark.parametrize(("url", "reason"), REFUSED)
def test_the_page_refuses_an_internal_or_unsafe_url(client, login, reporter_a, org_a, url, reason):
    login(reporter_a)
    response = client.post(
        f"/organizations/{org_a.code}/webhooks/new/",
        {"url": url, "secret": "a long shared passphrase", "active": "on"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "errorlist" in page
    assert reason in page
    assert not WebhookEndpoint.objects.exists()


def test_the_service_refuses_them_too_in_english(org_a, reporter_a):
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        services.webhook_save(
            actor=reporter_a,
            webhook=WebhookEndpoint(organization=org_a, url="https://10.1.2.3/x", secret="s3cret"),
        )
    assert "internal or reserved address (10.1.2.3)" in str(excinfo.value.message_dict["url"])


def test_a_name_that_resolves_inside_is_refused(monkeypatch):
    def resolve(host, port):
        return ["10.9.8.7", "203.0.113.9"]

    with pytest.raises(UnsafeURL, match="10.9.8.7"):
        check_url("https://hooks.example.com/", resolve=resolve)


def test_a_public_address_passes_and_is_the_one_to_connect_to():
    checked = check_url("https://hooks.example.com:8443/bcp?x=1", resolve=lambda h, p: ["8.8.8.8"])
    assert (checked.host, checked.port, checked.address) == ("hooks.example.com", 8443, "8.8.8.8")
    assert checked.connect_url == "https://8.8.8.8:8443/bcp?x=1"
    assert check_url("https://[2001:4860::8888]/", resolve=None).connect_url.startswith(
        "https://[2001:4860::8888]:443/"
    )


def test_a_name_that_does_not_resolve_yet_is_kept_and_checked_at_each_send(org_a, reporter_a):
    with pytest.raises(UnresolvableHost):
        check_url("https://no-such-host.invalid/", resolve=lambda h, p: [])
    hook = services.webhook_save(
        actor=reporter_a,
        webhook=WebhookEndpoint(
            organization=org_a, url="https://hooks.example.test/bcp", secret="s3cret-value"
        ),
    )
    assert hook.pk


def test_http_and_lab_networks_only_where_the_settings_say(settings):
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOWED_NETWORKS = ["192.0.2.0/24"]
    from common.netguard import check_webhook_url

    assert check_webhook_url("http://192.0.2.10/hook").address == "192.0.2.10"
    with pytest.raises(UnsafeURL):
        check_webhook_url("http://10.0.0.1/hook")


def test_a_whsec_secret_must_be_base64(org_a, reporter_a):
    with pytest.raises(ValidationError) as excinfo:
        services.webhook_save(
            actor=reporter_a,
            webhook=WebhookEndpoint(
                organization=org_a, url="https://hooks.example.test/x", secret="whsec_!!!"
            ),
        )
    assert "secret" in excinfo.value.message_dict
