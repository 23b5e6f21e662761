from django.urls import path

from .incidents import api, api_situation

urlpatterns = [
    path("incidents/", api.IncidentListCreate.as_view(), name="api_incidents"),
    path("incidents/<int:incident_id>/", api.IncidentDetail.as_view(), name="api_incident"),
    path(
        "incidents/<int:incident_id>/transitions/",
        api.IncidentTransition.as_view(),
        name="api_incident_transition",
    ),
    path(
        "incidents/<int:incident_id>/convene/",
        api.IncidentConvene.as_view(),
        name="api_incident_convene",
    ),
    path(
        "incidents/<int:incident_id>/declarations/",
        api.IncidentDeclare.as_view(),
        name="api_incident_declare",
    ),
    path(
        "incidents/<int:incident_id>/decisions/",
        api.DecisionListCreate.as_view(),
        name="api_incident_decisions",
    ),
    path(
        "incidents/<int:incident_id>/decisions/<int:decision_id>/",
        api.DecisionDetail.as_view(),
        name="api_incident_decision",
    ),
    path(
        "incidents/<int:incident_id>/situation/",
        api_situation.IncidentSituation.as_view(),
        name="api_incident_situation",
    ),
]
