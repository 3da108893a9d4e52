"""Services: every write to patients, episodes, lesions and biopsies goes through here.

Each service runs in one transaction, checks the actor's role at the record's site, validates the whole
episode against the case contract once before committing (nothing half-saved), records the actor for the
audit history, assesses the episode, and sends patients.signals.episode_changed so the derived side
(assessments, review flags, activity summaries) follows in the same transaction. Every door (browser,
API, case intake, admin, management commands) writes through these functions.
"""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from exclusion import engine
from exclusion.engine.schema import MAX_LESIONS
from patients import signals
from patients.access import Actor, require_edit_clinical
from patients.audit import acting_as
from patients.casedoc import case_to_records, episode_to_case, nul_errors, patient_conflicts
from patients.models import Biopsy, Episode, Lesion, Patient, Site
from patients.models.core import (
    DUPLICATE_RECORD_NUMBER,
    RECORD_NUMBER_CONSTRAINT,
    duplicate_record_number_error,
    record_number_twin,
)


class StaleVersionError(Exception):
    """The episode changed since the editor loaded it (optimistic locking)."""

    def __init__(self, current_version: int) -> None:
        super().__init__(
            _("The episode was changed by someone else (now version %(version)s).")
            % {"version": current_version}
        )
        self.current_version = current_version


class CaseDocumentError(Exception):
    """A case document or episode that breaks the contract; `errors` are [{"path", "message"}]."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("; ".join(f"{e['path']}: {e['message']}" for e in errors))
        self.errors = errors


UNCHANGED: Any = object()


def site_registry_secret(*, site_id: int) -> str:
    """The site's de-identification secret, made (once, whoever asks first) when it has none."""
    with transaction.atomic():
        site = Site.objects.select_for_update().get(pk=site_id)
        if not site.registry_secret:
            site.registry_secret = secrets.token_hex(32)
            site.save(update_fields=["registry_secret"])
    return site.registry_secret


def patient_create(
    *,
    actor: Actor,
    site: Site,
    record_number: str,
    sex: str = "unknown",
    birth_date: datetime.date | None = None,
) -> Patient:
    require_edit_clinical(actor, site.id)
    patient = Patient(site=site, record_number=record_number.strip(), sex=sex, birth_date=birth_date)
    patient.full_clean()
    with transaction.atomic(), acting_as(actor):
        try:
            # A savepoint: when a concurrent request created the same record number after full_clean
            # looked, only this insert is undone, and the caller's transaction can go on (case_import).
            with transaction.atomic():
                patient.save()
        except IntegrityError as exc:
            if not is_duplicate_record_number(exc):
                raise
            raise _duplicate(patient) from None
    return patient


def _duplicate(patient: Patient) -> ValidationError:
    """The record_number error after the constraint refused a write: a concurrent request took the number
    after full_clean looked (its transaction has committed by now, so the patient on file is found)."""
    twin = record_number_twin(patient.site_id, patient.record_number, exclude_pk=patient.pk)
    if twin is None:
        return ValidationError({"record_number": DUPLICATE_RECORD_NUMBER}, code="unique")
    return duplicate_record_number_error(twin)


def duplicate_of(exc: ValidationError) -> int | None:
    """The id of the patient on file that a record_number error names (see Patient.clean), if any."""
    for error in getattr(exc, "error_dict", {}).get("record_number", []):
        if error.code == "unique" and error.params and "patient_id" in error.params:
            return int(error.params["patient_id"])
    return None


def is_duplicate_record_number(exc: IntegrityError) -> bool:
    """The unique (site, record number) constraint refused the insert."""
    cause = exc.__cause__
    diag = getattr(cause, "diag", None)
    if diag is not None and getattr(diag, "constraint_name", None):
        return bool(diag.constraint_name == RECORD_NUMBER_CONSTRAINT)
    return RECORD_NUMBER_CONSTRAINT in str(exc)


