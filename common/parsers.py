"""Request parsers of the API. Its own module: DRF reads DEFAULT_PARSER_CLASSES while
``rest_framework.views`` is being imported, so this must not import that (common.api does)."""

from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers

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
