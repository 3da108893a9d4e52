"""API tokens: created, listed and revoked; each bound to one site.

A token is a random string shown exactly once, at creation; only its SHA-256 hash is stored, so a leaked
database does not leak working tokens. A token acts only at its site, with its user's role there.

Who may mint: a site administrator mints their own tokens for a site they administer, and tokens for the
`api_client` accounts of the sites they administer, bound to that site (never for a clinician, a reviewer or
another administrator, whose access a token would carry off). A site administrator lists and revokes the
tokens of the sites they administer. `actor=None` means a system job (a management command).
"""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patients import access
from patients.access import Actor
from patients.audit import acting_as
from patients.choices import Role
from patients.models import ApiToken, Site, SiteMembership

TOKEN_PREFIX = "cno_"
PREFIX_LENGTH = 12  # "cno_" and 8 random characters: enough to recognise a token in a list

# Whose own role at a site lets them mint a token for themselves there (the token carries that role).
SELF_SERVICE_ROLES = access.ADMIN_ROLES


MINT_RULE = gettext_lazy(
    "a token is for yourself at a site you administer, or for an api_client account of that site"
)


def token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def can_mint(actor: Actor, user: User, site_id: int) -> bool:
    """System jobs and superusers mint for any member of the site; others as the module docstring says."""
    if actor is None or actor.is_superuser:
        return SiteMembership.objects.filter(user=user, site_id=site_id).exists()
    if actor.pk == user.pk:
        return access.role_at(actor, site_id) in SELF_SERVICE_ROLES
    role = SiteMembership.objects.filter(user=user, site_id=site_id).values_list("role", flat=True).first()
    return access.can_administer(actor, site_id) and role == Role.API_CLIENT


def mint_refusal(actor: Actor, user: User, site: Site) -> str | None:
    """Why ``actor`` may not mint a token for ``user`` at ``site`` (a form error), or None when allowed."""
    if can_mint(actor, user, site.pk):
        return None
    return _("%(user)s cannot get a token at %(site)s: %(rule)s.") % {
        "user": user.get_username(),
        "site": site.code,
        "rule": MINT_RULE,
    }


def mintable_users(actor: User, site_ids: list[int]) -> QuerySet[User]:
    """The active users the actor may mint a token for at one of these sites (for forms' choices)."""
    users = User.objects.filter(is_active=True).order_by("username")
    if actor.is_superuser:
        return users.filter(memberships__site_id__in=site_ids).distinct()
    api_clients = SiteMembership.objects.filter(site_id__in=site_ids, role=Role.API_CLIENT).values("user_id")
    own = [actor.pk] if set(site_ids) & set(access.site_ids(actor, SELF_SERVICE_ROLES)) else []
    return users.filter(pk__in=api_clients) | users.filter(pk__in=own)


def mint_sites(actor: User) -> QuerySet[Site]:
    """The sites the actor mints tokens at: every site for a superuser, else those they administer."""
    sites = Site.objects.order_by("code")
    if actor.is_superuser:
        return sites
    return sites.filter(pk__in=access.site_ids(actor, access.ADMIN_ROLES))


def mint_site_ids(actor: User) -> list[int]:
    """The ids of mint_sites(actor); for a site admin from their cached memberships, with no query."""
    if actor.is_superuser:
        return list(Site.objects.values_list("pk", flat=True))
    return access.site_ids(actor, access.ADMIN_ROLES)


def _single_site(user: User) -> Site:
    sites = list(Site.objects.filter(memberships__user=user)[:2])
    if len(sites) != 1:
        raise ValueError(
            f"{user.get_username()} belongs to {len(sites) or 'no'} site(s): say which site the token is for."
        )
    return sites[0]


def token_create(*, actor: Actor, user: User, name: str, site: Site | None = None) -> tuple[ApiToken, str]:
    """Create a token for `user` bound to `site` (for a system job, the user's only site if omitted);
    returns the token and its key, which is never retrievable again."""
    if site is None:
        if actor is not None:
            raise ValueError("Say which site the token is for.")
        site = _single_site(user)
    if not can_mint(actor, user, site.pk):
        raise PermissionDenied(_("You cannot create this token: %(rule)s.") % {"rule": MINT_RULE})
    name = name.strip()
    if not name:
        raise ValueError("A token needs a name that says what it is for.")
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic(), acting_as(actor):
        token = ApiToken.objects.create(
            user=user,
            site=site,
            name=name[:100],
            prefix=key[:PREFIX_LENGTH],
            key_hash=token_hash(key),
            created_by=actor,
        )
    return token, key


def can_manage(actor: Actor, token: ApiToken) -> bool:
    if actor is None or actor.is_superuser:
        return True
    return access.can_administer(actor, token.site_id)


def token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    """Revoke a token (idempotent); the row stays so the list shows who had access and until when."""
    if not can_manage(actor, token):
        raise PermissionDenied(_("You can only revoke tokens of the sites you administer."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        with transaction.atomic(), acting_as(actor):
            token.save(update_fields=["revoked_at"])
    return token


def token_list(*, actor: Actor) -> QuerySet[ApiToken]:
    """The tokens the actor may manage, newest first."""
    tokens = ApiToken.objects.select_related("user", "site", "created_by").order_by("-created_at", "-id")
    if actor is None or actor.is_superuser:
        return tokens
    return tokens.filter(site_id__in=access.site_ids(actor, access.ADMIN_ROLES))


def token_authenticate(key: str) -> ApiToken | None:
    """The active token with this key, or None if there is none or its user no longer belongs to its site.

    One query loads the token, its user and site, and the user's membership at that site; the user's
    memberships for the rest of the request are then that one membership only (patients.access caches
    them on the user), so every site-scoped selector and permission sees the token's site and no other.
    Marks the token used at most once a minute.
    """
    if not key.startswith(TOKEN_PREFIX):
        return None
    membership = SiteMembership.objects.filter(user_id=OuterRef("user_id"), site_id=OuterRef("site_id"))
    token = (
        ApiToken.objects.select_related("user", "site")
        .annotate(
            membership_id=Subquery(membership.values("id")[:1]),
            membership_role=Subquery(membership.values("role")[:1]),
            membership_api_write=Subquery(membership.values("api_write")[:1]),
        )
        .filter(key_hash=token_hash(key), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active or token.membership_id is None:
        return None
    access.restrict_to_membership(
        token.user,
        SiteMembership(
            id=token.membership_id,
            user=token.user,
            site=token.site,
            role=token.membership_role,
            api_write=token.membership_api_write,
        ),
    )
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        # A single-column UPDATE, which sends no signal: last use is bookkeeping, not an audited change
        # (and this avoids a race on save()).
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
