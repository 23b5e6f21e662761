"""REST API v1 of drills (DESIGN §6).

HQ staff plan, start and close; HQ staff and regulators read every drill and every row of
its results; a participant's members read the drills their organization takes part in and,
of the results, the market figures beside their own row. A start or close from the wrong
state is a 409.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from common.schema import CodeField, error_response
from emergency_hq.models import IncidentKind
from organizations import permissions
from organizations.models import Organization
from organizations.permissions import Action
from organizations.vocabulary import Language, OrganizationKind, Segment

from . import reading, selectors, services
from .models import ANSWER_MINUTES_MAX, Drill, DrillAudience, DrillState, InjectKind
from .services import DrillContactInput, DrillStateConflict, InjectInput


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "conflict"


def _require_hq(user) -> None:
    if not permissions.can(user, Action.RUN_HQ):
        raise exceptions.PermissionDenied(_("Only the emergency HQ staff can do this."))


class ParticipantSerializer(serializers.Serializer):
    code = serializers.CharField(source="organization.code")
    name_ja = serializers.CharField(source="organization.name_ja")
    name_en = serializers.CharField(source="organization.name_en")
    has_test_contact = serializers.BooleanField()


class InjectSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    offset_minutes = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=InjectKind.choices)
    title_ja = serializers.CharField()
    title_en = serializers.CharField()
    requires_ack = serializers.BooleanField()
    sent_at = serializers.DateTimeField(allow_null=True)


class DrillSerializer(serializers.ModelSerializer):
    audience = serializers.ChoiceField(choices=DrillAudience.choices)
    state = serializers.ChoiceField(
        choices=DrillState.choices, help_text=" → ".join(DrillState.values)
    )
    scenario_html = serializers.CharField(source="scenario_html_ja")
    scenario_html_en = serializers.CharField()
    kinds = serializers.SerializerMethodField()
    segments = serializers.SerializerMethodField()
    committees = serializers.SerializerMethodField()
    participants = serializers.SerializerMethodField()
    injects = serializers.SerializerMethodField()

    class Meta:
        model = Drill
        fields = [
            "id",
            "title_ja",
            "title_en",
            "scenario_ja",
            "scenario_en",
            "scenario_html",
            "scenario_html_en",
            "audience",
            "kinds",
            "segments",
            "committees",
            "announced",
            "starts_at",
            "answer_minutes",
            "state",
            "started_at",
            "closed_at",
            "incident",
            "alert",
            "participants",
            "injects",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=CodeField(choices=OrganizationKind.choices)))
    def get_kinds(self, drill) -> list[str]:
        return list(drill.targeting.get("kinds", []))

    @extend_schema_field(serializers.ListField(child=CodeField(choices=Segment.choices)))
    def get_segments(self, drill) -> list[str]:
        return list(drill.targeting.get("segments", []))

    def get_committees(self, drill) -> list[str]:
        return list(drill.targeting.get("committees", []))

    @extend_schema(responses=ParticipantSerializer(many=True))
    def get_participants(self, drill) -> list[dict]:
        user = self.context["request"].user
        own = selectors.own_participant_ids(user=user, drill=drill)
        rows = [
            p for p in selectors.participants_of(drill) if own is None or p.organization_id in own
        ]
        return ParticipantSerializer(rows, many=True).data

    @extend_schema(responses=InjectSerializer(many=True))
    def get_injects(self, drill) -> list[dict]:
        return InjectSerializer(selectors.injects_of(drill), many=True).data


class InjectInputSerializer(serializers.Serializer):
    offset_minutes = serializers.IntegerField()
    kind = CodeField(choices=InjectKind.choices, max_length=16, required=False, default="alert")
    title_ja = serializers.CharField(max_length=500, allow_blank=True)
    title_en = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    body_ja = serializers.CharField(max_length=50_000, allow_blank=True)
    body_en = serializers.CharField(max_length=50_000, required=False, allow_blank=True, default="")
    requires_ack = serializers.BooleanField(required=False, default=True)


class TestContactSerializer(serializers.Serializer):
    organization = serializers.CharField(max_length=32, required=False, default="")
    name = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    email = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    sms = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    language = CodeField(choices=Language.choices, max_length=8, required=False, default="ja")


def _codes(choices=None, **kwargs):
    child = serializers.CharField(max_length=64) if choices is None else CodeField(choices=choices)
    return serializers.ListField(
        child=child,
        required=False,
        default=list,
        max_length=5000,
        **kwargs,
    )


class DrillInput(serializers.Serializer):
    title_ja = serializers.CharField(max_length=500, allow_blank=True)
    title_en = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    scenario_ja = serializers.CharField(max_length=50_000, allow_blank=True)
    scenario_en = serializers.CharField(
        max_length=50_000, required=False, allow_blank=True, default=""
    )
    audience = CodeField(choices=DrillAudience.choices, max_length=32)
    organizations = _codes()
    kinds = _codes(OrganizationKind.choices)
    segments = _codes(Segment.choices)
    committees = _codes()
    starts_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    answer_minutes = serializers.IntegerField(
        help_text=f"1 to {ANSWER_MINUTES_MAX} (7 days)", min_value=-(2**31), max_value=2**31
    )
    announced = serializers.BooleanField(required=False, default=True)
    incident_kind = CodeField(
        choices=IncidentKind.choices, max_length=32, required=False, default="earthquake"
    )
    severity = serializers.IntegerField(required=False, default=3, min_value=-100, max_value=100)
    injects = InjectInputSerializer(many=True, required=False, default=list)
    test_contacts = TestContactSerializer(many=True, required=False, default=list)


@extend_schema(summary="Drills: list (HQ, regulators, participants' members); plan one (HQ)")
class DrillListCreate(generics.ListCreateAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = DrillSerializer

    def get_queryset(self):
        return selectors.drills_visible(user=self.request.user)

    @extend_schema(request=DrillInput, responses={201: DrillSerializer})
    def post(self, request, *args, **kwargs):
        _require_hq(request.user)
        data = DrillInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["injects"] = [InjectInput(**i) for i in values["injects"]]
        values["test_contacts"] = [DrillContactInput(**c) for c in values["test_contacts"]]
        drill = services.drill_plan(actor=request.user, **values)
        return Response(
            DrillSerializer(drill, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


def _visible(request, drill_id) -> Drill:
    return selectors.drill_get_visible(user=request.user, drill_id=drill_id)


@extend_schema(summary="One drill")
class DrillDetail(generics.RetrieveAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = DrillSerializer

    def get_object(self):
        return _visible(self.request, self.kwargs["drill_id"])


class _Move(APIView):
    permission_classes = [IsAuthenticated]
    move = None

    def post(self, request, drill_id):
        _require_hq(request.user)
        drill = _visible(request, drill_id)
        try:
            drill = type(self).move(actor=request.user, drill=drill)
        except DrillStateConflict as conflict:
            raise Conflict(str(conflict)) from conflict
        return Response(DrillSerializer(drill, context={"request": request}).data)


@extend_schema(
    summary="Start a planned drill: the drill incident, the 【訓練】 alert, the drill board (HQ)",
    request=None,
    responses={200: DrillSerializer, 409: error_response("The drill is not planned.")},
)
class DrillStart(_Move):
    move = staticmethod(services.drill_start)


@extend_schema(
    summary="Close a running drill; its figures are frozen (HQ)",
    request=None,
    responses={200: DrillSerializer, 409: error_response("The drill is not running.")},
)
class DrillClose(_Move):
    move = staticmethod(services.drill_close)


@extend_schema(
    summary="Results: market figures and per participant (a participant: its own row)",
    responses={200: OpenApiTypes.OBJECT},
)
class DrillResults(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request, drill_id):
        drill = _visible(request, drill_id)
        return Response(reading.results_visible(user=request.user, drill=drill))


@extend_schema(
    summary="Name your organization's test-day contact for a planned drill (reporters)",
    request=TestContactSerializer,
    responses={200: ParticipantSerializer},
)
class DrillTestContact(APIView):
    permission_classes = [IsAuthenticated]

    def post(self, request, drill_id):
        drill = _visible(request, drill_id)
        data = TestContactSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        own = selectors.own_participant_ids(user=request.user, drill=drill)
        code = values["organization"].strip().upper()
        if not code and own and len(own) == 1:
            organization = Organization.objects.get(pk=next(iter(own)))
        else:
            organization = Organization.objects.filter(code=code).first()
        if organization is None:
            raise exceptions.ValidationError(
                {"organization": [_("Say which of your organizations (its code).")]}
            )
        try:
            participant = services.drill_test_contact_set(
                actor=request.user,
                drill=drill,
                organization=organization,
                contact=DrillContactInput(**{**values, "organization": organization.code}),
            )
        except DrillStateConflict as conflict:
            raise Conflict(str(conflict)) from conflict
        return Response(ParticipantSerializer(participant).data)
