"""OpenAPI components of the case contract, and its examples.

`cno-case/1` and `cno-assessment/1` are built from the engine's own field tables (exclusion.engine.schema),
so the published schema cannot drift from what the engine validates. They are added as components by the
post-processing hook `add_contract_components` (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]).
"""

from __future__ import annotations

import copy
from typing import Any

from cno_app.api.openapi import ref
from exclusion import engine
from exclusion.cli import EXAMPLE_CASE
from exclusion.engine import jsonschemas, vocabulary
from exclusion.engine import schema as contract


def _field(spec: tuple, unit_note: bool = True) -> dict[str, Any]:
    kind = spec[0]
    if kind == "bool":
        return {"type": "boolean", "nullable": True}
    if kind == "num":
        _, low, high, unit = spec
        out: dict[str, Any] = {"type": "number", "minimum": low, "maximum": high, "nullable": True}
        if unit:
            out["description"] = f"Unit: {unit}. Null or absent means unknown."
        return out
    return {"type": "string", "enum": list(spec[1]), "nullable": True}


def _group(table: dict[str, tuple]) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {name: _field(spec) for name, spec in table.items()},
        "description": "Optional (omit it when nothing is known); every field is optional, and absent "
        "and null both mean unknown, never no.",
    }


def _external_docs(url: str, name: str) -> dict[str, str]:
    # A relative URL (OpenAPI allows one): the schema is served by this same server.
    return {"description": f"JSON Schema (draft 2020-12) of {name}", "url": url}


