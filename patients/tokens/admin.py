"""API tokens in the admin, scoped like the rest of it: a site administrator sees the tokens bound to the
sites they administer, and mints them only as patients.tokens.services allows (for themselves, or for an
api_client account of one of those sites). Adding a token shows its key once on the response page; tokens
are revoked, never edited.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy, ngettext

from patients import access
from patients.models import ApiToken
from patients.tokens.services import (
    mint_refusal,
    mint_site_ids,
    mint_sites,
    mintable_users,
    token_create,
    token_list,
    token_revoke,
)


class ApiTokenAddForm(forms.ModelForm):
    actor: Any = None  # set by ApiTokenAdmin.get_form

    class Meta:
        model = ApiToken
        fields = ["site", "user", "name"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        site, user = cleaned.get("site"), cleaned.get("user")
        refusal = mint_refusal(self.actor, user, site) if site is not None and user is not None else None
        if refusal:
            self.add_error("user", refusal)
        return cleaned


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "prefix",
        "name",
        "site",
        "user",
        "created_at",
        "created_by",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "site"]
    list_select_related = ["user", "site", "created_by"]
    search_fields = ["prefix", "name", "user__username"]
    readonly_fields = [
        "site",
        "user",
        "name",
        "prefix",
        "created_at",
        "created_by",
        "last_used_at",
        "revoked_at",
    ]
    exclude = ["key_hash"]
    actions = ["revoke"]

    def _is_token_admin(self, request: HttpRequest) -> bool:
        user = request.user
        return (
            user.is_active
            and user.is_staff
            and (user.is_superuser or bool(access.site_ids(user, access.ADMIN_ROLES)))
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return token_list(actor=request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._is_token_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_token_admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._is_token_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # tokens are revoked (action), never edited

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # keep the row: who had access, and until when

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = ApiTokenAddForm
            kwargs["fields"] = ["site", "user", "name"]
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user
        return form

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return self.readonly_fields if obj is not None else []

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "site":
            field.queryset = mint_sites(request.user)
        elif db_field.name == "user":
            field.queryset = mintable_users(request.user, mint_site_ids(request.user))
        return field

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        token, key = token_create(
            actor=request.user,
            user=form.cleaned_data["user"],
            site=form.cleaned_data["site"],
            name=form.cleaned_data["name"],
        )
        obj.pk = token.pk
        request._new_api_token = (token, key)

    def response_add(
        self, request: HttpRequest, obj: ApiToken, post_url_continue: Any = None
    ) -> HttpResponse:
        token, key = request._new_api_token
        response = render(request, "tokens/token_created.html", {"token": token, "key": key})
        response["Cache-Control"] = "no-store"
        return response

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> None:
        pass  # the token row and its audit entry record who created it

    @admin.action(description=gettext_lazy("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            token_revoke(actor=request.user, token=token)
            count += 1
        self.message_user(
            request,
            ngettext("Revoked %(count)d token.", "Revoked %(count)d tokens.", count) % {"count": count},
            messages.SUCCESS,
        )
