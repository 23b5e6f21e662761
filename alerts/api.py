"""The alert API (DESIGN §6): HQ and regulators read every alert, members the ones sent to
their organization (and only their own target row); members answer like the ack link does."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors, services
from .models import AckAnswer, Alert


class SourceSerializer(serializers.Serializer):
    kind = serializers.CharField()
    id = serializers.CharField()
    label = serializers.CharField()


class TargetSerializer(serializers.Serializer):
    organization = serializers.CharField(source="organization.code")
    state = serializers.ChoiceField(choices=selectors.TARGET_STATES)
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    answer = serializers.ChoiceField(choices=AckAnswer.choices, allow_blank=True)


class AlertSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    subject_ja = serializers.SerializerMethodField()
    subject_en = serializers.SerializerMethodField()
    source = serializers.SerializerMethodField()
    is_drill = serializers.BooleanField()
    sent_at = serializers.DateTimeField(source="created_at")
    requires_ack = serializers.BooleanField()
    deadline = serializers.DateTimeField(allow_null=True)
    targets = TargetSerializer(many=True, source="visible_targets")

    def get_subject_ja(self, alert: Alert) -> str:
        return alert.subject_for("ja")

    def get_subject_en(self, alert: Alert) -> str:
        return alert.subject_for("en")

    @extend_schema(responses=SourceSerializer(allow_null=True))
    def get_source(self, alert: Alert) -> dict | None:
        source = alert.source
        if source is None:
            return None
        return {"kind": source.kind, "id": str(source.id), "label": source.label}


class AcknowledgeSerializer(serializers.Serializer):
    answer = serializers.ChoiceField(choices=AckAnswer.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=services.NOTE_MAX)
    organization = serializers.CharField(
        required=False,
        help_text="Code of the organization answering, when the user belongs to several targets.",
    )


class AlertList(generics.ListAPIView):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = AlertSerializer

    def get_queryset(self):
        return selectors.alerts_visible(user=self.request.user)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        alerts = selectors.with_visible_targets(page, user=request.user)
        return self.get_paginated_response(AlertSerializer(alerts, many=True).data)


class AlertDetail(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=AlertSerializer)
    def get(self, request, alert_id: int):
        alert = selectors.alert_get_visible(user=request.user, alert_id=alert_id)
        return Response(AlertSerializer(alert).data)


class AlertAcknowledge(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=AcknowledgeSerializer, responses=AlertSerializer)
    def post(self, request, alert_id: int):
        data = AcknowledgeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        target = selectors.alert_target_to_answer(
            user=request.user,
            alert_id=alert_id,
            organization_code=data.validated_data.get("organization"),
        )
        if target is None:
            raise PermissionDenied(
                _("Only a member of an organization this alert went to can answer it.")
            )
        services.alert_acknowledge(
            actor=request.user,
            target=target,
            answer=data.validated_data["answer"],
            note=data.validated_data.get("note", ""),
            via="api",
        )
        alert = selectors.alert_get_visible(user=request.user, alert_id=alert_id)
        return Response(AlertSerializer(alert).data)
