from django.conf import settings

from organizations import permissions


def portal(request):
    user = getattr(request, "user", None)
    return {
        "is_member": bool(user and permissions.is_member(user)),
        "is_hq": bool(user and permissions.in_group(user, permissions.HQ_STAFF)),
        "is_jsda_admin": bool(user and permissions.in_group(user, permissions.JSDA_ADMIN)),
        "site_url": settings.SITE_URL,
    }
