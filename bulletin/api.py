"""REST API v1 for circulars (DESIGN §6): list and publish, detail, acknowledge."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from common.parsers import JSONParser
from common.schema import CodeField
from organizations import permissions
from organizations.models import Organization
from organizations.permissions import Action
from organizations.vocabulary import OrganizationKind

from . import receipts, selectors, services
from .models import Audience, Category, Circular


class ReadAnyoneWriteAuthenticated(BasePermission):
    def has_permission(self, request, view):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return bool(request.user and request.user.is_authenticated)


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    url = serializers.SerializerMethodField()

    def get_url(self, attachment) -> str:
        return reverse("circular_attachment", args=[attachment.circular.number, attachment.pk])


class CircularSerializer(serializers.ModelSerializer):
    body_html = serializers.CharField(source="body_html_ja", read_only=True)
    body_html_en = serializers.CharField(read_only=True)
    organizations = serializers.SerializerMethodField()
    committees = serializers.SerializerMethodField()
    issuer = serializers.SerializerMethodField()
    kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=OrganizationKind.choices), read_only=True
    )
    withdrawn = serializers.BooleanField(source="is_withdrawn", read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Circular
        fields = [
            "number",
            "published_at",
            "title_ja",
            "title_en",
            "body_ja",
            "body_en",
            "body_html",
            "body_html_en",
            "category",
            "audience",
            "organizations",
            "kinds",
            "committees",
            "requires_ack",
            "ack_deadline",
            "issuer",
            "revision",
            "updated_at",
            "withdrawn",
            "withdrawn_at",
            "withdrawal_reason",
            "attachments",
            "url",
        ]
        read_only_fields = fields

    def get_organizations(self, circular) -> list[str]:
        if circular.audience != Audience.ORGANIZATIONS:
            return []
        return sorted(r.organization.code for r in circular.receipts.all())

    def get_committees(self, circular) -> list[str]:
        return [c.code for c in circular.committees.all()]

    def get_issuer(self, circular) -> str | None:
        org = circular.issuer_organization
        return org.code if org else None

    def get_url(self, circular) -> str:
        return reverse("circular_detail", args=[circular.number])


class CircularInputSerializer(serializers.Serializer):
    """Shape checks only; the publish service decides what is valid and allowed."""

    title_ja = serializers.CharField(max_length=200, allow_blank=False, trim_whitespace=True)
    title_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    body_ja = serializers.CharField(allow_blank=False, trim_whitespace=True)
    body_en = serializers.CharField(required=False, allow_blank=True)
    category = serializers.ChoiceField(choices=Category.choices)
    audience = serializers.ChoiceField(choices=Audience.choices)
    organizations = serializers.ListField(
        child=serializers.CharField(max_length=32), required=False, max_length=2000
    )
    kinds = serializers.ListField(
        child=CodeField(choices=OrganizationKind.choices, max_length=32),
        required=False,
        max_length=20,
    )
    committees = serializers.ListField(
        child=serializers.CharField(max_length=32), required=False, max_length=100
    )
    requires_ack = serializers.BooleanField(required=False, default=False)
    ack_deadline = serializers.DateTimeField(required=False, allow_null=True)
    issuer = serializers.CharField(max_length=32, required=False, allow_blank=True, allow_null=True)
    attachments = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True), required=False
    )


def _issuer_for(user, code: str | None) -> Organization | None:
    """The issuing organization: given, or the user's only one; None for market-wide."""
    if code:
        organization = Organization.objects.filter(code=code.upper()).first()
        if organization is None:
            raise exceptions.ValidationError(
                {"issuer": [_("Unknown organization: %(codes)s") % {"codes": code}]}
            )
        return organization
    if permissions.can(user, Action.PUBLISH_CIRCULAR):
        return None
    issuers = services.issuer_organizations_of(user)
    if len(issuers) == 1:
        return issuers[0]
    if issuers:
        raise exceptions.ValidationError(
            {"issuer": [_("Say which of your organizations issues this circular.")]}
        )
    raise exceptions.PermissionDenied()


def _circulars_queryset(user):
    return (
        selectors.circulars_visible(user=user)
        .select_related("issuer_organization")
        .prefetch_related("attachments", "committees", "receipts__organization")
    )


@extend_schema(summary="Circulars: list those you may read; publish (issuers)")
class CircularListCreate(generics.ListCreateAPIView):
    permission_classes = [ReadAnyoneWriteAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    serializer_class = CircularSerializer

    def get_queryset(self):
        params = self.request.query_params
        qs = selectors.circulars_search(
            user=self.request.user,
            q=params.get("q", ""),
            category=params.get("category", ""),
            issuer=params.get("issuer", ""),
            ack=params.get("ack", ""),
        )
        return qs.prefetch_related("attachments", "committees", "receipts__organization")

    @extend_schema(request=CircularInputSerializer, responses={201: CircularSerializer})
    def post(self, request, *args, **kwargs):
        if not services.may_publish(request.user):
            raise exceptions.PermissionDenied()
        data = request.data
        if hasattr(data, "getlist"):
            # Multipart: lists arrive as repeated keys.
            data = {
                key: data.getlist(key)
                if key in ("organizations", "kinds", "committees", "attachments")
                else data.get(key)
                for key in data
            }
            data["attachments"] = request.FILES.getlist("attachments")
        serializer = CircularInputSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        issuer = _issuer_for(request.user, values.pop("issuer", None))
        with transaction.atomic():
            circular = services.circular_publish(actor=request.user, issuer=issuer, **values)
        circular = _circulars_queryset(request.user).get(pk=circular.pk)
        return Response(CircularSerializer(circular).data, status=status.HTTP_201_CREATED)


@extend_schema(summary="One circular, if you may read it")
class CircularDetail(generics.RetrieveAPIView):
    serializer_class = CircularSerializer
    lookup_field = "number"

    def get_queryset(self):
        return _circulars_queryset(self.request.user)


class AcknowledgeInputSerializer(serializers.Serializer):
    organization = serializers.CharField(max_length=32, required=False, allow_blank=True)


class ReceiptSerializer(serializers.Serializer):
    organization = serializers.CharField(source="organization.code")
    read_at = serializers.DateTimeField()
    acknowledged_at = serializers.DateTimeField()


class AcknowledgeResponseSerializer(serializers.Serializer):
    number = serializers.CharField()
    acknowledged = serializers.BooleanField()
    receipts = ReceiptSerializer(many=True)


class CircularAcknowledge(APIView):
    permission_classes = [ReadAnyoneWriteAuthenticated]
    parser_classes = [JSONParser, FormParser]

    @extend_schema(
        summary="Acknowledge a circular for your organization (idempotent)",
        request=AcknowledgeInputSerializer,
        responses={200: AcknowledgeResponseSerializer},
    )
    def post(self, request, number):
        circular = selectors.circular_get_visible(user=request.user, number=number)
        serializer = AcknowledgeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        code = serializer.validated_data.get("organization")
        organization = None
        if code:
            organization = Organization.objects.filter(code=code.upper()).first()
            if organization is None:
                raise exceptions.ValidationError(
                    {"organization": [_("Unknown organization: %(codes)s") % {"codes": code}]}
                )
        acknowledged = receipts.circular_acknowledge(
            actor=request.user, circular=circular, organization=organization
        )
        return Response(
            {
                "number": circular.number,
                "acknowledged": True,
                "receipts": ReceiptSerializer(acknowledged, many=True).data,
            }
        )
