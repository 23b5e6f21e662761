from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from . import selectors
from .models import Organization


class OrganizationSerializer(serializers.ModelSerializer):
    functions = serializers.SerializerMethodField()

    class Meta:
        model = Organization
        fields = ["code", "name_ja", "name_en", "kind", "is_public", "functions"]

    def get_functions(self, org) -> list[str]:
        return [of.function.code for of in org.organization_functions.all()]


@extend_schema(summary="Organizations: public ones for anyone, all for members")
class OrganizationList(generics.ListAPIView):
    serializer_class = OrganizationSerializer

    def get_queryset(self):
        qs = selectors.organizations_with_functions(user=self.request.user)
        kind = self.request.query_params.get("kind")
        if kind:
            qs = qs.filter(kind=kind)
        return qs.order_by("code")
