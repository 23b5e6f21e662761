"""Serving a cached representation: validators, 304 answers and the stale marking."""

from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

from .bundles import STALE_MARK, Bundle, Variant

_CONDITIONAL_HEADERS = frozenset(
    {"HTTP_IF_MATCH", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_UNMODIFIED_SINCE"}
)


def cached_response(request, bundle: Bundle, variant: Variant, *, stale: bool, vary: str = ""):
    etag = variant.etag
    body = variant.body
    if stale:
        etag = etag[:-1] + '-stale"'
        if variant.stale_notice:
            body = body.replace(STALE_MARK.encode(), variant.stale_notice.encode(), 1)
    last_modified = int(bundle.generated_at.timestamp())
    headers = {
        "ETag": etag,
        "Last-Modified": bundle.last_modified_http or http_date(last_modified),
        # Shared caches may hold it for a second; when we fail they may keep serving it.
        "Cache-Control": "public, max-age=1, stale-if-error=86400",
    }
    if stale:
        headers["Warning"] = '110 - "Response is Stale"'
    not_modified = None
    if _CONDITIONAL_HEADERS.intersection(request.META):  # most visitors send none
        not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
    response = not_modified or HttpResponse(body, content_type=variant.content_type)
    for name, value in headers.items():
        response[name] = value
    if vary:
        patch_vary_headers(response, [v.strip() for v in vary.split(",")])
    return response
