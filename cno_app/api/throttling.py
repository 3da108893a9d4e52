"""Rate limits per API token (or per user for browser sessions, per address when anonymous).

Rates live in REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] and are read at request time, so settings overrides
apply. Counts are kept in the default cache: use a shared cache (Redis) when running several processes.
"""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from patients.models import ApiToken


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

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
