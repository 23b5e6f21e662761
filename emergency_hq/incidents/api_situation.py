"""REST API v1: the situation of an incident, for HQ staff and regulators (DESIGN §6)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from organizations import permissions
from organizations.permissions import Action

from . import dashboard, selectors


class IncidentSituation(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="The situation of an incident (HQ staff and regulators)",
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request, incident_id):
        if not permissions.can(request.user, Action.VIEW_SITUATION):
            raise exceptions.PermissionDenied()
        incident = selectors.incident_for_hq(user=request.user, incident_id=incident_id)
        return Response(dashboard.situation(user=request.user, incident=incident).as_api())
