"""Services: every write to treatment courses goes through here (browser, API, admin, commands).

As for episodes: one transaction each, the actor's role checked at the patient's site, the model's own
rules checked before saving (full_clean), the actor recorded for the audit history, the patient's
`updated_at` touched, and patients.signals.treatment_changed sent inside the transaction so the activity
summary follows. Updates are optimistically locked on `version`. No dose is stored or computed anywhere.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from patients import signals
from patients.access import Actor, require_edit_clinical
from patients.audit import acting_as
from patients.models import Patient, Treatment
from patients.services import StaleVersionError

# What a caller may set; the patient is fixed at creation, the version is the service's.
TREATMENT_FIELDS = ("drug_class", "drug", "started_on", "stopped_on", "stop_reason")


class TreatmentStaleVersionError(StaleVersionError):
    """The treatment changed since the editor loaded it (a StaleVersionError: the API answers 409)."""

    def __init__(self, current_version: int) -> None:
        super().__init__(current_version)
        self.args = (
            _("The treatment was changed by someone else (now version %(version)s).")
            % {"version": current_version},
        )


def _apply(treatment: Treatment, values: dict[str, Any]) -> None:
    unknown = set(values) - set(TREATMENT_FIELDS)
    if unknown:
        raise ValueError(f"Cannot set {sorted(unknown)} on a treatment.")
    for name, value in values.items():
        if name == "drug" and isinstance(value, str):
            value = value.strip()
        if name == "stop_reason" and value is None:
            value = ""  # "no reason" is the empty choice, never null
        setattr(treatment, name, value)


def _changed(patient: Patient) -> None:
    # updated_at orders the patient list by latest activity; it is not audited history.
    patient.save(update_fields=["updated_at"])
    signals.treatment_changed.send(sender=Treatment, patient_id=patient.pk)


def treatment_create(*, actor: Actor, patient: Patient, **values: Any) -> Treatment:
    """A new course for the patient: drug_class, drug, started_on, and stopped_on with stop_reason when
    it has already stopped. ValidationError names the wrong fields; nothing is saved then."""
    require_edit_clinical(actor, patient.site_id)
    treatment = Treatment(patient=patient)
    _apply(treatment, values)
    with transaction.atomic(), acting_as(actor):
        treatment.full_clean(exclude=["version"])
        treatment.save()
        _changed(patient)
    return treatment


def treatment_update(*, actor: Actor, treatment: Treatment, version: int, **values: Any) -> Treatment:
    """Change a course based on `version` (the one the editor read); TreatmentStaleVersionError (a
    StaleVersionError) if someone saved in between. Stopping a course is an update with stopped_on and
    stop_reason. Returns the saved course."""
    with transaction.atomic(), acting_as(actor):
        current = Treatment.objects.select_for_update().select_related("patient").get(pk=treatment.pk)
        require_edit_clinical(actor, current.patient.site_id)
        if current.version != version:
            raise TreatmentStaleVersionError(current.version)
        _apply(current, values)
        current.version += 1
        current.full_clean(exclude=["version"])
        current.save()
        _changed(current.patient)
    return current


def treatment_delete(*, actor: Actor, treatment: Treatment) -> None:
    require_edit_clinical(actor, treatment.patient.site_id)
    with transaction.atomic(), acting_as(actor):
        patient = treatment.patient
        treatment.delete()
        _changed(patient)
