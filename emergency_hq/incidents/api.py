"""REST API v1 of incidents, decisions and the situation (DESIGN §6).

Members read incidents; HQ staff write; the situation is for HQ staff and regulators.
Decisions are immutable: their endpoints answer only GET and POST (anything else is 405).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from common.parsers import JSONParser
from common.schema import CodeField
from organizations import permissions
from organizations.models import Organization
from organizations.permissions import Action
from organizations.vocabulary import Segment

from ..models import (
    ActivationCriterion,
    ActivationDecision,
    DecisionAction,
    HQRole,
    Incident,
    IncidentKind,
    IncidentState,
)
from . import decisions, selectors, services


# Codes are named enums in the schema (SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]).
class IncidentSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=IncidentKind.choices, read_only=True)
    state = serializers.ChoiceField(choices=IncidentState.choices, read_only=True)
    opened_by = serializers.CharField(source="opened_by.username", read_only=True)
    active_segments = serializers.SerializerMethodField()

    class Meta:
        model = Incident
        fields = [
            "id",
            "title",
            "title_en",
            "kind",
            "severity",
            "region",
            "description",
            "description_en",
            "is_drill",
            "state",
            "started_at",
            "closed_at",
            "opened_by",
            "active_segments",
        ]
        read_only_fields = fields

    def get_active_segments(self, incident) -> list[str]:
        return sorted(selectors.active_segments(incident))


class IncidentInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    title_en = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    kind = CodeField(choices=IncidentKind.choices, max_length=32)
    severity = serializers.IntegerField(min_value=1, max_value=4)
    is_drill = serializers.BooleanField(required=False, default=False)
    region = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    description = serializers.CharField(
        max_length=10_000, required=False, allow_blank=True, default=""
    )
    description_en = serializers.CharField(
        max_length=10_000, required=False, allow_blank=True, default=""
    )
    started_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


def _require_member(user) -> None:
    if not permissions.is_member(user):
        raise exceptions.PermissionDenied()


def _require_hq(user) -> None:
    if not permissions.can(user, Action.RUN_HQ):
        raise exceptions.PermissionDenied(_("Only the emergency HQ staff can do this."))


@extend_schema(summary="Incidents: list (members); open one (HQ staff)")
class IncidentListCreate(generics.ListCreateAPIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    serializer_class = IncidentSerializer

    def get_queryset(self):
        _require_member(self.request.user)
        return selectors.incidents_visible(user=self.request.user).prefetch_related("decisions")

    @extend_schema(request=IncidentInput, responses={201: IncidentSerializer})
    def post(self, request, *args, **kwargs):
        _require_hq(request.user)
        data = IncidentInput(data=request.data)
        data.is_valid(raise_exception=True)
        incident = services.incident_open(actor=request.user, **data.validated_data)
        return Response(IncidentSerializer(incident).data, status=status.HTTP_201_CREATED)


@extend_schema(summary="One incident (members)")
class IncidentDetail(generics.RetrieveAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = IncidentSerializer

    def get_object(self):
        _require_member(self.request.user)
        return selectors.incident_get_visible(
            user=self.request.user, incident_id=self.kwargs["incident_id"]
        )


class TransitionInput(serializers.Serializer):
    state = CodeField(choices=IncidentState.choices, max_length=32)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class IncidentTransition(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        summary="Move an incident to its next state (HQ staff)",
        request=TransitionInput,
        responses={200: IncidentSerializer},
    )
    def post(self, request, incident_id):
        _require_hq(request.user)
        incident = selectors.incident_get_visible(user=request.user, incident_id=incident_id)
        data = TransitionInput(data=request.data)
        data.is_valid(raise_exception=True)
        incident = services.incident_transition(
            actor=request.user,
            incident=incident,
            to_state=data.validated_data["state"],
            note=data.validated_data["note"],
        )
        return Response(IncidentSerializer(incident).data)


class MemberInput(serializers.Serializer):
    role = CodeField(choices=HQRole.choices, max_length=16)
    name = serializers.CharField(max_length=120)
    organization = serializers.CharField(max_length=32, required=False, allow_blank=True)


class ConveneInput(serializers.Serializer):
    location = serializers.CharField(max_length=200)
    location_en = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    alternate_location = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    conference_bridge = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default=""
    )
    convened_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    participants = serializers.ListField(
        child=serializers.CharField(max_length=32), required=False, default=list, max_length=2000
    )
    members = MemberInput(many=True, required=False, default=list)


def _organizations(codes, field: str) -> dict[str, Organization]:
    wanted = {str(c).strip().upper() for c in codes if str(c).strip()}
    found = {o.code: o for o in Organization.objects.filter(code__in=wanted, active=True)}
    unknown = sorted(wanted - set(found))
    if unknown:
        raise exceptions.ValidationError(
            {field: [_("Unknown organization: %(codes)s") % {"codes": ", ".join(unknown)}]}
        )
    return found


class IncidentConvene(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(
        summary="Convene the HQ for an incident and alert the participants (HQ staff)",
        request=ConveneInput,
        responses={201: OpenApiTypes.OBJECT},
    )
    def post(self, request, incident_id):
        _require_hq(request.user)
        incident = selectors.incident_get_visible(user=request.user, incident_id=incident_id)
        data = ConveneInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        participants = _organizations(values["participants"], "participants")
        member_orgs = _organizations(
            [m.get("organization", "") for m in values["members"]], "members"
        )
        convening = services.hq_convene(
            actor=request.user,
            incident=incident,
            location=values["location"],
            location_en=values["location_en"],
            alternate_location=values["alternate_location"],
            conference_bridge=values["conference_bridge"],
            convened_at=values["convened_at"],
            participants=participants.values(),
            members=[
                (
                    m["role"],
                    m["name"],
                    member_orgs.get((m.get("organization") or "").strip().upper()),
                )
                for m in values["members"]
            ],
        )
        incident.refresh_from_db()
        return Response(
            {
                "id": convening.pk,
                "incident": IncidentSerializer(incident).data,
                "convened_at": convening.convened_at,
                "location": convening.location,
                "location_en": convening.location_en,
                "alternate_location": convening.alternate_location,
                "conference_bridge": convening.conference_bridge,
                "participants": sorted(participants),
                "alert": convening.alert_id,
            },
            status=status.HTTP_201_CREATED,
        )


class DecisionSerializer(serializers.ModelSerializer):
    segment = serializers.ChoiceField(choices=Segment.choices, read_only=True)
    action = serializers.ChoiceField(choices=DecisionAction.choices, read_only=True)
    decided_by = serializers.CharField(source="decided_by.username", read_only=True)
    circular = serializers.SerializerMethodField()
    superseded_by = serializers.SerializerMethodField()

    class Meta:
        model = ActivationDecision
        fields = [
            "id",
            "incident",
            "segment",
            "action",
            "rationale",
            "rationale_en",
            "criteria",
            "criteria_snapshot",
            "supersedes",
            "superseded_by",
            "is_drill",
            "decided_by",
            "decided_at",
            "circular",
            "alert",
        ]
        read_only_fields = fields

    def get_circular(self, decision) -> str | None:
        return decision.circular.number if decision.circular_id else None

    def get_superseded_by(self, decision) -> int | None:
        later = getattr(decision, "superseded_by", None)
        return later.pk if later is not None else None


class DecisionInput(serializers.Serializer):
    segment = CodeField(choices=Segment.choices, max_length=32)
    action = CodeField(choices=DecisionAction.choices, max_length=32)
    rationale = serializers.CharField(max_length=5000, allow_blank=True, trim_whitespace=True)
    rationale_en = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, default=""
    )
    criteria = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, default=list, max_length=100
    )
    supersedes = serializers.IntegerField(required=False, allow_null=True, default=None)


@extend_schema(summary="Decisions of an incident: list (members); record one (HQ staff)")
class DecisionListCreate(generics.ListCreateAPIView):
    """Immutable records: GET and POST only."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    serializer_class = DecisionSerializer
    http_method_names = ["get", "post", "head", "options"]

    def _incident(self):
        _require_member(self.request.user)
        return selectors.incident_get_visible(
            user=self.request.user, incident_id=self.kwargs["incident_id"]
        )

    def get_queryset(self):
        return selectors.decisions_of(user=self.request.user, incident=self._incident())

    @extend_schema(request=DecisionInput, responses={201: DecisionSerializer})
    def post(self, request, *args, **kwargs):
        _require_hq(request.user)
        incident = self._incident()
        data = DecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        supersedes = None
        if values["supersedes"] is not None:
            supersedes = ActivationDecision.objects.filter(
                pk=values["supersedes"], incident=incident
            ).first()
            if supersedes is None:
                raise exceptions.ValidationError(
                    {"supersedes": [_("No such decision in this incident.")]}
                )
        decision = decisions.decision_record(
            actor=request.user,
            incident=incident,
            segment=values["segment"],
            action=values["action"],
            rationale=values["rationale"],
            rationale_en=values["rationale_en"],
            criteria=values["criteria"],
            supersedes=supersedes,
        )
        return Response(DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)


