from django.urls import path

from . import api

urlpatterns = [
    path("drills/", api.DrillListCreate.as_view(), name="api_drills"),
    path("drills/<int:drill_id>/", api.DrillDetail.as_view(), name="api_drill"),
    path("drills/<int:drill_id>/start/", api.DrillStart.as_view(), name="api_drill_start"),
    path("drills/<int:drill_id>/close/", api.DrillClose.as_view(), name="api_drill_close"),
    path("drills/<int:drill_id>/results/", api.DrillResults.as_view(), name="api_drill_results"),
    path(
        "drills/<int:drill_id>/test-contact/",
        api.DrillTestContact.as_view(),
        name="api_drill_test_contact",
    ),
]
