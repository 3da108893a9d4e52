"""What a CDS call may read: only the records of the calling client's site."""

from __future__ import annotations

from typing import Any

from exclusion.interop.fhir.resources import patient_identifier_system
from exclusion.review.models import Flag
from patients.models import Episode, Patient, Site


def prefetched_record_number(site: Site, patient_resource: dict[str, Any] | None) -> str | None:
    """The record number a prefetched Patient carries in this site's identifier system, if any.

    Only that system counts: the EHR's own Patient.id (context.patientId) is another namespace, and a
    number that happened to match it would open another child's record.
    """
    if not isinstance(patient_resource, dict):
        return None
    system = patient_identifier_system(site)
    for identifier in patient_resource.get("identifier") or []:
        if isinstance(identifier, dict) and identifier.get("system") == system:
            value = identifier.get("value")
            if isinstance(value, str) and value.strip():
                return value.strip()
    return None


def patient_for_prefetch(site: Site, patient_resource: dict[str, Any] | None) -> Patient | None:
    """The patient of the site the prefetched Patient names (record numbers compare without case)."""
    number = prefetched_record_number(site, patient_resource)
    if number is None:
        return None
    return Patient.objects.filter(site=site, record_number__iexact=number).select_related("site").first()


def latest_episode(patient: Patient) -> Episode | None:
    """The patient's latest episode (by assessment date, then id), ready for episode_to_case."""
    return (
        Episode.objects.filter(patient=patient)
        .select_related("patient", "biopsy")
        .prefetch_related("lesions")
        .order_by("-assessed_on", "-id")
        .first()
    )


def flag_of_episode(episode: Episode) -> Flag | None:
    """The episode's latest review flag, whatever its status (feedback belongs in its history)."""
    return Flag.objects.filter(episode=episode).order_by("-id").first()
