"""The API's token authentication: DRF's, reusing the token the two-factor middleware has
already read for this request (with its user and the user's groups), so that one API call
reads them once, not twice."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .middleware import READ_ON_REQUEST


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate(self, request):
        # DRF's Request wraps Django's: the middleware saw the latter.
        self._read = getattr(request._request, READ_ON_REQUEST, None)
        return super().authenticate(request)

    def authenticate_credentials(self, key):
        token = self._read
        if token is None or token.key != key:
            return super().authenticate_credentials(key)
        # The checks of DRF's own authenticate_credentials, on the token already read.
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return (token.user, token)
