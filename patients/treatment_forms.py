"""The browser form of a treatment course: a model form over the course's columns, checked with the
model's own rules (the ones the services run when saving), so "a stop date needs a reason" reads the same
in the form, the API and the database. Forms never save: patients.treatments.services does."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from patients.choices import StopReason
from patients.forms import RecordForm, record_formfield
from patients.models import Patient, Treatment
from patients.treatments.services import TREATMENT_FIELDS


class TreatmentForm(RecordForm):
    # The version the editor loaded (optimistic locking); empty on a new course.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Treatment
        fields = list(TREATMENT_FIELDS)
        formfield_callback = record_formfield
        labels = {
            "drug_class": pgettext_lazy("drug class", "Class"),
            "drug": gettext_lazy("Drug"),
            "started_on": pgettext_lazy("treatment", "Started"),
            "stopped_on": pgettext_lazy("treatment", "Stopped"),
            "stop_reason": gettext_lazy("Stop reason"),
        }
        help_texts = {
            "drug": gettext_lazy("The drug's name, e.g. naproxen. No dose is recorded."),
            "stopped_on": gettext_lazy("Leave empty while the course is ongoing."),
            "stop_reason": gettext_lazy("Required with a stop date; empty while ongoing."),
        }

    def __init__(self, *args: Any, patient: Patient, **kwargs: Any) -> None:
        # A new, unsaved course of this patient: the model's checks (dates against the birth date) need
        # the patient. An edit passes the stored values as `initial`, so the stored course is never
        # changed by the form.
        super().__init__(*args, instance=Treatment(patient=patient), **kwargs)
        self.patient = patient
        self.fields["stop_reason"].choices = [("", _("— (ongoing)")), *StopReason.choices]

    def treatment_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in TREATMENT_FIELDS}

    @staticmethod
    def initial_for(treatment: Treatment) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(treatment, name) for name in TREATMENT_FIELDS}
        initial["version"] = treatment.version
        return initial
