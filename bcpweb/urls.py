"""The site's URLs: each app brings its pages (``urls``) and its API v1 routes (``api_urls``)."""

from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import accounts, errors, health, metrics

api_v1 = [
    path("", include("organizations.api_urls")),
    path("", include("status_board.api_urls")),
    path("", include("bulletin.api_urls")),
    path("", include("emergency_hq.api_urls")),
    path("", include("alerts.api_urls")),
    path("", include("drills.api_urls")),
    path("", include("subscriptions.api_urls")),
]

urlpatterns = [
    # First: the public board at "" is the page disaster traffic hits; resolving it must not
    # walk every other pattern first. Its routes share no prefix with the ones below.
    path("", include("status_board.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("metrics", metrics.metrics, name="metrics"),
    # Browsers ask for /favicon.ico whatever the page links; answer with the site's icon.
    path("favicon.ico", RedirectView.as_view(url="/static/img/favicon.svg", permanent=True)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    # Alerts moved out of the emergency HQ app: its old admin addresses lead to the new ones.
    re_path(
        r"^admin/emergency_hq/(?P<rest>(?:alert|escalationpolicy)/.*)$",
        RedirectView.as_view(url="/admin/alerts/%(rest)s", query_string=True, permanent=True),
    ),
    path("admin/", admin.site.urls),
    path(
        "accounts/login/",
        accounts.PortalLoginView.as_view(),
        name="login",
    ),
    path("accounts/me/", accounts.account, name="account"),
    path("accounts/otp/setup/", accounts.otp_setup, name="otp_setup"),
    path("accounts/otp/verify/", accounts.otp_verify, name="otp_verify"),
    path("accounts/otp/enrol/<str:secret>/", accounts.otp_enrol, name="otp_enrol"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # Swagger UI with its start-up script as a file (?script=): no inline code (CSP).
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api_schema", template_name="api_docs.html"),
        name="api_docs",
    ),
    path("", include("organizations.urls")),
    path("", include("bulletin.urls")),
    path("", include("emergency_hq.urls")),
    path("", include("alerts.urls")),
    path("", include("drills.urls")),
    path("", include("subscriptions.urls")),
]

handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error
