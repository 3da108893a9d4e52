"""The published JSON Schemas (draft 2020-12) of ``cno-case/1`` and ``cno-assessment/1``.

Both are built from the engine's own field tables (``schema``) and codes (``vocabulary``), so the
published schemas cannot drift from what :func:`validate_case` accepts and :func:`assess` writes. The
files under ``docs/schemas/`` are written from here (a test fails when they are stale)::

    python -m exclusion.engine.jsonschemas docs/schemas

A schema cannot say everything ``validate_case`` checks: dates in the future, dates out of order (onset
before birth, assessment before onset) and an age at onset above the age are checked by the engine only.
Everything else (unknown keys, enumerations, ranges, required fields, the lesion limit) agrees.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from . import schema as contract
from . import vocabulary as V

DIALECT = "https://json-schema.org/draft/2020-12/schema"
CASE_FILE = "cno-case-1.schema.json"
ASSESSMENT_FILE = "cno-assessment-1.schema.json"
# Where the application serves them (exclusion/workbench/api/schemas.py); named here so the schemas
# and the OpenAPI description can point at them.
CASE_URL = "/api/v1/schemas/cno-case-1.json"
ASSESSMENT_URL = "/api/v1/schemas/cno-assessment-1.json"
FORMAT_DOC = "docs/case-format.md"

# ASCII digits only (a JSON Schema "\d" may match other digits); "format": "date" checks the calendar.
_DATE_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_UNKNOWN = "Absent and null both mean unknown, never no."


def _date(description: str, nullable: bool) -> dict[str, Any]:
    return {
        "type": ["string", "null"] if nullable else "string",
        "format": "date",
        "pattern": _DATE_PATTERN,
        "description": description,
    }


def _enum(codes: tuple[str, ...] | list[str], nullable: bool = False) -> dict[str, Any]:
    if nullable:
        return {"type": ["string", "null"], "enum": [*codes, None]}
    return {"type": "string", "enum": list(codes)}


def _field(spec: contract.FieldSpec) -> dict[str, Any]:
    """One optional field of a section: null (unknown) is always allowed, as in validate_case."""
    kind = spec[0]
    if kind == "bool":
        return {"type": ["boolean", "null"]}
    if kind == "num":
        _, low, high, unit = spec
        out: dict[str, Any] = {"type": ["number", "null"], "minimum": low, "maximum": high}
        if unit:
            out["description"] = f"Unit: {unit}."
        return out
    return _enum(spec[1], nullable=True)


def _section(table: dict[str, contract.FieldSpec], description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "description": f"{description} Every field is optional; {_UNKNOWN[0].lower()}{_UNKNOWN[1:]}",
        "additionalProperties": False,
        "properties": {name: _field(spec) for name, spec in table.items()},
    }


def case_schema() -> dict[str, Any]:
    """The JSON Schema of a ``cno-case/1`` document; unknown keys are errors at every level."""
    low, high = contract.AGE_RANGE
    age = {"type": ["number", "null"], "minimum": low, "maximum": high}
    lesion = {
        "type": "object",
        "description": "One lesion on imaging. Imaging features default to false: name what is seen.",
        "additionalProperties": False,
        "required": ["site", "modality"],
        "properties": {
            "site": _enum(contract.SITES),
            "side": {**_enum(contract.SIDES), "default": "midline"},
            "level": {
                "type": ["string", "null"],
                "minLength": 1,
                "maxLength": contract.LEVEL_MAX_LEN,
                "pattern": r"\S",
                "description": "Vertebra or rib, e.g. T7 or 6 (not blank).",
            },
            "modality": _enum(contract.MODALITIES),
            **{feature: {"type": "boolean", "default": False} for feature in contract.LESION_FEATURES},
        },
    }
    biopsy_fields: dict[str, contract.FieldSpec] = {
        "histology": ("enum", contract.HISTOLOGIES),
        "culture": ("enum", contract.CULTURES),
        "on_antibiotics": contract.BOOL,
    }
    assert tuple(biopsy_fields) == contract.BIOPSY_KEYS  # a new biopsy key must be described here
    biopsy = {
        "type": ["object", "null"],
        "description": f"The bone biopsy, null or absent when none was done or it is unknown. {_UNKNOWN}",
        "additionalProperties": False,
        "properties": {name: _field(spec) for name, spec in biopsy_fields.items()},
    }
    episode_properties: dict[str, Any] = {
        "assessed_on": _date("Date of the assessment (YYYY-MM-DD), not in the future.", nullable=False),
        "onset_on": _date("Date of onset (YYYY-MM-DD), not after assessed_on.", nullable=True),
        "age_years": {**age, "description": "Age in years when there is no birth date."},
        "age_at_onset_years": {**age, "description": "Age at onset in years, at most age_years."},
        "symptoms": _section(contract.SYMPTOMS, "Symptoms (omit the object when nothing is known)."),
        "findings": _section(contract.FINDINGS, "Findings and history (omit when nothing is known)."),
        "labs": _section(contract.LABS, "Laboratory results (omit when nothing is known)."),
        "biopsy": {"$ref": "#/$defs/biopsy"},
        "lesions": {
            "type": "array",
            "description": f"Required; empty when imaging shows no lesion; at most {contract.MAX_LESIONS}.",
            "maxItems": contract.MAX_LESIONS,
            "items": {"$ref": "#/$defs/lesion"},
        },
        "activity": _section(contract.ACTIVITY, "Disease activity (omit when nothing is known)."),
        "imaging": {
            **_section(contract.IMAGING, "The imaging done; null or absent when unknown."),
            "type": ["object", "null"],
        },
    }
    assert set(episode_properties) == contract.EPISODE_KEYS  # a new episode key must be described here
    patient_properties = {
        "sex": _enum(contract.SEXES),
        "birth_date": _date("Date of birth (YYYY-MM-DD), not in the future.", nullable=True),
    }
    assert set(patient_properties) == contract.PATIENT_KEYS
    properties = {
        "schema": {"const": contract.SCHEMA_IN},
        "patient": {
            "type": "object",
            "additionalProperties": False,
            "required": ["sex"],
            "properties": patient_properties,
        },
        "episode": {
            "type": "object",
            "additionalProperties": False,
            "required": ["assessed_on", "lesions"],
            "properties": episode_properties,
        },
    }
    assert set(properties) == contract.TOP_KEYS
    return {
        "$schema": DIALECT,
        "title": contract.SCHEMA_IN,
        "description": "One episode of one patient, the input of the CNO/CRMO exclusion engine (see "
        f"{FORMAT_DOC}). Unknown keys are errors. Dates in the future, dates out of order and an age at "
        "onset above the age are checked by the engine, not by this schema.",
        "type": "object",
        "additionalProperties": False,
        "required": ["schema", "patient", "episode"],
        "properties": properties,
        "$defs": {"lesion": lesion, "biopsy": biopsy},
    }


def _object(properties: dict[str, Any], description: str = "") -> dict[str, Any]:
    """A fixed output object: every property is always present and nothing else is."""
    out: dict[str, Any] = {"type": "object"}
    if description:
        out["description"] = description
    out.update({"additionalProperties": False, "required": list(properties), "properties": properties})
    return out


def assessment_schema() -> dict[str, Any]:
    """The JSON Schema of a ``cno-assessment/1`` document, exactly what :func:`assess` writes."""
    finding = _object(
        {
            "code": {"type": "string", "description": "The rule id (see /api/v1/rules/)."},
            "text": {"type": "string"},
            "source": {"type": "string", "description": "The publication behind the rule."},
        }
    )
    differential = _object(
        {
            "status": _enum(V.STATUSES.codes),
            "findings": {"type": "array", "items": {"$ref": "#/$defs/finding"}},
            "missing": {
                "type": "array",
                "description": "Paths of the case fields whose absence blocks a settled status.",
                "items": {"type": "string"},
            },
        }
    )
    jansson_points = {"type": "integer", "minimum": 0, "maximum": V.JANSSON_MAX}
    properties = {
        "schema": {"const": contract.SCHEMA_OUT},
        "ruleset": {
            "type": "string",
            "pattern": "^[0-9]{4}\\.[0-9]{2}$",
            "description": "The version of the rules that produced this assessment, e.g. 2026.12.",
        },
        "focality": _enum(V.FOCALITIES.codes),
        "bones_involved": {"type": "integer", "minimum": 0, "maximum": contract.MAX_LESIONS},
        "symmetric": {"type": "boolean"},
        "differentials": _object({name: {"$ref": "#/$defs/differential"} for name in V.DIFFERENTIALS.codes}),
        "biopsy": _object(
            {
                "recommended": {"type": "boolean"},
                "reasons": {"type": "array", "uniqueItems": True, "items": _enum(V.BIOPSY_REASONS.codes)},
                "adequate_biopsy_on_file": {"type": "boolean"},
            }
        ),
        "bristol": _object({"status": _enum(V.BRISTOL_STATUSES.codes)}),
        "jansson": _object(
            {
                "applicable": {"type": "boolean"},
                "points": jansson_points,
                "possible_max": jansson_points,
                "threshold": {"type": "integer", "minimum": 0, "maximum": V.JANSSON_MAX},
                "supports_nbo": {"type": ["boolean", "null"]},
                "items": _object(
                    {code: {"type": ["boolean", "null"]} for code in V.JANSSON_ITEMS.codes},
                    "Each item of the score: true, false, or null when unknown.",
                ),
            }
        ),
        V.EULAR_ACR_2025: _object(
            {
                "entry": _enum(V.EULAR_ENTRY.codes),
                "exclusions": _enum(V.EULAR_EXCLUSIONS.codes),
                "status": _enum(V.EULAR_STATUSES.codes),
                "score": {"type": "null", "description": "Not scored by this ruleset."},
            },
            "The EULAR/ACR 2025 classification gate (research classification, not diagnosis): entry "
            "criterion and exclusion of mimics; no score is given.",
        ),
        "exclusion_complete": {"type": "boolean"},
    }
    return {
        "$schema": DIALECT,
        "title": contract.SCHEMA_OUT,
        "description": f"The engine's assessment of one {contract.SCHEMA_IN} document (see {FORMAT_DOC}): "
        "decision support, not a diagnosis. Every key is always present.",
        **_object(properties),
        "$defs": {"differential": differential, "finding": finding},
    }


def published() -> dict[str, dict[str, Any]]:
    """``{file name: schema}`` of the files under docs/schemas/."""
    return {CASE_FILE: case_schema(), ASSESSMENT_FILE: assessment_schema()}


def render(schema: dict[str, Any]) -> str:
    """The text of a published file: stable key order as built, two-space indent, final newline."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write(directory: Path) -> list[Path]:
    """Write both schema files into ``directory`` (created if needed); returns the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, schema in published().items():
        path = directory / name
        path.write_text(render(schema), encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m exclusion.engine.jsonschemas DIRECTORY", file=sys.stderr)
        return 2
    for path in write(Path(args[0])):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
