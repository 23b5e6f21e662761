"""Error pages: JSON under /api/, plain pages elsewhere; never a stack trace."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults


def _json(message: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": message, "message": message}, status=status)


def permission_denied(request, exception=None):
    if request.path.startswith("/api/"):
        return _json(_("You do not have permission to do this."), 403)
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return _json(_("Not found."), 404)
    return defaults.page_not_found(request, exception, template_name="404.html")


def server_error(request):
    if request.path.startswith("/api/"):
        return _json(_("Internal error. The operators have been told."), 500)
    return defaults.server_error(request, template_name="500.html")
