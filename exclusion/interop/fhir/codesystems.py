"""The project's own CodeSystems: the codes a `cno-assessment/1` and a lesion carry that no standard code
system has. Codes and labels are read from the engine (vocabulary.py, and the case contract's lesion
features with the Lesion model's field names as their labels), never typed again here.

Canonical URLs are fixed, setting-free identifiers (`CANONICAL_BASE` + id): a code's meaning must not change
with the host the app happens to run on. Each CodeSystem is also published by this server at
`/fhir/r4/CodeSystem/{id}`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from exclusion.engine import schema as contract
from exclusion.engine import vocabulary

# An identifier, not a place: it need not resolve (FHIR canonical URLs are names).
CANONICAL_BASE = "https://cno-workbench.example/fhir/CodeSystem/"
VERSION = "1"

DIFFERENTIAL = "cno-differential"
DIFFERENTIAL_STATUS = "cno-differential-status"
LESION_FEATURE = "cno-lesion-feature"
BIOPSY_RECOMMENDATION = "cno-biopsy-recommendation"
REVIEW_DECISION = "cno-review-decision"
NOT_INDICATED_REASON = "cno-biopsy-not-indicated-reason"


def canonical(codesystem_id: str) -> str:
    return CANONICAL_BASE + codesystem_id


@dataclass(frozen=True, slots=True)
class CodeSystemSpec:
    id: str
    title: str
    description: str
    concepts: tuple[tuple[str, str, str], ...]  # (code, display, definition)

    @property
    def url(self) -> str:
        return canonical(self.id)


def _terms(terms: Iterable[vocabulary.Term]) -> tuple[tuple[str, str, str], ...]:
    return tuple((t.code, t.label, t.detail or t.label) for t in terms)


def _lesion_features() -> tuple[tuple[str, str, str], ...]:
    # Imported here: the Lesion model needs the app registry, the rest of this module does not.
    from patients.models import Lesion

    concepts = []
    for feature in contract.LESION_FEATURES:
        name = str(Lesion._meta.get_field(feature).verbose_name)
        concepts.append((feature, name[:1].upper() + name[1:], name[:1].upper() + name[1:]))
    return tuple(concepts)


def _review_models() -> Any:
    from exclusion.review import models

    return models


def _choices(choices: Any) -> tuple[tuple[str, str, str], ...]:
    # The review queue's decisions and reasons (exclusion.review.models), offered as CDS Hooks override
    # reasons; imported here for the same reason as the Lesion model above.
    return tuple((value, str(label), str(label)) for value, label in choices.choices)


def specs() -> dict[str, CodeSystemSpec]:
    """Every CodeSystem of the project, by id."""
    biopsy = vocabulary.RULE_GROUPS[vocabulary.BIOPSY].label
    items = (
        CodeSystemSpec(
            DIFFERENTIAL,
            "CNO differentials",
            "The diagnoses the exclusion walk must exclude before chronic nonbacterial osteomyelitis "
            "is supported.",
            _terms(vocabulary.DIFFERENTIALS),
        ),
        CodeSystemSpec(
            DIFFERENTIAL_STATUS,
            "CNO differential status",
            "Where the exclusion of one differential stands (decision support, not a diagnosis).",
            _terms(vocabulary.STATUSES),
        ),
        CodeSystemSpec(
            LESION_FEATURE,
            "CNO lesion features",
            "Imaging features of one bone lesion as the case contract records them.",
            _lesion_features(),
        ),
        CodeSystemSpec(
            BIOPSY_RECOMMENDATION,
            biopsy,
            f"{biopsy} (code {vocabulary.BIOPSY!r}) and the reasons the rules give for considering a biopsy.",
            ((vocabulary.BIOPSY, biopsy, biopsy), *_terms(vocabulary.BIOPSY_REASONS)),
        ),
        CodeSystemSpec(
            REVIEW_DECISION,
            "CNO review decisions",
            "What a rheumatology reviewer decided about a flagged case (a CDS Hooks override reason).",
            _choices(_review_models().Decision),
        ),
        CodeSystemSpec(
            NOT_INDICATED_REASON,
            "Why a biopsy was judged not indicated",
            "A reviewer's reason for not taking a biopsy the rules consider (a CDS Hooks override reason).",
            _choices(_review_models().NotIndicatedReason),
        ),
    )
    return {spec.id: spec for spec in items}


def coding(codesystem_id: str, code: str, display: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"system": canonical(codesystem_id), "code": code}
    if display:
        item["display"] = display
    return item


def codesystem_resource(spec: CodeSystemSpec) -> dict[str, Any]:
    """The CodeSystem resource (complete content, status active)."""
    return {
        "resourceType": "CodeSystem",
        "id": spec.id,
        "url": spec.url,
        "version": VERSION,
        "name": "".join(part.capitalize() for part in spec.id.split("-")),
        "title": spec.title,
        "status": "active",
        "experimental": False,
        "description": spec.description,
        "caseSensitive": True,
        "content": "complete",
        "count": len(spec.concepts),
        "concept": [
            {"code": code, "display": display, "definition": definition}
            for code, display, definition in spec.concepts
        ],
    }
