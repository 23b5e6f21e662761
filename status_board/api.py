"""REST API v1 of the status board (DESIGN §6)."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, serializers
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.views import APIView

from common.schema import CodeField
from organizations import permissions
from organizations.models import Organization

from . import drill_reports, selectors, services, snapshots
from .models import MESSAGE_MAX_LENGTH, StatusReport
from .responses import cached_response
from .vocabulary import Source, Status


class ReadOrAuthenticatedWrite(BasePermission):
    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or bool(
            request.user and request.user.is_authenticated
        )


class StatusReportInput(serializers.Serializer):
    organization = serializers.CharField(max_length=32)
    function = serializers.CharField(max_length=48)
    status = CodeField(choices=Status.choices, max_length=32)
    message = serializers.CharField(
        max_length=MESSAGE_MAX_LENGTH, required=False, allow_blank=True, default=""
    )
    message_en = serializers.CharField(
        max_length=MESSAGE_MAX_LENGTH, required=False, allow_blank=True, default=""
    )
    expected_recovery_at = serializers.DateTimeField(required=False, allow_null=True)
    drill = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=2**31 - 1,
        help_text="A drill report: the id of the running drill (shown on its board only).",
    )


class StatusReportOutput(serializers.ModelSerializer):
    organization = serializers.CharField(source="organization.code")
    function = serializers.CharField(source="function.code")
    reported_by = serializers.SerializerMethodField()

    class Meta:
        model = StatusReport
        fields = [
            "id",
            "organization",
            "function",
            "status",
            "message",
            "message_en",
            "expected_recovery_at",
            "reported_at",
            "reported_by",
            "source",
        ]

    def get_reported_by(self, report) -> str | None:
        # Account names are for members; investors see the organization, not the person.
        request = self.context.get("request")
        if request is not None and not permissions.is_member(request.user):
            return None
        return report.reported_by.get_username()


@extend_schema(
    summary="History of status reports, newest first (public organizations for anyone)",
    parameters=[
        OpenApiParameter("organization", str, description="organization code"),
        OpenApiParameter("function", str, description="business function code"),
    ],
)
class StatusReportList(generics.ListCreateAPIView):
    permission_classes = [ReadOrAuthenticatedWrite]
    serializer_class = StatusReportOutput

    def get_queryset(self):
        params = self.request.query_params
        return selectors.status_reports_visible(
            user=self.request.user,
            organization_code=params.get("organization"),
            function_code=params.get("function"),
        )

    @extend_schema(
        summary="Post the status of one function of your organization",
        request=StatusReportInput,
        responses={201: StatusReportOutput},
    )
    def post(self, request, *args, **kwargs):
        data = StatusReportInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        code = values["organization"].strip().upper()
        organization = Organization.objects.filter(code=code).first()
        if organization is None:
            raise exceptions.ValidationError(
                {"organization": _("Unknown organization: %(code)s") % {"code": code}}
            )
        if not permissions.can(request.user, permissions.Action.REPORT_STATUS, organization):
            raise exceptions.PermissionDenied(
                _("You may report the status of your own organization only.")
            )
        entry = services.ReportInput(
            function=values["function"].strip(),
            status=values["status"].strip(),
            message=values.get("message", ""),
            message_en=values.get("message_en", ""),
            expected_recovery_at=values.get("expected_recovery_at"),
        )
        from rest_framework.response import Response

        if values.get("drill") is not None:
            # A drill report: handed to the drill's board, never stored on this one.
            report = drill_reports.drill_reports_create(
                actor=request.user,
                organization=organization,
                drill_id=values["drill"],
                entries=[entry],
                source=Source.API,
            )[0]
            out = StatusReportOutput(report, context={"request": request})
            return Response({**out.data, "drill": report.drill_id, "is_drill": True}, status=201)
        report = services.status_report_create(
            actor=request.user, organization=organization, entry=entry, source=Source.API
        )
        out = StatusReportOutput(report, context={"request": request})
        return Response(out.data, status=201)


@extend_schema(
    summary="The board: every visible organization and the current status of each function",
    responses={200: OpenApiTypes.OBJECT},
)
class Board(APIView):
    """Served from the cache rebuilt on every change; ETag and Last-Modified answer 304."""

    def get(self, request):
        bundle, stale = snapshots.current()
        key = "json:members" if permissions.is_member(request.user) else "json:public"
        return cached_response(
            request, bundle, bundle.variants[key], stale=stale, vary="Authorization, Cookie"
        )
