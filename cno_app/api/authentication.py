"""Token authentication against patients.models.ApiToken (hashed keys, revocable).

Clients send `Authorization: Bearer <token>` (`Token <token>` is accepted too). Because this class provides
`authenticate_header`, DRF answers a missing or bad token with 401 and a WWW-Authenticate header, not 403.

A token is bound to one site: the user it returns belongs, for this request, to that site only (with its
role there), so every scoped selector and permission sees no other site. A token whose user has left its
site is refused like a revoked one (401).
"""

from __future__ import annotations

from typing import Any

from rest_framework import authentication, exceptions
from rest_framework.request import Request

from patients.tokens.services import token_authenticate

KEYWORDS = (b"bearer", b"token")


class ApiTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() not in KEYWORDS:
            return None  # not ours: let session authentication try
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Invalid Authorization header: expected 'Bearer <token>'.")
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed("Invalid token.") from exc
        token = token_authenticate(key)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'
