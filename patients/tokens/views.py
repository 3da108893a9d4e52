"""Token management pages for site administrators: list, create (the token is shown once), revoke.

A token is created at one site: for the administrator themselves, or for an api_client account of that site
(patients.tokens.services says who may mint).

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
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from patients import access
from patients.models import Site, SiteMembership
from patients.tokens.services import (
    mint_refusal,
    mint_site_ids,
    mint_sites,
    mintable_users,
    token_create,
    token_list,
    token_revoke,
)


class TokenCreateForm(forms.Form):
    site = forms.ModelChoiceField(
        queryset=Site.objects.none(),
        label=gettext_lazy("Site"),
        help_text=gettext_lazy("The one site where the token acts."),
    )
    user = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(),
        label=gettext_lazy("User"),
        help_text=gettext_lazy("Who the token acts as: yourself, or an api_client account of the site."),
    )
    name = forms.CharField(
        max_length=100,
        label=gettext_lazy("Name"),
        help_text=gettext_lazy("What it is for, e.g. 'registry export'."),
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        sites = mint_sites(actor)
        self.fields["site"].queryset = sites
        site_ids = mint_site_ids(actor)
        if len(site_ids) == 1:
            self.fields["site"].initial = site_ids[0]
        self.fields["user"].queryset = mintable_users(actor, site_ids)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        site, user = cleaned.get("site"), cleaned.get("user")
        refusal = mint_refusal(self.actor, user, site) if site is not None and user is not None else None
        if refusal:
            self.add_error("user", refusal)
        return cleaned


def _require_token_admin(user: Any) -> None:
    if not (user.is_superuser or access.site_ids(user, access.ADMIN_ROLES)):
        raise PermissionDenied(_("Only site administrators manage API tokens."))


def _roles(tokens: list[Any]) -> dict[tuple[int, int], str]:
    """Each token user's role at the token's site, for the list (one query)."""
    memberships = SiteMembership.objects.filter(
        user_id__in={t.user_id for t in tokens}, site_id__in={t.site_id for t in tokens}
    )
    return {
        (m.user_id, m.site_id): _("%(role)s (write)") % {"role": m.role} if m.api_write else m.role
        for m in memberships
    }


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    _require_token_admin(request.user)
    form = TokenCreateForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        token, key = token_create(
            actor=request.user,
            user=form.cleaned_data["user"],
            site=form.cleaned_data["site"],
            name=form.cleaned_data["name"],
        )
        response = render(request, "tokens/token_created.html", {"token": token, "key": key})
        response["Cache-Control"] = "no-store"
        return response
    rows = list(token_list(actor=request.user)[:500])
    roles = _roles(rows)
    return render(
        request,
        "tokens/token_list.html",
        {"form": form, "rows": [(token, roles.get((token.user_id, token.site_id), "")) for token in rows]},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    _require_token_admin(request.user)
    token = get_object_or_404(token_list(actor=request.user), pk=token_id)
    token_revoke(actor=request.user, token=token)
    return redirect("tokens:list")
