"""Rate limits per API token (or per user for browser sessions, per address when anonymous).

Rates live in REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] and are read at request time, so settings overrides
apply. Counts are kept in the default cache: use a shared cache (Redis) when running several processes.
"""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import Throttled
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from patients.models import ApiToken

COUNTED = "_cno_anonymous_throttle_counted"


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"

    def __init__(self) -> None:  # read the rates now, not at import time
        self.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
        super().__init__()

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            return None  # anonymous requests are limited by AnonymousRateThrottle
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AnonymousRateThrottle(TokenRateThrottle):
    scope = "anon"

    def allow_request(self, request: Request, view: Any) -> bool:
        if getattr(request, COUNTED, False):
            return True  # ThrottleAnonymousFirst has counted this request already
        setattr(request, COUNTED, True)
        return super().allow_request(request, view)

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class ThrottleAnonymousFirst(BasePermission):
    """The anonymous limit, applied before the permission that refuses anonymous requests.

    DRF checks permissions before throttles, so a request without credentials would be answered 401 forever
    without ever being counted; this counts it first and answers 429 once the limit is reached.
    """

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.user and request.user.is_authenticated:
            return True
        throttle = AnonymousRateThrottle()
        if not throttle.allow_request(request, view):
            raise Throttled(wait=throttle.wait())
        return True
