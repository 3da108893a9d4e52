"""Episode bodies of the API are the `episode` object of a cno-case/1 document.

They are validated by the engine, inside a whole document built with the patient on file, so a client
gets exactly the errors (and paths) the command line would print for the same case.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from exclusion import engine
from exclusion.cli import EXAMPLE_CASE
from patients.casedoc import SCHEMA, CaseRecords, case_to_records, nul_errors
from patients.models import Patient
from patients.services import CaseDocumentError


def check_case(doc: Any) -> None:
    """The command line's validation of a whole document, then what only storage adds (NUL characters)."""
    errors = engine.validate_case(doc) or nul_errors(doc)
    if errors:
        raise CaseDocumentError(errors)


def episode_records(patient: Patient, episode_doc: Any) -> CaseRecords:
    patient_doc: dict[str, Any] = {"sex": patient.sex}
    if patient.birth_date is not None:
        patient_doc["birth_date"] = patient.birth_date.isoformat()
    doc = {"schema": SCHEMA, "patient": patient_doc, "episode": episode_doc}
    check_case(doc)
    return case_to_records(doc)


_FINDING_ORDER = {"code": 0, "text": 1, "source": 2}


@lru_cache(maxsize=1)
def _assessment_template() -> dict[str, Any]:
    return engine.assess(EXAMPLE_CASE)


def _reorder(value: Any, template: Any) -> Any:
    if isinstance(value, dict):
        order = {key: index for index, key in enumerate(template)} if isinstance(template, dict) else {}
        if not order and set(value) <= set(_FINDING_ORDER):
            order = _FINDING_ORDER
        keys = sorted(value, key=lambda key: (order.get(key, len(order)), key))
        return {
            key: _reorder(value[key], template.get(key) if isinstance(template, dict) else None)
            for key in keys
        }
    if isinstance(value, list):
        return [_reorder(item, None) for item in value]
    return value


def assessment_document(result: dict[str, Any]) -> dict[str, Any]:
    """A stored cno-assessment/1 with its keys back in the engine's order (jsonb does not keep key order),
    so the API prints the same document, key for key, as `python -m exclusion assess`."""
    return _reorder(result, _assessment_template())
