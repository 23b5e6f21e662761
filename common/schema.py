"""The OpenAPI contract of the API: codes as named enums and the one error body everywhere.

``CodeField`` is a code from a fixed vocabulary. It is checked by the service that takes it
(which answers a 400 with its own message, in the user's language), and the schema shows it
as the enum it is. ``AutoSchema`` adds the error responses every operation can give, all with
``ErrorSerializer``: the body ``common.api.exception_handler`` writes for every API error.
"""

from __future__ import annotations

from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_choice_field
from drf_spectacular.utils import OpenApiResponse, extend_schema_field
from rest_framework import serializers


class CodeField(serializers.CharField):
    """A code of ``choices``: a string for the service to check, an enum in the schema."""

    def __init__(self, *, choices, **kwargs):
        self.code_choices = choices
        kwargs.setdefault("max_length", 64)
        super().__init__(**kwargs)


class CodeFieldExtension(OpenApiSerializerFieldExtension):
    target_class = CodeField

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        return build_choice_field(
            serializers.ChoiceField(choices=field.code_choices, allow_blank=field.allow_blank)
        )


@extend_schema_field(
    {
        "oneOf": [
            {"type": "object", "additionalProperties": {}},
            {"type": "array", "items": {}},
        ],
        "description": "The messages by field ({field: [messages]}, nested like the input), "
        "or a list of messages.",
    }
)
class _ErrorsField(serializers.JSONField):
    pass


class ErrorSerializer(serializers.Serializer):
    """Every API error: ``{"detail", "message"}`` or ``{"message", "errors"}``."""

    message = serializers.CharField(help_text="One sentence for people, in their language.")
    detail = serializers.CharField(
        required=False, help_text="The same sentence, where no field is at fault."
    )
    errors = _ErrorsField(required=False)


ERROR_DESCRIPTIONS = {
    "400": "The input is not valid (the messages say why, by field).",
    "401": "Not logged in, or an unknown token.",
    "403": "Not allowed for this account (or its token, or its second factor).",
    "404": "Nothing you may see by that name (or no such page of the list).",
}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, with the error responses each operation can give.

    401 and 403 can answer any operation: an unknown token is a 401 and a token refused for
    its second factor a 403 on every endpoint. 400: whatever takes a body or query
    parameters. 404: whatever names an object in its path, or pages through a list.
    """

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        parameters = operation.get("parameters", [])
        codes = ["401", "403"]
        if method != "GET" or any(p["in"] == "query" for p in parameters):
            codes.append("400")
        if any(p["in"] == "path" or p["name"] == "page" for p in parameters):
            codes.append("404")
        responses = operation.setdefault("responses", {})
        for code in sorted(codes):
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code]), code
                )
        operation["responses"] = dict(sorted(responses.items()))
        return operation


def error_response(description: str) -> OpenApiResponse:
    """For a view's own error codes (a 409, say) in ``extend_schema(responses=...)``."""
    return OpenApiResponse(ErrorSerializer, description=description)
