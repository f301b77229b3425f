"""Token authentication: ``Authorization: Token <key>`` (or ``Bearer <key>``); keys are stored hashed."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from kythuat.core.models import ApiToken

KEYWORDS = {b"token", b"bearer"}
TOUCH_EVERY = datetime.timedelta(minutes=1)  # write last_used_at at most once a minute


class ApiTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(_("Invalid Authorization header: use “Token <key>”."))
        try:
            key = parts[1].decode()
        except UnicodeDecodeError as exc:
            raise AuthenticationFailed(_("Invalid token.")) from exc
        token = ApiToken.find(key)
        if token is None or not token.user.is_active:
            raise AuthenticationFailed(_("Invalid, expired or revoked token."))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return "Token"


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "kythuat.core.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "Token <key> — create keys on the page “API” of the system."}
