"""Browser views that write the clinical record: new patient, new or edited episode, the working site.

Thin: they parse forms, call one selector or service, render. The pages that show what is derived from
the record (patient list and page, episode assessment, rules) are in exclusion.workbench.views.

Site scoping comes from the selectors (a record of another site is a 404); changing clinical records
needs a clinician or site-admin role at the record's site (patients.access.can_edit_clinical).
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from patients import access, selectors, services
from patients.forms import (
    EPISODE_FIELDS,
    EpisodeForm,
    LesionFormSet,
    PatientForm,
    day_text,
    kept_lesion_forms,
    lesion_initial,
)
from patients.models import Episode, Patient
from patients.templatetags.cno_ui import path_label


@login_required
@require_POST
def site_switch(request: HttpRequest) -> HttpResponse:
    """Set the working site for this session (empty: all of the user's sites)."""
    value = request.POST.get("site", "")
    if value.isdigit() and int(value) in access.site_ids(request.user):
        request.session[access.SITE_SESSION_KEY] = int(value)
    else:
        request.session.pop(access.SITE_SESSION_KEY, None)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("patients:list")
    return redirect(target)


def _editable_sites(request: HttpRequest) -> list:
    sites = [m.site for m in access.memberships(request.user) if m.role in access.CLINICAL_EDIT_ROLES]
    working = access.working_site_id(request)
    # The working site first, so it is the default choice.
    return sorted(sites, key=lambda site: site.id != working)


@login_required
def patient_create(request: HttpRequest) -> HttpResponse:
    sites = _editable_sites(request)
    if not sites:
        raise PermissionDenied(_("Only clinicians and site administrators can add patients."))
    form = PatientForm(request.POST or None, sites=sites)
    existing_patient_id = None  # the patient on file when the record number is taken (linked on the form)
    if request.method == "POST" and form.is_valid():
        try:
            patient = services.patient_create(
                actor=request.user,
                site=form.site(),
                record_number=form.cleaned_data["record_number"],
                sex=form.cleaned_data["sex"],
                birth_date=form.cleaned_data["birth_date"],
            )
        except ValidationError as exc:
            _add_validation_errors(form, exc)
            existing_patient_id = services.duplicate_of(exc)
        else:
            messages.success(
                request,
                _("Patient %(record_number)s added. Enter the first episode below.")
                % {"record_number": patient.record_number},
            )
            return redirect("patients:episode_create", patient_id=patient.id)
    return render(
        request,
        "patients/patient_form.html",
        {"form": form, "existing_patient_id": existing_patient_id},
    )


@login_required
def episode_create(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = selectors.patient_get(user=request.user, patient_id=patient_id)
    return _episode_form(request, patient, None)


@login_required
def episode_edit(request: HttpRequest, episode_id: int) -> HttpResponse:
    episode = selectors.episode_get(user=request.user, episode_id=episode_id)
    return _episode_form(request, episode.patient, episode)


def _episode_form(request: HttpRequest, patient: Patient, episode: Episode | None) -> HttpResponse:
    if not access.can_edit_clinical(request.user, patient.site_id):
        raise PermissionDenied(_("Your role at this site does not allow changing clinical records."))
    conflict = None
    if request.method == "POST":
        form = EpisodeForm(request.POST, patient=patient)
        formset = LesionFormSet(request.POST, prefix="lesions")
        if form.is_valid() and formset.is_valid():
            lesion_forms = kept_lesion_forms(formset)
            lesions = [lesion_form.lesion_data() for lesion_form in lesion_forms]
            try:
                if episode is None:
                    saved = services.episode_create(
                        actor=request.user,
                        patient=patient,
                        data=form.episode_data(),
                        lesions=lesions,
                        biopsy=form.biopsy_data(),
                    )
                else:
                    saved = services.episode_update(
                        actor=request.user,
                        episode_id=episode.id,
                        expected_version=_expected_version(request, form),
                        data=form.episode_data(),
                        lesions=lesions,
                        biopsy=form.biopsy_data(),
                    )
            except services.StaleVersionError as exc:
                conflict = _conflict(request, episode, form, exc.current_version)
            except services.CaseDocumentError as exc:
                _add_case_errors(form, lesion_forms, exc.errors)
            except ValidationError as exc:
                _add_validation_errors(form, exc)
            else:
                messages.success(request, _("Episode saved and assessed."))
                return redirect("patients:episode_detail", episode_id=saved.id)
    elif episode is not None:
        form = EpisodeForm(initial=EpisodeForm.initial_for(episode), patient=patient)
        formset = LesionFormSet(initial=lesion_initial(episode), prefix="lesions")
    else:
        form = EpisodeForm(patient=patient)
        formset = LesionFormSet(prefix="lesions")
    status = 409 if conflict else 200
    return render(
        request,
        "patients/episode_form.html",
        {"form": form, "formset": formset, "patient": patient, "episode": episode, "conflict": conflict},
        status=status,
    )


def _expected_version(request: HttpRequest, form: EpisodeForm) -> int:
    # "Save mine over theirs" after a conflict names the version the user has now seen.
    overwrite = request.POST.get("overwrite_version", "")
    if overwrite.isdigit():
        return int(overwrite)
    return form.cleaned_data.get("version") or 0


def _conflict(request: HttpRequest, episode: Episode, form: EpisodeForm, current_version: int) -> dict:
    """What the other person saved that differs from this user's input, to decide with both in view."""
    current = selectors.episode_get(user=request.user, episode_id=episode.id)
    theirs = EpisodeForm.initial_for(current)
    yours = form.cleaned_data
    changes = []
    for name in EPISODE_FIELDS:
        if name in form.fields and theirs.get(name) != yours.get(name):
            changes.append(
                {"label": form.fields[name].label, "theirs": theirs.get(name), "yours": yours.get(name)}
            )
    return {"current_version": current_version, "changes": changes}


LESION_PATH = re.compile(r"^episode\.lesions\[(\d+)\](?:\.(\w+))?$")


def _add_case_errors(form: EpisodeForm, lesion_forms: list, errors: list[dict[str, str]]) -> None:
    """Put contract-shaped errors ({"path", "message"}) next to the field they name."""
    for error in errors:
        path, message = error["path"], error["message"]
        match = LESION_PATH.match(path)
        if match and int(match[1]) < len(lesion_forms):
            lesion_form = lesion_forms[int(match[1])]
            field = match[2] if match[2] in lesion_form.fields else None
            lesion_form.add_error(field, message)
            continue
        name = path.rsplit(".", 1)[-1]
        if path.startswith("episode.biopsy."):
            name = f"biopsy_{name}"
        if name in form.fields and path.startswith("episode."):
            form.add_error(name, message)
        else:
            form.add_error(None, f"{path_label(path)}: {message}")


def _add_validation_errors(form: Any, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


@login_required
def episode_delete(request: HttpRequest, episode_id: int) -> HttpResponse:
    """Delete an episode entered in error, after a confirmation page: audited, and its open review flags
    resolved (patients.services.episode_delete); the patient and their other episodes stay."""
    episode = selectors.episode_get(user=request.user, episode_id=episode_id)
    patient = episode.patient
    if not access.can_edit_clinical(request.user, patient.site_id):
        raise PermissionDenied(_("Your role at this site does not allow changing clinical records."))
    if request.method == "POST":
        services.episode_delete(actor=request.user, episode=episode)
        messages.success(
            request, _("The episode of %(day)s was deleted.") % {"day": day_text(episode.assessed_on)}
        )
        return redirect("patients:patient_detail", patient.id)
    return render(request, "patients/episode_confirm_delete.html", {"episode": episode, "patient": patient})
