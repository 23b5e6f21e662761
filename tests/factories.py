"""Small builders for test data; they go through the services like real callers do."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from organizations import services
from organizations.models import BusinessFunction, Contact, Organization

PASSWORD = "correct-horse-battery-staple-42"


def ensure_catalogue() -> None:
    """Reference rows of the data migration; a transactional test's flush removes them."""
    from organizations import catalogue
    from organizations.models import Committee

    if not BusinessFunction.objects.exists():
        catalogue.load_functions(BusinessFunction)
    if not Committee.objects.exists():
        catalogue.load_committees(Committee)


def organization(
    code: str,
    *,
    kind: str = "securities_firm",
    is_public: bool = False,
    name_ja: str | None = None,
    name_en: str | None = None,
    functions: list[str] | None = None,
    active: bool = True,
) -> Organization:
    ensure_catalogue()
    org = Organization(
        code=code,
        kind=kind,
        is_public=is_public,
        active=active,
        name_ja=name_ja or f"{code} 株式会社",
        name_en=name_en or f"{code} Co., Ltd.",
    )
    services.organization_save(
        actor=services.system_actor(), organization=org, with_default_functions=functions is None
    )
    if functions is not None:
        services.organization_functions_set(
            actor=services.system_actor(),
            organization=org,
            functions={
                code: BusinessFunction.objects.get(code=code).default_rto_minutes
                for code in functions
            },
        )
    return org


def user(
    username: str,
    *,
    role: str | None = None,
    organization: Organization | None = None,
    email: str | None = None,
):
    User = get_user_model()
    if role is None:
        u = User.objects.create_user(username, email or f"{username}@example.test", PASSWORD)
        return u
    u, _ = services.member_add(
        actor=services.system_actor(),
        username=username,
        role=role,
        organization_code=organization.code if organization else None,
        password=PASSWORD,
        email=email or f"{username}@example.test",
    )
    return u


def contact(
    org: Organization,
    name: str,
    *,
    order: int = 1,
    parent: Contact | None = None,
    email: str | None = None,
    **extra,
) -> Contact:
    c = Contact(
        organization=org,
        name=name,
        order=order,
        parent=parent,
        email=email if email is not None else f"{name.lower().replace(' ', '.')}@example.test",
        **extra,
    )
    return services.contact_save(actor=services.system_actor(), contact=c)


def verified_device(u):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=u, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=u, name="test", confirmed=True)


def login(client, u) -> None:
    """force_login plus, for roles that need it, a verified TOTP device in the session."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from organizations import permissions

    client.force_login(u)
    if permissions.requires_two_factor(u):
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = verified_device(u).persistent_id
        session.save()
