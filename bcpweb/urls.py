from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from bulletin import api as bulletin_api
from emergency_hq.incidents import api as incidents_api
from organizations import api as organizations_api
from status_board import api as status_board_api

from . import accounts, errors, health

api_v1 = [
    path("organizations/", organizations_api.OrganizationList.as_view(), name="api_organizations"),
    path("board/", status_board_api.Board.as_view(), name="api_board"),
    path("status-reports/", status_board_api.StatusReportList.as_view(), name="api_status_reports"),
    path("circulars/", bulletin_api.CircularListCreate.as_view(), name="api_circulars"),
    path("circulars/<str:number>/", bulletin_api.CircularDetail.as_view(), name="api_circular"),
    path(
        "circulars/<str:number>/acknowledge/",
        bulletin_api.CircularAcknowledge.as_view(),
        name="api_circular_acknowledge",
    ),
    path("incidents/", incidents_api.IncidentListCreate.as_view(), name="api_incidents"),
    path(
        "incidents/<int:incident_id>/", incidents_api.IncidentDetail.as_view(), name="api_incident"
    ),
    path(
        "incidents/<int:incident_id>/transitions/",
        incidents_api.IncidentTransition.as_view(),
        name="api_incident_transition",
    ),
    path(
        "incidents/<int:incident_id>/convene/",
        incidents_api.IncidentConvene.as_view(),
        name="api_incident_convene",
    ),
    path(
        "incidents/<int:incident_id>/declarations/",
        incidents_api.IncidentDeclare.as_view(),
        name="api_incident_declare",
    ),
    path(
        "incidents/<int:incident_id>/decisions/",
        incidents_api.DecisionListCreate.as_view(),
        name="api_incident_decisions",
    ),
    path(
        "incidents/<int:incident_id>/decisions/<int:decision_id>/",
        incidents_api.DecisionDetail.as_view(),
        name="api_incident_decision",
    ),
    path(
        "incidents/<int:incident_id>/situation/",
        incidents_api.IncidentSituation.as_view(),
        name="api_incident_situation",
    ),
]

urlpatterns = [
    # First: the public board at "" is the page disaster traffic hits; resolving it must not
    # walk every other pattern first. Its routes share no prefix with the ones below.
    path("", include("status_board.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/me/", accounts.account, name="account"),
    path("accounts/otp/setup/", accounts.otp_setup, name="otp_setup"),
    path("accounts/otp/verify/", accounts.otp_verify, name="otp_verify"),
    path("accounts/otp/enrol/<str:secret>/", accounts.otp_enrol, name="otp_enrol"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
    path("", include("organizations.urls")),
    path("", include("bulletin.urls")),
    path("", include("emergency_hq.urls")),
]

handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error