def patient_update(*, actor: Actor, patient: Patient, **values: Any) -> Patient:
    require_edit_clinical(actor, patient.site_id)
    allowed = {"record_number", "sex", "birth_date"}
    unknown = set(values) - allowed
    if unknown:
        raise ValueError(f"Cannot update {sorted(unknown)} through patient_update.")
    if isinstance(values.get("record_number"), str):
        values["record_number"] = values["record_number"].strip()
    for name, value in values.items():
        setattr(patient, name, value)
    patient.full_clean()
    with transaction.atomic(), acting_as(actor):
        try:
            with transaction.atomic():  # a savepoint, as in patient_create
                patient.save()
        except IntegrityError as exc:
            if not is_duplicate_record_number(exc):
                raise
            raise _duplicate(patient) from None
        for episode in patient.episodes.all():
            _validate_and_assess(episode)
    return patient


def episode_create(
    *,
    actor: Actor,
    patient: Patient,
    data: dict[str, Any],
    lesions: list[dict[str, Any]] = (),  # type: ignore[assignment]
    biopsy: dict[str, Any] | None = None,
) -> Episode:
    """Create an episode with its lesions and biopsy, then assess it."""
    require_edit_clinical(actor, patient.site_id)
    with transaction.atomic(), acting_as(actor):
        episode = Episode(patient=patient, **data)
        episode.full_clean(exclude=["version"])
        episode.save()
        _replace_lesions(episode, list(lesions))
        _set_biopsy(episode, biopsy)
        _validate_and_assess(episode)
        _touch(patient)
    return episode


def episode_update(
    *,
    actor: Actor,
    episode_id: int,
    expected_version: int,
    data: dict[str, Any],
    lesions: list[dict[str, Any]] | None = None,
    biopsy: dict[str, Any] | None = UNCHANGED,
) -> Episode:
    """Update an episode based on `expected_version`; StaleVersionError if someone saved in between.

    `lesions` (when given) is the complete new list: entries with an "id" update that lesion, entries
    without one are added, and lesions not named are removed. `biopsy=None` removes the biopsy.
    """
    with transaction.atomic(), acting_as(actor):
        episode = Episode.objects.select_for_update().select_related("patient").get(pk=episode_id)
        require_edit_clinical(actor, episode.patient.site_id)
        if episode.version != expected_version:
            raise StaleVersionError(episode.version)
        for name, value in data.items():
            setattr(episode, name, value)
        episode.version += 1
        episode.full_clean(exclude=["version"])
        episode.save()
        if lesions is not None:
            _replace_lesions(episode, lesions)
        if biopsy is not UNCHANGED:
            _set_biopsy(episode, biopsy)
        _validate_and_assess(episode)
        _touch(episode.patient)
    return episode


def episode_delete(*, actor: Actor, episode: Episode) -> None:
    require_edit_clinical(actor, episode.patient.site_id)
    with transaction.atomic(), acting_as(actor):
        patient = episode.patient
        episode.delete()
        _touch(patient)
        signals.episode_changed.send(
            sender=Episode,
            episode=None,
            patient_id=patient.pk,
            case=None,
            result=None,
            reason=signals.DELETED,
        )


