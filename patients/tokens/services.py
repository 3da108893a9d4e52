"""API tokens: created, listed and revoked by site administrators.

A token is a random string shown exactly once, at creation; only its SHA-256 hash is stored, so a leaked
database does not leak working tokens. A site administrator manages the tokens of the users of the sites
they administer; `actor=None` means a system job (a management command).
"""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone

from patients import access
from patients.access import Actor
from patients.models import ApiToken, SiteMembership

TOKEN_PREFIX = "cno_"
PREFIX_LENGTH = 12  # "cno_" and 8 random characters: enough to recognise a token in a list


def token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _administered_user_ids(actor: Actor) -> QuerySet[SiteMembership, int]:
    return SiteMembership.objects.filter(site_id__in=access.site_ids(actor, access.ADMIN_ROLES)).values_list(
        "user_id", flat=True
    )


def can_manage_tokens_of(actor: Actor, user: User) -> bool:
    """System jobs and superusers manage every token; a site admin those of their sites' members."""
    if actor is None or actor.is_superuser:
        return True
    return _administered_user_ids(actor).filter(user_id=user.pk).exists()


def token_create(*, actor: Actor, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for `user`; returns the token and its key, which is never retrievable again."""
    if not can_manage_tokens_of(actor, user):
        raise PermissionDenied("You can only create tokens for members of the sites you administer.")
    name = name.strip()
    if not name:
        raise ValueError("A token needs a name that says what it is for.")
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:100], prefix=key[:PREFIX_LENGTH], key_hash=token_hash(key), created_by=actor
    )
    return token, key


def token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    """Revoke a token (idempotent); the row stays so the list shows who had access and until when."""
    if not can_manage_tokens_of(actor, token.user):
        raise PermissionDenied("You can only revoke tokens of members of the sites you administer.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_list(*, actor: Actor) -> QuerySet[ApiToken]:
    """The tokens the actor may manage, newest first."""
    tokens = ApiToken.objects.select_related("user", "created_by").order_by("-created_at", "-id")
    if actor is None or actor.is_superuser:
        return tokens
    return tokens.filter(user_id__in=_administered_user_ids(actor))


def token_authenticate(key: str) -> ApiToken | None:
    """The active token with this key (user loaded), or None. Marks it used at most once a minute."""
    if not key.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=token_hash(key), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        # ApiToken is not an audited model, so a single-column UPDATE is fine (and avoids a race on save()).
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
