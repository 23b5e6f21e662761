"""POST /api/v1/subscriptions/ (DESIGN §6): anyone; always the same 202 when the input is good."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from common.schema import error_response

from . import limits, services
from .forms import SubscribeForm
from .views import MAX_BODY, too_many_message

_IN = inline_serializer(
    "SubscriptionRequest",
    {
        "email": serializers.EmailField(),
        "language": serializers.ChoiceField(choices=["ja", "en"], required=False),
        "organizations": serializers.ListField(child=serializers.CharField(), required=False),
        "categories": serializers.ListField(child=serializers.CharField(), required=False),
        "banner": serializers.BooleanField(required=False),
    },
)
_OUT = inline_serializer("SubscriptionAccepted", {"message": serializers.CharField()})


def accepted_message() -> str:
    return _(
        "Thank you. If the address can be subscribed, a confirmation e-mail is on its way: "
        "nothing is sent until you press the button in the page its link opens."
    )


def _as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


class SubscriptionsView(APIView):
    authentication_classes: list = []  # anyone; no session, so no CSRF check
    permission_classes = [AllowAny]
    parser_classes = [JSONParser, FormParser]

    @extend_schema(
        request=_IN,
        responses={
            202: _OUT,
            400: error_response("Bad input: the message says what to change."),
            429: error_response("Too many sign-ups: Retry-After gives the seconds to wait."),
        },
    )
    def post(self, request):
        if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY:
            return Response({"message": _("The request is too large.")}, status=400)
        data = request.data
        if not isinstance(data, dict) and not hasattr(data, "getlist"):
            return Response({"message": _("Send a JSON object.")}, status=400)
        getlist = data.getlist if hasattr(data, "getlist") else None
        form = SubscribeForm(
            {
                "email": data.get("email") if isinstance(data.get("email"), str) else "",
                "language": data.get("language") or "",
                "organizations": getlist("organizations")
                if getlist
                else _as_list(data.get("organizations")),
                "categories": getlist("categories")
                if getlist
                else _as_list(data.get("categories")),
                "banner": data.get("banner") in (True, "true", "on", "1", 1),
                "website": data.get("website") or "",
            }
        )
        if not form.is_valid():
            errors = {f: [str(m) for m in e] for f, e in form.errors.items()}
            first = next(iter(errors.values()))[0]
            return Response({"message": first, "errors": errors}, status=400)
        try:
            services.subscription_request(
                choices=form.cleaned_data, client=limits.client_address(request)
            )
        except limits.RateLimited as exc:
            return Response(
                {"message": too_many_message(exc), "retry_after": exc.wait_seconds},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(exc.wait_seconds)},
            )
        return Response({"message": accepted_message()}, status=status.HTTP_202_ACCEPTED)
