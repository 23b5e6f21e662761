from django.urls import path

from . import views

urlpatterns = [
    path("hq/alerts/", views.hq_alert_list, name="hq_alert_list"),
    path("hq/alerts/new/", views.hq_alert_create, name="hq_alert_create"),
    path("hq/alerts/<int:alert_id>/", views.hq_alert_detail, name="hq_alert_detail"),
    path("hq/alerts/<int:alert_id>/deliveries.csv", views.hq_alert_csv, name="hq_alert_csv"),
    path("hq/alerts/<int:alert_id>/resend/", views.hq_alert_resend, name="hq_alert_resend"),
    path(
        "hq/alerts/<int:alert_id>/organizations/<str:code>/",
        views.hq_alert_organization,
        name="hq_alert_organization",
    ),
    path("ack/", views.alert_inbox, name="alert_inbox"),
    path("ack/targets/<int:target_id>/", views.alert_answer, name="alert_answer"),
    path("ack/<str:token>/", views.alert_ack, name="alert_ack"),
]
