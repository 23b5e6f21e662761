from django.urls import path

from .incidents import views as incidents
from .quake import views as quake

urlpatterns = [
    path("hq/incidents/", incidents.hq_incident_list, name="hq_incident_list"),
    path("hq/incidents/new/", incidents.hq_incident_create, name="hq_incident_create"),
    path(
        "hq/incidents/<int:incident_id>/", incidents.hq_incident_detail, name="hq_incident_detail"
    ),
    path(
        "hq/incidents/<int:incident_id>/situation/",
        incidents.hq_incident_situation,
        name="hq_incident_situation",
    ),
    path(
        "hq/incidents/<int:incident_id>/report/",
        incidents.hq_incident_report,
        name="hq_incident_report",
    ),
    path(
        "hq/incidents/<int:incident_id>/convene/",
        incidents.hq_incident_convene,
        name="hq_incident_convene",
    ),
    path(
        "hq/incidents/<int:incident_id>/state/",
        incidents.hq_incident_transition,
        name="hq_incident_transition",
    ),
    path(
        "hq/incidents/<int:incident_id>/declare/",
        incidents.hq_incident_declare,
        name="hq_incident_declare",
    ),
    path(
        "hq/incidents/<int:incident_id>/decisions/new/",
        incidents.hq_decision_create,
        name="hq_decision_create",
    ),
    path(
        "hq/incidents/<int:incident_id>/decisions/<int:decision_id>/",
        incidents.hq_decision_detail,
        name="hq_decision_detail",
    ),
    path(
        "hq/incidents/<int:incident_id>/jma-marks/<int:mark_id>/confirm/",
        quake.hq_mark_confirm,
        name="hq_mark_confirm",
    ),
    path(
        "hq/incidents/<int:incident_id>/jma-marks/<int:mark_id>/reject/",
        quake.hq_mark_reject,
        name="hq_mark_reject",
    ),
]
