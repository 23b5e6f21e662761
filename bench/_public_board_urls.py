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


# Last, like the board's own "" route: both pay the same URL resolution, so the comparison
# measures the board view against the bare one.
urlpatterns = [*_portal, path("bench/bare/", bare, name="bench_bare")]
