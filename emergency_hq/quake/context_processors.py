"""The request to report, on every page a reporter of an affected organization opens."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from organizations import permissions


def report_requests(request):
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return {}
    ids = permissions.reporter_organization_ids(user)
    if not ids:
        return {}

    def load():
        from . import notify
        from .selectors import report_requests_open

        found = report_requests_open(organization_ids=ids)
        for r in found:
            r.link = notify.report_link(r, absolute=False)
        return found

    # Read only when a template shows it (base.html does, on full pages).
    return {"quake_report_requests": SimpleLazyObject(load)}