def case_import(*, actor: Actor, site: Site, record_number: str, doc: Any) -> Episode:
    """Create (or find) the patient and add the document's episode, all in one transaction.

    The same site and record number (trimmed, without regard to case) is the same patient; a document
    that disagrees with the patient on file (sex or birth date) is refused rather than silently
    overwriting it.
    """
    # The document is validated here, once; the stored episode is checked again after saving (it is the
    # record that every door shares, and the one that is assessed).
    errors = engine.validate_case(doc) or nul_errors(doc)
    if errors:
        raise CaseDocumentError(errors)
    records = case_to_records(doc)
    require_edit_clinical(actor, site.id)
    record_number = record_number.strip()
    same_patient = Patient.objects.select_for_update().filter(site=site, record_number__iexact=record_number)
    with transaction.atomic():
        patient = same_patient.first()
        created = False
        if patient is None:
            try:
                patient = patient_create(
                    actor=actor, site=site, record_number=record_number, **records.patient
                )
                created = True
            except ValidationError:
                # A concurrent first intake of the same record number may have created the patient after
                # we looked (our insert waited for its transaction): then it is the same patient.
                patient = same_patient.first()
                if patient is None:
                    raise
        if not created:
            conflicts = patient_conflicts(patient, records.patient)
            if conflicts:
                raise CaseDocumentError(conflicts)
            if patient.sex == "unknown" and records.patient["sex"] != "unknown":
                patient_update(actor=actor, patient=patient, sex=records.patient["sex"])
            if patient.birth_date is None and records.patient["birth_date"] is not None:
                patient_update(actor=actor, patient=patient, birth_date=records.patient["birth_date"])
        return episode_create(
            actor=actor, patient=patient, data=records.episode, lesions=records.lesions, biopsy=records.biopsy
        )


def _replace_lesions(episode: Episode, lesions: list[dict[str, Any]]) -> None:
    if len(lesions) > MAX_LESIONS:
        # The contract's limit (checked again with the whole episode), before a runaway list is written.
        raise CaseDocumentError(
            [
                {
                    "path": "episode.lesions",
                    "message": _("%(count)s lesions: at most %(max)s per episode (list each bone once)")
                    % {"count": len(lesions), "max": MAX_LESIONS},
                }
            ]
        )
    existing = {lesion.id: lesion for lesion in episode.lesions.all()}
    keep = set()
    for index, values in enumerate(lesions):
        values = dict(values)
        lesion_id = values.pop("id", None)
        if lesion_id is not None and lesion_id in existing:
            lesion = existing[lesion_id]
            for name, value in values.items():
                setattr(lesion, name, value)
            keep.add(lesion_id)
        else:
            lesion = Lesion(episode=episode, **values)
        try:
            lesion.full_clean(exclude=["episode"])
        except ValidationError as exc:
            raise CaseDocumentError(
                [
                    {"path": f"episode.lesions[{index}].{name}", "message": " ".join(messages)}
                    for name, messages in exc.message_dict.items()
                ]
            ) from exc
        lesion.save()
    for lesion_id, lesion in existing.items():
        if lesion_id not in keep:
            lesion.delete()


def _set_biopsy(episode: Episode, values: dict[str, Any] | None) -> None:
    current = Biopsy.objects.filter(episode=episode).first()
    if values is None:
        if current is not None:
            current.delete()
        return
    biopsy = current or Biopsy(episode=episode)
    for name, value in values.items():
        setattr(biopsy, name, value)
    biopsy.full_clean(exclude=["episode"])
    biopsy.save()


def _touch(patient: Patient) -> None:
    # updated_at orders the patient list by latest activity; it is not audited history.
    patient.save(update_fields=["updated_at"])


def _validate_and_assess(episode: Episode, *, reason: str = signals.EDITED) -> dict[str, Any]:
    """Check the stored episode against the contract (the engine's own validation) once, assess it, and
    tell the derived side. Returns the assessment."""
    episode = (
        Episode.objects.select_related("patient", "biopsy").prefetch_related("lesions").get(pk=episode.pk)
    )
    doc = episode_to_case(episode)
    errors = engine.validate_case(doc)
    if errors:
        raise CaseDocumentError(errors)
    result = engine.assess_valid(doc)
    signals.episode_changed.send(
        sender=Episode, episode=episode, patient_id=episode.patient_id, case=doc, result=result, reason=reason
    )
    return result


def episode_reassess(*, episode_id: int) -> dict[str, Any]:
    """Assess a stored episode again with the current ruleset (after a ruleset change); the record is not
    changed, and the derived side follows as after an edit. Idempotent. A system job: no actor."""
    with transaction.atomic():
        episode = Episode.objects.select_for_update().get(pk=episode_id)
        return _validate_and_assess(episode, reason=signals.REASSESSED)
