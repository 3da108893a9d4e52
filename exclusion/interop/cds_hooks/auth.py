"""The trust of CDS Hooks calls: `Authorization: Bearer <JWT>` signed by a registered CDS client.

The JWT is verified with joserfc against the public keys (JWKS) registered for its issuer: the signature
(RS384/ES384 as CDS Hooks asks, RS256/ES256 accepted; the header's `kid` names the key), `iss` an active
client, `aud` the exact URL called, `exp` in the future (and at most MAX_LIFETIME away), `iat` not in the
future (LEEWAY seconds of clock skew either way) and a `jti` never accepted before from that issuer. The
jti is inserted into CdsCallSeen, whose unique constraint refuses a replay whichever worker it reaches.

Every failure is the same bare 401: the caller learns nothing of which check failed. The reason is logged
at INFO (never the token, its claims or the client's keys).
"""

from __future__ import annotations

import datetime
import json
import logging
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from joserfc import jwk, jws, jwt
from joserfc.errors import JoseError
from rest_framework import authentication, exceptions
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from exclusion.interop.cds_hooks.models import CdsCallSeen, CdsClient

logger = logging.getLogger("cno_app.cds_hooks")

ALGORITHMS = ("RS384", "ES384", "RS256", "ES256")
LEEWAY = 60  # seconds of clock skew allowed on exp and iat
# CDS Hooks asks clients for short-lived tokens (5 minutes); a longer one would keep its jti row for long.
MAX_LIFETIME = 3600
MAX_TOKEN_LENGTH = 16_384
# JWK members that only a private (or symmetric) key has: a JWKS holding one is refused outright.
PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
KEY_TYPES = frozenset({"RSA", "EC"})


def jwks_problem(jwks: Any) -> str:
    """Why a JWKS cannot be registered ("" when it can): a set of RSA or EC public keys, each with a kid."""
    if isinstance(jwks, dict) and "kty" in jwks and "keys" not in jwks:
        if PRIVATE_MEMBERS & set(jwks):
            return "This is a private key: register the public keys only, and keep the private key secret."
        return 'This is a single key: register it as a JWK Set, {"keys": [<the key>]}.'
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list) or not jwks["keys"]:
        return 'A JWKS is a JSON object with a non-empty "keys" list.'
    kids = []
    for index, key in enumerate(jwks["keys"]):
        if not isinstance(key, dict):
            return f"Key {index + 1} is not a JSON object."
        private = sorted(PRIVATE_MEMBERS & set(key))
        if private:
            return (
                f"Key {index + 1} holds private or secret key material ({', '.join(private)}): register "
                "public keys only, and keep the private key with the client."
            )
        if key.get("kty") not in KEY_TYPES:
            return f"Key {index + 1}: key type {key.get('kty')!r} is not accepted (RSA or EC public keys)."
        if not isinstance(key.get("kid"), str) or not key["kid"]:
            return f"Key {index + 1} has no kid: CDS Hooks JWTs name their key by kid."
        kids.append(key["kid"])
    if len(set(kids)) != len(kids):
        return "Two keys share a kid."
    try:
        jwk.KeySet.import_key_set(jwks)
    except (JoseError, ValueError, TypeError) as exc:
        return f"The keys cannot be read: {exc.__class__.__name__}."
    return ""


def audiences(request: Request) -> list[str]:
    """The exact URLs this call may be addressed to: as the request reached us, and under SITE_URL (the
    public address, when a proxy rewrites the host). Never with the query string."""
    called = request.build_absolute_uri(request.path)
    public = settings.SITE_URL.rstrip("/") + request.path
    return list(dict.fromkeys([called, public]))


class CdsPrincipal:
    """The authenticated caller of a CDS call: a client, not a user (no role, no session)."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None

    def __init__(self, client: CdsClient) -> None:
        self.client = client

    def get_username(self) -> str:
        return f"cds:{self.client.issuer}"

    def __str__(self) -> str:
        return self.get_username()


class _Refused(Exception):
    """A check failed; the message is for the log only."""


def _unverified_issuer(token: str) -> str:
    try:
        payload = json.loads(jws.extract_compact(token.encode("ascii")).payload)
    except (JoseError, ValueError, UnicodeError, TypeError) as exc:
        raise _Refused(f"unreadable token ({exc.__class__.__name__})") from exc
    issuer = payload.get("iss") if isinstance(payload, dict) else None
    if not isinstance(issuer, str) or not issuer:
        raise _Refused("no iss")
    return issuer


def _verified_claims(token: str, client: CdsClient, request: Request) -> dict[str, Any]:
    try:
        keys = jwk.KeySet.import_key_set(client.jwks)
        claims = jwt.decode(token, keys, algorithms=list(ALGORITHMS)).claims
        jwt.JWTClaimsRegistry(
            leeway=LEEWAY,
            iss={"essential": True, "value": client.issuer},
            aud={"essential": True, "values": audiences(request)},
            exp={"essential": True},
            iat={"essential": True},
            jti={"essential": True},
        ).validate(claims)
    except (JoseError, ValueError, TypeError) as exc:
        raise _Refused(f"token refused ({exc.__class__.__name__}: {getattr(exc, 'error', '')})") from exc
    if claims["exp"] > timezone.now().timestamp() + MAX_LIFETIME + LEEWAY:
        raise _Refused("exp too far in the future")
    return claims


def _remember_jti(issuer: str, jti: str, exp: float) -> None:
    now = timezone.now()
    expires_at = datetime.datetime.fromtimestamp(exp, tz=datetime.UTC) + datetime.timedelta(seconds=LEEWAY)
    # Expired rows can no longer match a valid token: pruned as we go (indexed on expires_at).
    CdsCallSeen.objects.filter(expires_at__lt=now).delete()
    if len(jti) > 255:
        raise _Refused("jti too long")
    try:
        with transaction.atomic():
            CdsCallSeen.objects.create(issuer=issuer, jti=jti, expires_at=expires_at)
    except IntegrityError as exc:
        raise _Refused("jti replayed") from exc


class CdsJwtAuthentication(authentication.BaseAuthentication):
    """DRF authentication of a CDS client; `request.auth` is the CdsClient (its site scopes the call)."""

    def authenticate(self, request: Request) -> tuple[CdsPrincipal, CdsClient] | None:
        header = authentication.get_authorization_header(request).split()
        if not header:
            return None  # refused by the permission (401), with nothing to log
        try:
            if len(header) != 2 or header[0].lower() != b"bearer" or len(header[1]) > MAX_TOKEN_LENGTH:
                raise _Refused("not a Bearer token")
            token = header[1].decode("ascii")
            issuer = _unverified_issuer(token)
            client = CdsClient.objects.select_related("site").filter(issuer=issuer, active=True).first()
            if client is None:
                raise _Refused("unknown or inactive issuer")
            claims = _verified_claims(token, client, request)
            _remember_jti(client.issuer, claims["jti"], claims["exp"])
        except (_Refused, UnicodeError) as exc:
            logger.info("CDS Hooks call refused: %s", exc)
            raise exceptions.AuthenticationFailed() from exc
        return CdsPrincipal(client), client

    def authenticate_header(self, request: Request) -> str:
        return "Bearer"


class IsCdsClient(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, CdsClient)


class CdsClientRateThrottle(SimpleRateThrottle):
    """The per-token API rate, counted per CDS client."""

    scope = "token"

    def __init__(self) -> None:
        from rest_framework.settings import api_settings

        self.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
        super().__init__()

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if isinstance(request.auth, CdsClient):
            return self.cache_format % {"scope": "cds", "ident": request.auth.pk}
        return None
