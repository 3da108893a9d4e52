"""Site-scoped reads of the FHIR views: the patient through the REST API's selector (another site's patient
is a 404), then everything `$everything` maps, in a fixed number of queries whatever the episode count."""

from __future__ import annotations

from django.db.models import Prefetch

from exclusion.assessments.models import Assessment
from exclusion.interop.fhir.resources import PatientRecord
from exclusion.workbench.api.selectors import episode_api_list, patient_api_get
from patients.access import Viewer
from patients.models import Patient
from patients.treatments.selectors import treatments_for_patient


def fhir_patient_get(*, user: Viewer, patient_id: int) -> Patient:
    """The patient with its site; Http404 outside the user's sites."""
    return patient_api_get(user=user, patient_id=patient_id)


def fhir_patient_record(*, user: Viewer, patient_id: int) -> PatientRecord:
    """The patient, its episodes (lesions, biopsy, every assessment) and its treatment courses."""
    patient = fhir_patient_get(user=user, patient_id=patient_id)
    episodes = list(
        episode_api_list(patient=patient).prefetch_related(
            Prefetch("assessments", queryset=Assessment.objects.order_by("id"))
        )
    )
    for episode in episodes:
        episode.patient = patient  # the scoped patient, with its site already loaded
    return PatientRecord(patient=patient, episodes=episodes, treatments=list(treatments_for_patient(patient)))