@extend_schema(summary="One decision (members); never changed")
class DecisionDetail(generics.RetrieveAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = DecisionSerializer
    http_method_names = ["get", "head", "options"]

    def get_object(self):
        _require_member(self.request.user)
        incident = selectors.incident_get_visible(
            user=self.request.user, incident_id=self.kwargs["incident_id"]
        )
        return selectors.decision_get_visible(
            user=self.request.user, incident=incident, decision_id=self.kwargs["decision_id"]
        )


class DeclarationInput(serializers.Serializer):
    criterion = serializers.CharField(max_length=64)
    met = serializers.BooleanField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class IncidentDeclare(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        summary="Declare a manual criterion met or not met (HQ staff)",
        request=DeclarationInput,
        responses={201: OpenApiTypes.OBJECT},
    )
    def post(self, request, incident_id):
        _require_hq(request.user)
        incident = selectors.incident_get_visible(user=request.user, incident_id=incident_id)
        data = DeclarationInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        criterion = ActivationCriterion.objects.filter(code=values["criterion"].strip()).first()
        if criterion is None:
            raise exceptions.ValidationError(
                {"criterion": [_("Unknown criterion: %(codes)s") % {"codes": values["criterion"]}]}
            )
        declaration = services.criterion_declare(
            actor=request.user,
            incident=incident,
            criterion=criterion,
            met=values["met"],
            note=values["note"],
        )
        return Response(
            {
                "id": declaration.pk,
                "criterion": criterion.code,
                "met": declaration.met,
                "declared_at": declaration.declared_at,
            },
            status=status.HTTP_201_CREATED,
        )
