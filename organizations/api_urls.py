from django.urls import path

from . import api

urlpatterns = [
    path("organizations/", api.OrganizationList.as_view(), name="api_organizations"),
]
