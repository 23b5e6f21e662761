"""Shared REST conventions: pagination shape and JSON error bodies with a message."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination, parsers
from rest_framework.views import exception_handler as drf_exception_handler

# Deeper than any request body of the API needs, far below Python's recursion limit.
JSON_MAX_DEPTH = 64


class JSONParser(parsers.JSONParser):
    """DRF's parser; a body nested past ``JSON_MAX_DEPTH`` is a 400 with a message (5,000
    levels exhaust Python's recursion while decoding: a 500 on every POST before)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise exceptions.ParseError(_too_deep()) from error
        _check_depth(data)
        return data


def _too_deep() -> str:
    return _("The JSON body is nested too deeply (at most %(n)d levels).") % {"n": JSON_MAX_DEPTH}


def _check_depth(data) -> None:
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict | list):
            if depth > JSON_MAX_DEPTH:
                raise exceptions.ParseError(_too_deep())
            items = value.values() if isinstance(value, dict) else value
            pending.extend((item, depth + 1) for item in items)


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
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and "detail" in data and len(data) == 1:
        body = {"detail": data["detail"], "message": str(data["detail"])}
    elif isinstance(data, dict):
        body = {"message": _first_message(data) or _("Invalid input."), "errors": data}
    else:
        body = {"message": _first_message(data) or _("Invalid input."), "errors": data}
    if response.status_code == 401 and "WWW-Authenticate" not in response:
        response["WWW-Authenticate"] = 'Token realm="api"'
    response.data = body
    return response
