"""bcpweb.urls plus /bench/bare/: a bare Django view returning the board's bytes."""

import os

from django.http import HttpResponse
from django.urls import path

from bcpweb.urls import handler403, handler404, handler500  # noqa: F401
from bcpweb.urls import urlpatterns as _portal

_BODY: list[bytes] = []


def bare(request):
    if not _BODY:
        with open(os.environ["BENCH_BARE_BODY"], "rb") as fh:
            _BODY.append(fh.read())
    return HttpResponse(_BODY[0], content_type="text/html; charset=utf-8")


# First, so the bare view never pays more URL resolution than the board: the board's ""
# route (the first of the portal's patterns) is tried right after this one. Everything else —
# middleware, settings, server — is the portal's own, so the comparison measures the board
# view against the bare one.
urlpatterns = [path("bench/bare/", bare, name="bench_bare"), *_portal]
