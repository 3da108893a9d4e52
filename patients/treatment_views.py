"""Browser views of treatment courses: add, edit (stopping a course is an edit with a stop date and a
reason), delete with confirmation. The courses are listed on the patient page
(templates/patients/_treatments.html).

Thin, like patients.views: parse the form, call one selector or service, render. Another site's course
or patient is a 404 (the selectors); changing one needs clinical edit rights at its site (403 otherwise).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from patients import access, selectors
from patients.forms import day_text
from patients.models import Patient, Treatment
from patients.services import StaleVersionError
from patients.treatment_forms import TreatmentForm
from patients.treatments import selectors as treatment_selectors
from patients.treatments import services
from patients.views import _add_validation_errors


def _require_edit(request: HttpRequest, patient: Patient) -> None:
    if not access.can_edit_clinical(request.user, patient.site_id):
        raise PermissionDenied(_("Your role at this site does not allow changing clinical records."))


def _patient_page(patient: Patient) -> str:
    return reverse("patients:patient_detail", args=[patient.id]) + "#treatments"


@login_required
def treatment_create(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = selectors.patient_get(user=request.user, patient_id=patient_id)
    _require_edit(request, patient)
    form = TreatmentForm(request.POST or None, patient=patient)
    if request.method == "POST" and form.is_valid():
        try:
            treatment = services.treatment_create(
                actor=request.user, patient=patient, **form.treatment_data()
            )
        except ValidationError as exc:
            _add_validation_errors(form, exc)
        else:
            messages.success(request, _("%(drug)s added to the treatments.") % {"drug": treatment.drug})
            return redirect(_patient_page(patient))
    return render(
        request, "patients/treatment_form.html", {"form": form, "patient": patient, "treatment": None}
    )


@login_required
def treatment_edit(request: HttpRequest, treatment_id: int) -> HttpResponse:
    treatment = treatment_selectors.treatment_get(user=request.user, treatment_id=treatment_id)
    patient = treatment.patient
    _require_edit(request, patient)
    conflict = None
    stopping = request.GET.get("stop") == "1"
    if request.method == "POST":
        form = TreatmentForm(request.POST, patient=patient)
        if form.is_valid():
            try:
                services.treatment_update(
                    actor=request.user,
                    treatment=treatment,
                    version=_expected_version(request, form),
                    **form.treatment_data(),
                )
            except StaleVersionError as exc:
                conflict = _conflict(request, treatment, form, exc.current_version)
            except ValidationError as exc:
                _add_validation_errors(form, exc)
            else:
                messages.success(request, _("%(drug)s saved.") % {"drug": form.cleaned_data["drug"]})
                return redirect(_patient_page(patient))
    else:
        initial = TreatmentForm.initial_for(treatment)
        if stopping and treatment.stopped_on is None:
            # "Stop": the same form, with today's date proposed as the stop date (a reason is still asked).
            initial["stopped_on"] = datetime.date.today()
        form = TreatmentForm(initial=initial, patient=patient)
    return render(
        request,
        "patients/treatment_form.html",
        {
            "form": form,
            "patient": patient,
            "treatment": treatment,
            "conflict": conflict,
            "stopping": stopping,
        },
        status=409 if conflict else 200,
    )


def _expected_version(request: HttpRequest, form: TreatmentForm) -> int:
    # "Save mine over theirs" after a conflict names the version the user has now seen.
    overwrite = request.POST.get("overwrite_version", "")
    if overwrite.isdigit():
        return int(overwrite)
    return form.cleaned_data.get("version") or 0


def _conflict(
    request: HttpRequest, treatment: Treatment, form: TreatmentForm, current_version: int
) -> dict[str, Any]:
    """What the other person saved that differs from this user's input, to decide with both in view."""
    current = treatment_selectors.treatment_get(user=request.user, treatment_id=treatment.id)
    theirs = TreatmentForm.initial_for(current)
    changes = []
    for name in form.treatment_data():
        yours = form.cleaned_data.get(name)
        if theirs.get(name) != yours and (theirs.get(name) or yours):
            changes.append({"label": form.fields[name].label, "theirs": theirs.get(name), "yours": yours})
    return {"current_version": current_version, "changes": changes}


@login_required
def treatment_delete(request: HttpRequest, treatment_id: int) -> HttpResponse:
    treatment = treatment_selectors.treatment_get(user=request.user, treatment_id=treatment_id)
    patient = treatment.patient
    _require_edit(request, patient)
    if request.method == "POST":
        services.treatment_delete(actor=request.user, treatment=treatment)
        messages.success(
            request,
            _("%(drug)s (from %(day)s) deleted.")
            % {"drug": treatment.drug, "day": day_text(treatment.started_on)},
        )
        return redirect(_patient_page(patient))
    return render(
        request, "patients/treatment_confirm_delete.html", {"patient": patient, "treatment": treatment}
    )
