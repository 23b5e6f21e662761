from django.urls import path

from . import api

urlpatterns = [
    path("circulars/", api.CircularListCreate.as_view(), name="api_circulars"),
    path("circulars/<str:number>/", api.CircularDetail.as_view(), name="api_circular"),
    path(
        "circulars/<str:number>/acknowledge/",
        api.CircularAcknowledge.as_view(),
        name="api_circular_acknowledge",
    ),
]
