from django.urls import path

from . import api

urlpatterns = [
    path("alerts/", api.AlertList.as_view(), name="api_alerts"),
    path("alerts/<int:alert_id>/", api.AlertDetail.as_view(), name="api_alert"),
    path(
        "alerts/<int:alert_id>/acknowledge/",
        api.AlertAcknowledge.as_view(),
        name="api_alert_acknowledge",
    ),
]
