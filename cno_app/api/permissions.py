"""Role rules of the API: the browser's (patients.access), answered in HTTP terms.

Reading needs any role at the record's site; another site's record is a 404 (the selectors raise it).
Writing clinical data needs clinician or site_admin, or api_client with `api_write`; otherwise 403.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions

from patients import access
from patients.choices import Role
from patients.models import Site


def require_clinical_write(user: Any, site_id: int) -> None:
    if access.can_edit_clinical(user, site_id):
        return
    role = access.role_at(user, site_id)
    if role == Role.API_CLIENT:
        raise exceptions.PermissionDenied(
            _("This API client is read-only at this site; a site administrator can grant write access.")
        )
    raise exceptions.PermissionDenied(
        _("Your role at this site (%(role)s) does not allow changing clinical records.") % {"role": role}
    )


def visible_site(user: Any, code: str) -> Site:
    """One of the user's sites by code; 404 (naming the field) for any other code, existing or not."""
    for membership in access.memberships(user):
        if membership.site.code == code:
            return membership.site
    raise exceptions.NotFound(
        {"errors": [{"path": "site", "message": _("No site '%(code)s' among your sites.") % {"code": code}}]}
    )
