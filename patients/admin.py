"""Staff administration, scoped like everything else: a site administrator sees and manages only the
records of the sites they administer; a superuser sees all. Clinical edits in the admin go through
Model.save(), so the audit history records them with the acting user (the middleware sets it).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from patients import access
from patients.models import AuditEntry, Biopsy, Episode, Lesion, Patient, Site, SiteMembership


class SiteScopedAdmin(admin.ModelAdmin):
    site_path = "site"

    def _admin_site_ids(self, request: HttpRequest) -> list[int]:
        return access.site_ids(request.user, access.ADMIN_ROLES)

    def _is_site_admin(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_staff and bool(self._admin_site_ids(request))

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.site_path}__in": self._admin_site_ids(request)})

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or self._is_site_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if request.user.is_superuser:
            return field
        if db_field.name == "site":
            field.queryset = field.queryset.filter(id__in=self._admin_site_ids(request))
        elif db_field.name == "patient":
            field.queryset = field.queryset.filter(site__in=self._admin_site_ids(request))
        elif db_field.name == "episode":
            field.queryset = field.queryset.filter(patient__site__in=self._admin_site_ids(request))
        return field


@admin.register(Site)
class SiteAdmin(SiteScopedAdmin):
    site_path = "id"
    list_display = ["code", "name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser


@admin.register(SiteMembership)
class SiteMembershipAdmin(SiteScopedAdmin):
    list_display = ["user", "site", "role", "api_write"]
    list_filter = ["role", "site"]
    list_select_related = ["user", "site"]


class LesionInline(admin.TabularInline):
    model = Lesion
    extra = 0


class BiopsyInline(admin.StackedInline):
    model = Biopsy
    extra = 0


@admin.register(Patient)
class PatientAdmin(SiteScopedAdmin):
    list_display = ["record_number", "site", "sex", "birth_date", "updated_at"]
    list_filter = ["site", "sex"]
    search_fields = ["record_number"]
    list_select_related = ["site"]


@admin.register(Episode)
class EpisodeAdmin(SiteScopedAdmin):
    site_path = "patient__site"
    list_display = ["patient", "assessed_on", "version", "updated_at"]
    list_select_related = ["patient__site"]
    readonly_fields = ["version"]
    inlines = [LesionInline, BiopsyInline]

    def save_model(self, request: HttpRequest, obj: Episode, form: Any, change: bool) -> None:
        if change:
            obj.version += 1
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        from exclusion.services import episode_evaluate

        episode_evaluate(episode=form.instance)


@admin.register(AuditEntry)
class AuditEntryAdmin(SiteScopedAdmin):
    list_display = ["at", "actor_label", "action", "model", "object_id", "site"]
    list_filter = ["action", "model", "site"]
    list_select_related = ["site"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


from patients import admin_tokens  # noqa: E402, F401 - registers the API token admin
