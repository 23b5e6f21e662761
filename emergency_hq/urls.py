from django.urls import path

from .alerts import views as alerts

urlpatterns = [
    path("hq/alerts/", alerts.hq_alert_list, name="hq_alert_list"),
    path("hq/alerts/new/", alerts.hq_alert_create, name="hq_alert_create"),
    path("hq/alerts/<int:alert_id>/", alerts.hq_alert_detail, name="hq_alert_detail"),
    path("hq/alerts/<int:alert_id>/deliveries.csv", alerts.hq_alert_csv, name="hq_alert_csv"),
    path("hq/alerts/<int:alert_id>/resend/", alerts.hq_alert_resend, name="hq_alert_resend"),
    path(
        "hq/alerts/<int:alert_id>/organizations/<str:code>/",
        alerts.hq_alert_organization,
        name="hq_alert_organization",
    ),
    path("ack/", alerts.alert_inbox, name="alert_inbox"),
    path("ack/targets/<int:target_id>/", alerts.alert_answer, name="alert_answer"),
    path("ack/<str:token>/", alerts.alert_ack, name="alert_ack"),
]
