"""Token management pages for site administrators: list, create (the token is shown once), revoke.

The new token is rendered straight into the POST response, never redirected to or flashed: it is not stored
anywhere in clear (not even the session), so reloading the list cannot show it again.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from patients import access
from patients.models import SiteMembership
from patients.tokens.services import token_create, token_list, token_revoke


class TokenCreateForm(forms.Form):
    user = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(), help_text="Who the token acts as."
    )
    name = forms.CharField(max_length=100, help_text="What it is for, e.g. 'registry export'.")

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.filter(is_active=True).order_by("username")
        if not actor.is_superuser:
            admin_sites = access.site_ids(actor, access.ADMIN_ROLES)
            users = users.filter(
                pk__in=SiteMembership.objects.filter(site_id__in=admin_sites).values("user_id")
            )
        self.fields["user"].queryset = users


def _require_token_admin(user: Any) -> None:
    if not (user.is_superuser or access.site_ids(user, access.ADMIN_ROLES)):
        raise PermissionDenied("Only site administrators manage API tokens.")


def _roles(tokens: list[Any], actor: Any) -> dict[int, str]:
    """Each token user's roles at the actor's administered sites, for the list (one query)."""
    memberships = SiteMembership.objects.filter(user_id__in={t.user_id for t in tokens}).select_related(
        "site"
    )
    if not actor.is_superuser:
        memberships = memberships.filter(site_id__in=access.site_ids(actor, access.ADMIN_ROLES))
    roles: dict[int, list[str]] = {}
    for membership in memberships:
        write = " (write)" if membership.api_write else ""
        roles.setdefault(membership.user_id, []).append(f"{membership.role}{write} at {membership.site.code}")
    return {user_id: ", ".join(sorted(labels)) for user_id, labels in roles.items()}


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    _require_token_admin(request.user)
    form = TokenCreateForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        token, key = token_create(
            actor=request.user, user=form.cleaned_data["user"], name=form.cleaned_data["name"]
        )
        response = render(request, "tokens/token_created.html", {"token": token, "key": key})
        response["Cache-Control"] = "no-store"
        return response
    rows = list(token_list(actor=request.user)[:500])
    roles = _roles(rows, request.user)
    return render(
        request,
        "tokens/token_list.html",
        {"form": form, "rows": [(token, roles.get(token.user_id, "")) for token in rows]},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    _require_token_admin(request.user)
    token = get_object_or_404(token_list(actor=request.user), pk=token_id)
    token_revoke(actor=request.user, token=token)
    return redirect("tokens:list")
