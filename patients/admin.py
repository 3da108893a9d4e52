"""Staff administration, scoped like everything else: a site administrator sees and manages only the
records of the sites they administer; a superuser sees all.

Clinical records (patients, episodes with their lesions and biopsy) are saved through patients.services,
the same path as the browser and the API: validated once, assessed, audited with the acting user, and
followed by the derived side (review flag, activity summary). An episode form carries the version it
was loaded at; saving over a newer version is refused as a conflict, with the input kept.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.utils.translation import gettext as _

from exclusion.engine.schema import MAX_LESIONS
from patients import access, services
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
    """A site administrator lists, offers and adds only the users of their own sites: a user who belongs
    only to another site is not theirs to see or to bring in (that would carry the other site's people, and
    their tokens, across). Site administrators have no user-creation rights in the admin; a superuser, or
    `manage.py add_user`, brings a new user to a site. Every change is audited (patients.audit)."""

    list_display = ["user", "site", "role", "api_write"]
    list_filter = ["role", ("site", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["user", "site"]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "user" and not request.user.is_superuser:
            members = SiteMembership.objects.filter(site_id__in=self._admin_site_ids(request))
            field.queryset = field.queryset.filter(pk__in=members.values("user_id")).order_by("username")
        return field


class EpisodePartInline:
    """Lesions and the biopsy are part of the episode: whoever may change the episode may change them."""

    def _episode_admin_allows(self, request: HttpRequest, obj: Any) -> bool:
        episode_admin = self.admin_site._registry[Episode]  # type: ignore[attr-defined]
        return episode_admin.has_change_permission(request, obj)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.admin_site._registry[Episode].has_view_permission(request, obj)  # type: ignore[attr-defined]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._episode_admin_allows(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._episode_admin_allows(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._episode_admin_allows(request, obj)


class LesionInline(EpisodePartInline, admin.TabularInline):
    model = Lesion
    extra = 0
    max_num = MAX_LESIONS  # the contract's limit per episode


class BiopsyInline(EpisodePartInline, admin.StackedInline):
    model = Biopsy
    extra = 0


class ClinicalRecordAdmin(SiteScopedAdmin):
    """Clinical records change only for those who may change them anywhere else (a clinician or site
    administrator of the record's site, patients.access); for everyone else, superusers included, the
    admin is read-only. The services check it again."""

    def _record_site_id(self, obj: Any) -> int:
        return obj.site_id

    def _can_edit(self, request: HttpRequest, obj: Any) -> bool:
        if obj is None:
            return bool(access.site_ids(request.user, access.CLINICAL_EDIT_ROLES))
        return access.can_edit_clinical(request.user, self._record_site_id(obj))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request) and self._can_edit(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_module_permission(request) and self._can_edit(request, None)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request) and self._can_edit(request, obj)


@admin.register(Patient)
class PatientAdmin(ClinicalRecordAdmin):
    list_display = ["record_number", "site", "sex", "birth_date", "updated_at"]
    list_filter = ["site", "sex"]
    search_fields = ["record_number"]
    list_select_related = ["site"]

    def save_model(self, request: HttpRequest, obj: Patient, form: Any, change: bool) -> None:
        values = {name: form.cleaned_data[name] for name in ("record_number", "sex", "birth_date")}
        if change:
            # Re-assesses the patient's episodes (age comes from the birth date).
            services.patient_update(actor=request.user, patient=obj, **values)
        else:
            created = services.patient_create(actor=request.user, site=form.cleaned_data["site"], **values)
            obj.pk = created.pk


class EpisodeAdminForm(forms.ModelForm):
    """The episode as stored, plus the version it was loaded at (optimistic locking, as in the browser)."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Episode
        exclude = ["version"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["loaded_version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        loaded = cleaned.get("loaded_version")
        if self.instance.pk is not None:
            current = Episode.objects.filter(pk=self.instance.pk).values_list("version", flat=True).first()
            if loaded is None or loaded != current:
                raise ValidationError(
                    _(
                        "This episode was changed by someone else since you opened it (now version "
                        "%(version)s). Your input is kept below: open the episode again in another tab, "
                        "compare, and re-apply."
                    )
                    % {"version": current},
                    code="stale_version",
                )
        return cleaned


def _lesions(formset: Any) -> list[dict[str, Any]]:
    """The complete new list of lesions for episode_update: kept ones with their id, new ones without."""
    lesions = []
    for form in formset.forms:
        if formset._should_delete_form(form) or (form.instance.pk is None and not form.has_changed()):
            continue
        values = {
            name: value
            for name, value in form.cleaned_data.items()
            if name not in ("id", "episode", "DELETE")
        }
        if form.instance.pk is not None:
            values["id"] = form.instance.pk
        lesions.append(values)
    return lesions


def _biopsy(formset: Any) -> dict[str, Any] | None:
    for form in formset.forms:
        if formset._should_delete_form(form):
            return None
        if form.instance.pk is not None or form.has_changed():
            return {
                name: value
                for name, value in form.cleaned_data.items()
                if name not in ("id", "episode", "DELETE")
            }
    return None


# The episode's own fields, as the services take them (the patient is fixed when it is created).
EPISODE_FIELDS = [
    field.name
    for field in Episode._meta.concrete_fields
    if field.name not in ("id", "patient", "version", "created_at", "updated_at")
]


def _record_changes(formset: Any) -> None:
    # What formset.save() would have noted, for the admin's change message (the service saved them).
    kept = [form for form in formset.forms if not formset._should_delete_form(form)]
    formset.new_objects = [form.instance for form in kept if form.instance.pk is None and form.has_changed()]
    formset.changed_objects = [
        (form.instance, form.changed_data) for form in kept if form.instance.pk and form.has_changed()
    ]
    formset.deleted_objects = [
        form.instance for form in formset.forms if formset._should_delete_form(form) and form.instance.pk
    ]


@admin.register(Episode)
class EpisodeAdmin(ClinicalRecordAdmin):
    site_path = "patient__site"

    def _record_site_id(self, obj: Any) -> int:
        return obj.patient.site_id

    form = EpisodeAdminForm
    list_display = ["patient", "assessed_on", "version", "updated_at"]
    list_select_related = ["patient__site"]
    readonly_fields = ["version"]
    inlines = [LesionInline, BiopsyInline]

    def changeform_view(self, request: HttpRequest, object_id: Any = None, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().changeform_view(request, object_id, *args, **kwargs)
        except (services.StaleVersionError, services.CaseDocumentError) as exc:
            # Someone saved between the form's check and ours, or the contract refused the whole episode:
            # the admin's transaction rolled back, nothing was written.
            messages.error(request, _("Not saved: %(reason)s") % {"reason": exc})
            return HttpResponseRedirect(request.path)

    def _create_formsets(self, request: HttpRequest, obj: Any, change: bool) -> Any:
        # Keep the bound inline formsets: save_model hands the lesions and biopsy to the service together
        # with the episode, so one call validates, saves and assesses all of it.
        formsets, inline_instances = super()._create_formsets(request, obj, change)
        request._episode_formsets = formsets  # type: ignore[attr-defined]
        return formsets, inline_instances

    def save_model(self, request: HttpRequest, obj: Episode, form: Any, change: bool) -> None:
        by_model = {formset.model: formset for formset in request._episode_formsets}  # type: ignore[attr-defined]
        data = {name: value for name, value in form.cleaned_data.items() if name in EPISODE_FIELDS}
        lesions = _lesions(by_model[Lesion])
        biopsy = _biopsy(by_model[Biopsy])
        if change:
            saved = services.episode_update(
                actor=request.user,
                episode_id=obj.pk,
                expected_version=form.cleaned_data["loaded_version"],
                data=data,
                lesions=lesions,
                biopsy=biopsy,
            )
        else:
            patient = form.cleaned_data["patient"]
            saved = services.episode_create(
                actor=request.user, patient=patient, data=data, lesions=lesions, biopsy=biopsy
            )
        obj.pk, obj.version = saved.pk, saved.version
        for formset in by_model.values():
            _record_changes(formset)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass  # saved by save_model, through the service

    def delete_model(self, request: HttpRequest, obj: Episode) -> None:
        services.episode_delete(actor=request.user, episode=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for episode in queryset.select_related("patient"):
            services.episode_delete(actor=request.user, episode=episode)


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


from patients.tokens import admin as admin_tokens  # noqa: E402, F401 - registers the API token admin
