"""Shared REST conventions: pagination shape and the one path every API error takes.

Services raise Django's ValidationError (by field); the API views let it through and this
handler turns it into the JSON error shape: ``{"message", "errors": {field: [messages]}}``.
"""

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


def _first_message(detail) -> str:
    """The first human-readable message found in a DRF error detail."""
    if isinstance(detail, dict):
        for field, value in detail.items():
            text = _first_message(value)
            if text:
                return text if field in ("non_field_errors", "detail") else f"{field}: {text}"
        return ""
    if isinstance(detail, list | tuple):
        return _first_message(detail[0]) if detail else ""
    return str(detail)


def exception_handler(exc, context):
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent | RequestDataTooBig):
        # Django's limits on a form or multipart body: a JSON 400 like any other bad input
        # (left to Django they were an HTML 400 and an error in the log).
        exc = exceptions.ParseError(_("The request body has too many fields or is too large."))
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and "detail" in data and len(data) == 1:
        body = {"detail": data["detail"], "message": str(data["detail"])}
    else:
        body = {"message": _first_message(data) or _("Invalid input."), "errors": data}
    if response.status_code == 401 and "WWW-Authenticate" not in response:
        response["WWW-Authenticate"] = 'Token realm="api"'
    response.data = body
    return response