def contract_components() -> dict[str, dict[str, Any]]:
    lesion = {
        "type": "object",
        "additionalProperties": False,
        "required": ["site", "modality"],
        "properties": {
            "site": {"type": "string", "enum": list(contract.SITES)},
            "side": {"type": "string", "enum": list(contract.SIDES), "default": "midline"},
            "level": {
                "type": "string",
                "minLength": 1,
                "maxLength": contract.LEVEL_MAX_LEN,
                "pattern": r"\S",
                "description": "Vertebra or rib, e.g. T7 or 6.",
            },
            "modality": {"type": "string", "enum": list(contract.MODALITIES)},
            **{feature: {"type": "boolean", "default": False} for feature in contract.LESION_FEATURES},
        },
    }
    biopsy = {
        "type": "object",
        "additionalProperties": False,
        "nullable": True,
        "properties": {
            "histology": {"type": "string", "enum": list(contract.HISTOLOGIES), "nullable": True},
            "culture": {"type": "string", "enum": list(contract.CULTURES), "nullable": True},
            "on_antibiotics": {"type": "boolean", "nullable": True},
        },
    }
    low, high = contract.AGE_RANGE
    episode = {
        "type": "object",
        "additionalProperties": False,
        "required": ["assessed_on", "lesions"],
        "description": "The `episode` object of a cno-case/1 document (docs/case-format.md).",
        "properties": {
            "assessed_on": {"type": "string", "format": "date"},
            "onset_on": {"type": "string", "format": "date", "nullable": True},
            "age_years": {"type": "number", "minimum": low, "maximum": high, "nullable": True},
            "age_at_onset_years": {"type": "number", "minimum": low, "maximum": high, "nullable": True},
            "symptoms": _group(contract.SYMPTOMS),
            "findings": _group(contract.FINDINGS),
            "labs": _group(contract.LABS),
            "activity": _group(contract.ACTIVITY),
            "imaging": {
                **_group(contract.IMAGING),
                "nullable": True,
                "description": "Optional (from ruleset 2026.12): the imaging done; null or absent means "
                "unknown.",
            },
            "biopsy": ref("CnoBiopsy"),
            "lesions": {
                "type": "array",
                "items": ref("CnoLesion"),
                "maxItems": contract.MAX_LESIONS,
                "description": "Required; empty when imaging shows no lesion; "
                f"at most {contract.MAX_LESIONS}.",
            },
        },
    }
    case = {
        "type": "object",
        "additionalProperties": False,
        "required": ["schema", "patient", "episode"],
        "description": "A cno-case/1 document: one episode of one patient. Unknown keys are errors. "
        f"The JSON Schema (draft 2020-12): {jsonschemas.CASE_URL}.",
        "externalDocs": _external_docs(jsonschemas.CASE_URL, contract.SCHEMA_IN),
        "properties": {
            "schema": {"type": "string", "enum": [contract.SCHEMA_IN]},
            "patient": {
                "type": "object",
                "additionalProperties": False,
                "required": ["sex"],
                "properties": {
                    "sex": {"type": "string", "enum": list(contract.SEXES)},
                    "birth_date": {"type": "string", "format": "date", "nullable": True},
                },
            },
            "episode": ref("CnoEpisode"),
        },
    }
    finding = {
        "type": "object",
        "required": ["code", "text", "source"],
        "properties": {
            "code": {"type": "string", "description": "The rule id (see /api/v1/rules/)."},
            "text": {"type": "string"},
            "source": {"type": "string", "description": "The publication behind the rule."},
        },
    }
    differential = {
        "type": "object",
        "required": ["status", "findings", "missing"],
        "properties": {
            "status": {"type": "string", "enum": list(vocabulary.STATUSES.codes)},
            "findings": {"type": "array", "items": ref("CnoFinding")},
            "missing": {"type": "array", "items": {"type": "string"}},
        },
    }
    differential_names = list(vocabulary.DIFFERENTIALS.codes)
    assessment = {
        "type": "object",
        "description": "A cno-assessment/1 document: decision support, not a diagnosis. "
        f"The JSON Schema (draft 2020-12): {jsonschemas.ASSESSMENT_URL}.",
        "externalDocs": _external_docs(jsonschemas.ASSESSMENT_URL, contract.SCHEMA_OUT),
        "required": [
            "schema",
            "ruleset",
            "focality",
            "bones_involved",
            "symmetric",
            "differentials",
            "biopsy",
            "bristol",
            "jansson",
            "eular_acr_2025",
            "exclusion_complete",
        ],
        "properties": {
            "schema": {"type": "string", "enum": [contract.SCHEMA_OUT]},
            "ruleset": {"type": "string"},
            "focality": {"type": "string", "enum": list(vocabulary.FOCALITIES.codes)},
            "bones_involved": {"type": "integer", "minimum": 0},
            "symmetric": {"type": "boolean"},
            "differentials": {
                "type": "object",
                "required": differential_names,
                "properties": {name: ref("CnoDifferential") for name in differential_names},
            },
            "biopsy": {
                "type": "object",
                "required": ["recommended", "reasons", "adequate_biopsy_on_file"],
                "properties": {
                    "recommended": {"type": "boolean"},
                    "reasons": {"type": "array", "items": {"type": "string"}},
                    "adequate_biopsy_on_file": {"type": "boolean"},
                },
            },
            "bristol": {
                "type": "object",
                "required": ["status"],
                "properties": {"status": {"type": "string", "enum": list(vocabulary.BRISTOL_STATUSES.codes)}},
            },
            "jansson": {
                "type": "object",
                "required": ["applicable", "points", "possible_max", "threshold", "supports_nbo", "items"],
                "properties": {
                    "applicable": {"type": "boolean"},
                    "points": {"type": "integer"},
                    "possible_max": {"type": "integer"},
                    "threshold": {"type": "integer"},
                    "supports_nbo": {"type": "boolean", "nullable": True},
                    "items": {
                        "type": "object",
                        "additionalProperties": {"type": "boolean", "nullable": True},
                    },
                },
            },
            "eular_acr_2025": {
                "type": "object",
                "required": ["entry", "exclusions", "status", "score"],
                "properties": {
                    "entry": {"type": "string", "enum": list(vocabulary.EULAR_ENTRY.codes)},
                    "exclusions": {"type": "string", "enum": list(vocabulary.EULAR_EXCLUSIONS.codes)},
                    "status": {"type": "string", "enum": list(vocabulary.EULAR_STATUSES.codes)},
                    "score": {
                        "type": "integer",
                        "nullable": True,
                        "description": "Always null: this ruleset gives no score.",
                    },
                },
            },
            "exclusion_complete": {"type": "boolean"},
        },
    }
    return {
        "CnoCase": case,
        "CnoEpisode": episode,
        "CnoLesion": lesion,
        "CnoBiopsy": biopsy,
        "CnoAssessment": assessment,
        "CnoDifferential": differential,
        "CnoFinding": finding,
    }


def add_contract_components(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict:
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(contract_components())
    return result


def example_case() -> dict[str, Any]:
    return copy.deepcopy(EXAMPLE_CASE)


def example_assessment() -> dict[str, Any]:
    return engine.assess(example_case())
