"""The navigation's count of open flags, for reviewers (registered in settings.TEMPLATES)."""

from __future__ import annotations

from functools import cached_property

from django.http import HttpRequest

from exclusion.review.models import Flag, FlagStatus
from patients import access


class ReviewNav:
    """Evaluated only when a template reads it: one COUNT for a reviewer, no query for anyone else
    (their memberships are cached on the user for the request)."""

    def __init__(self, request: HttpRequest) -> None:
        self._user = getattr(request, "user", None)

    @cached_property
    def open_count(self) -> int | None:
        """Open flags at the sites where the user reviews; None for a user who reviews nowhere."""
        sites = access.site_ids(self._user, access.REVIEW_ROLES)
        if not sites:
            return None
        return Flag.objects.filter(site_id__in=sites, status=FlagStatus.OPEN).count()


def review_nav(request: HttpRequest) -> dict[str, ReviewNav]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"review_nav": ReviewNav(request)}
