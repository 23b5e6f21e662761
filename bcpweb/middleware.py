import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from organizations import permissions

from . import second_site

logger = logging.getLogger(__name__)

# Pages a user may reach while the second factor is still missing or unverified.
_TWO_FACTOR_OPEN_PREFIXES = ("/accounts/", "/static/", "/healthz", "/i18n/")

# The token this middleware read for the request, kept on it so that the API's
# authentication (bcpweb.api_auth) does not read the same token and its user again.
READ_ON_REQUEST = "_bcpweb_api_token"


def _json_403(message: str) -> JsonResponse:
    return JsonResponse({"detail": message, "message": message}, status=403)


class TwoFactorMiddleware:
    """Sends a logged-in user to verify (or, for HQ and admin roles, set up) TOTP first.

    API calls with a token are machine credentials and skip this, except that a token of an
    account that needs a second factor is accepted only where that was chosen and recorded
    (``organizations.two_factor``). Checked here, not in each API view's authentication
    classes, so that no view can forget it. API calls on a browser session get a JSON 403
    instead of a redirect.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        authorization = request.headers.get("Authorization", "")
        if authorization.startswith("Token "):
            try:
                refusal = _token_refusal(request, authorization.removeprefix("Token ").strip())
            except (OperationalError, InterfaceError) as error:
                logger.error("database unavailable: %s", error)
                return database_unavailable_response(request)
            if refusal:
                return _json_403(refusal)
            return self.get_response(request)
        target = self._pending_step(request)
        if target is None:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return _json_403(_("Two-factor verification required."))
        return redirect(f"{reverse(target)}?next={request.get_full_path()}")

    def _pending_step(self, request):
        user = getattr(request, "user", None)
        try:
            if user is None or not user.is_authenticated:
                return None
        except (OperationalError, InterfaceError):
            # The session lives in PostgreSQL: let the view answer (the cached public board,
            # or a clean 503 through DatabaseUnavailableMiddleware) rather than a 500 here.
            return None
        if request.path.startswith(_TWO_FACTOR_OPEN_PREFIXES):
            return None
        if user.is_verified():
            return None
        from django_otp import user_has_device

        if user_has_device(user, confirmed=True):
            return "otp_verify"
        if settings.OTP_REQUIRED and permissions.requires_two_factor(user):
            return "otp_setup"
        return None


def _token_refusal(request, key: str) -> str | None:
    from rest_framework.authtoken.models import Token

    from organizations import two_factor

    # An unknown key is left to the API's own 401; only genuine tokens can be refused.
    token = Token.objects.select_related("user").filter(key=key).first()
    if token is None:
        return None
    refusal = two_factor.api_token_refusal(token)
    if refusal is None:
        setattr(request, READ_ON_REQUEST, token)
    return refusal


# Views that take a POST but write nothing to the database, so they work at the second site.
_WRITES_NOTHING = frozenset({"django.views.i18n.set_language"})
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class DatabaseUnavailableMiddleware:
    """PostgreSQL down: a clean 503 page (or JSON) instead of a stack trace.

    PostgreSQL read-only (a hot standby at the second site, not yet promoted): every write
    is answered with the read-only 503 before the view runs, an error that means read-only
    is answered the same way, and pages carry the read-only banner.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Looked at before the view, so that a board rebuilt for what the standby replayed
        # is the one this request gets; no connection is opened for it.
        second_site.database_read_only(connect=False)
        return second_site.with_banner(self.get_response(request))

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method in _SAFE_METHODS:
            return None
        if f"{view_func.__module__}.{view_func.__name__}" in _WRITES_NOTHING:
            return None
        if not second_site.database_read_only(for_write=True):
            return None
        return second_site.read_only_response(request)

    def process_exception(self, request, exception):
        if second_site.is_read_only_error(exception):
            logger.warning("the database refused a write as read-only: %s", exception)
            second_site.remember_read_only_error()
            return second_site.read_only_response(request)
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("database unavailable: %s", exception)
        return database_unavailable_response(request)


def database_unavailable_response(request):
    message = _("The service is temporarily unavailable. Please try again shortly.")
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message, "message": message}, status=503)
    else:
        response = HttpResponse(render_to_string("503.html", {"message": message}), status=503)
    response["Retry-After"] = "30"
    return response
