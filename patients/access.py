"""Who may see and change what. Every clinical record belongs to a site; a user acts only in the sites
they belong to, as their role there allows. A record of another site does not exist for them (404).
"""

from __future__ import annotations

from typing import TypeVar

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from patients.choices import Role
from patients.models import SiteMembership

VIEW_ROLES = frozenset(Role.values)
CLINICAL_EDIT_ROLES = frozenset({Role.CLINICIAN, Role.SITE_ADMIN})
REVIEW_ROLES = frozenset({Role.REVIEWER})
ADMIN_ROLES = frozenset({Role.SITE_ADMIN})

M = TypeVar("M", bound=Model)

# Who writes: a signed-in user, or None for a system job (demo import, re-assessment).
Actor = User | None
# Who reads: also an anonymous visitor (who sees nothing).
Viewer = User | AnonymousUser | None


def memberships(user: Viewer) -> list[SiteMembership]:
    """The user's memberships, cached on the user object for the rest of the request."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return []
    cached: list[SiteMembership] | None = getattr(user, "_cno_memberships", None)
    if cached is None:
        cached = list(SiteMembership.objects.filter(user=user).select_related("site"))
        user.__dict__["_cno_memberships"] = cached
    return cached


def restrict_to_membership(user: User, membership: SiteMembership) -> None:
    """For the rest of the request, the user belongs to this one site only (an API token bound to it):
    every check and selector below reads memberships(), so none sees the user's other sites."""
    user.__dict__["_cno_memberships"] = [membership]


def role_at(user: Viewer, site_id: int) -> str | None:
    for membership in memberships(user):
        if membership.site_id == site_id:
            return membership.role
    return None


def site_ids(user: Viewer, roles: frozenset[str] = VIEW_ROLES) -> list[int]:
    return [m.site_id for m in memberships(user) if m.role in roles]


def can_view(user: Viewer, site_id: int) -> bool:
    return role_at(user, site_id) in VIEW_ROLES


def can_edit_clinical(user: Viewer, site_id: int) -> bool:
    for membership in memberships(user):
        if membership.site_id == site_id:
            return membership.role in CLINICAL_EDIT_ROLES or (
                membership.role == Role.API_CLIENT and membership.api_write
            )
    return False


def can_review(user: Viewer, site_id: int) -> bool:
    return role_at(user, site_id) in REVIEW_ROLES


def can_administer(user: Viewer, site_id: int) -> bool:
    return role_at(user, site_id) in ADMIN_ROLES


def require_edit_clinical(user: Viewer, site_id: int) -> None:
    """For services: None means a system job (a management command or task), which may write."""
    if user is None:
        return
    if not can_edit_clinical(user, site_id):
        raise PermissionDenied(_("Your role at this site does not allow changing clinical records."))


def scope_to_user(queryset: QuerySet[M], user: Viewer, site_path: str = "site") -> QuerySet[M]:
    """Filter any queryset to the sites the user can see; `site_path` leads from the model to its Site."""
    return queryset.filter(**{f"{site_path}__in": site_ids(user)})


def scope_to_user_in_query(queryset: QuerySet[M], user: Viewer, site_path: str = "site") -> QuerySet[M]:
    """The same scope as scope_to_user, as a subquery of the memberships: for a read that should be one
    round trip (an API detail), when the memberships are not needed otherwise."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return queryset.none()
    cached: list[SiteMembership] | None = getattr(user, "_cno_memberships", None)
    if cached is not None:
        # Already loaded, or restricted to a token's site: the same list as everywhere else, no query.
        return queryset.filter(**{f"{site_path}__in": [m.site_id for m in cached]})
    # Every role may view (VIEW_ROLES is all of them, and the database allows no other role).
    sites = SiteMembership.objects.filter(user=user).values("site_id")
    return queryset.filter(**{f"{site_path}__in": sites})


# The working site chosen in the site switcher, kept in the session.
SITE_SESSION_KEY = "cno_working_site"


def working_site_id(request: HttpRequest) -> int | None:
    """The site chosen in the switcher, if the user still belongs to it."""
    site_id = request.session.get(SITE_SESSION_KEY)
    if isinstance(site_id, int) and site_id in site_ids(request.user):
        return site_id
    return None
