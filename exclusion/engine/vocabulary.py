"""Every code a ``cno-assessment/1`` document can carry, written once, with its label and tone.

The engine emits these codes; pages, the OpenAPI schema and the review queue show them. Read the codes and
labels from here rather than typing them again::

    vocabulary.STATUSES["concern"].label        # "Concern — work-up needed"
    vocabulary.STATUSES.codes                   # ("concern", "excluded", "no_red_flags", "incomplete")
    vocabulary.label("bristol", "not_met")      # "Not met: the biopsy does not support CNO"
    vocabulary.BIOPSY_REASONS.choices()         # (("unifocal_non_clavicular", "Unifocal disease ..."), ...)

Each kind is a :class:`Terms`: ordered as the contract orders it, indexed by code, read-only. A term's
``tone`` says how alarming it is (one of TONES) so a page can colour it without knowing the code.
Plain data only: no import of the rules, so any layer can read it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Generic, Literal, Protocol, TypeVar

from . import thresholds as T

Tone = Literal["danger", "warning", "success", "info", "neutral"]
DANGER: Final = "danger"  # a red flag: act on it
WARNING: Final = "warning"  # something is missing or needs a decision
SUCCESS: Final = "success"  # settled in the patient's favour
INFO: Final = "info"  # reassuring on the data given
NEUTRAL: Final = "neutral"  # a fact, no judgement
TONES: tuple[Tone, ...] = (DANGER, WARNING, SUCCESS, INFO, NEUTRAL)


@dataclass(frozen=True, slots=True, kw_only=True)
class Term:
    """One code with the words for it.

    ``label`` is what a page shows; ``short`` a compact form for badges and queue rows (empty: use the
    label); ``detail`` says in a sentence what the code means (the text account); ``rule`` is the id of
    the rule that decides the code, where one does.
    """

    code: str
    label: str
    tone: Tone = NEUTRAL
    short: str = ""
    detail: str = ""
    rule: str = ""

    @property
    def short_label(self) -> str:
        return self.short or self.label


@dataclass(frozen=True, slots=True, kw_only=True)
class JanssonItem:
    """An item of the Jansson clinical score: its key in ``jansson.items``, its points and its rule."""

    code: str
    label: str
    weight: int
    rule: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleGroup:
    """Rules whose ids start with ``prefix``; ``code`` is the ``group`` of those rules."""

    code: str
    prefix: str
    label: str


class _Coded(Protocol):
    @property
    def code(self) -> str: ...

    @property
    def label(self) -> str: ...


C = TypeVar("C", bound=_Coded)


class Terms(Generic[C]):
    """The terms of one kind, in contract order, looked up by code (``terms["concern"]``)."""

    __slots__ = ("kind", "codes", "_terms", "_by_code")

    def __init__(self, kind: str, terms: Iterable[C]) -> None:
        self.kind = kind
        self._terms = tuple(terms)
        self.codes: tuple[str, ...] = tuple(t.code for t in self._terms)
        if len(set(self.codes)) != len(self.codes):
            raise ValueError(f"duplicate code among the {kind} terms")
        self._by_code: Mapping[str, C] = MappingProxyType({t.code: t for t in self._terms})

    def __iter__(self) -> Iterator[C]:
        return iter(self._terms)

    def __len__(self) -> int:
        return len(self._terms)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __getitem__(self, code: str) -> C:
        return self._by_code[code]

    def __repr__(self) -> str:
        return f"Terms({self.kind!r}, {self.codes!r})"

    def get(self, code: str) -> C | None:
        return self._by_code.get(code)

    def label(self, code: str) -> str:
        """The label of ``code``; KeyError for a code this kind does not have."""
        return self._by_code[code].label

    def labels(self) -> dict[str, str]:
        """``{code: label}`` in contract order."""
        return {t.code: t.label for t in self._terms}

    def choices(self) -> tuple[tuple[str, str], ...]:
        """``(code, label)`` pairs in contract order (Django ``choices``, OpenAPI enum descriptions)."""
        return tuple((t.code, t.label) for t in self._terms)


# --- differentials ------------------------------------------------------------------------------------
INFECTION: Final = "infection"
MALIGNANCY: Final = "malignancy"
HYPOPHOSPHATASIA: Final = "hypophosphatasia"
SCURVY: Final = "scurvy"
MONOGENIC: Final = "monogenic"

DIFFERENTIALS: Terms[Term] = Terms(
    "differential",
    (
        Term(code=INFECTION, label="Infection (bacterial osteomyelitis)", short="Infection"),
        Term(
            code=MALIGNANCY,
            label="Malignancy (leukaemia, lymphoma, bone tumour, LCH)",
            short="Malignancy",
        ),
        Term(code=HYPOPHOSPHATASIA, label="Hypophosphatasia", short="Hypophosphatasia"),
        Term(code=SCURVY, label="Scurvy (vitamin C deficiency)", short="Scurvy"),
        Term(code=MONOGENIC, label="Monogenic autoinflammatory disease", short="Monogenic"),
    ),
)

# --- the status of a differential ----------------------------------------------------------------------
CONCERN: Final = "concern"
EXCLUDED: Final = "excluded"
NO_RED_FLAGS: Final = "no_red_flags"
INCOMPLETE: Final = "incomplete"

STATUSES: Terms[Term] = Terms(
    "status",
    (
        Term(
            code=CONCERN,
            label="Concern — work-up needed",
            tone=DANGER,
            short="Concern",
            detail="red flag present, work-up needed",
        ),
        Term(
            code=EXCLUDED,
            label="Excluded",
            tone=SUCCESS,
            short="Excluded",
            detail="definitive evidence on file",
        ),
        Term(
            code=NO_RED_FLAGS,
            label="No red flags",
            tone=INFO,
            short="No red flags",
            detail="screening data complete",
        ),
        Term(
            code=INCOMPLETE,
            label="Incomplete — data missing",
            tone=WARNING,
            short="Incomplete",
            detail="no red flag, but screening data are missing",
        ),
    ),
)
# The statuses that leave nothing to exclude (``exclusion_complete`` when every differential has one).
SETTLED_STATUSES: tuple[str, ...] = (EXCLUDED, NO_RED_FLAGS)

# --- focality ---------------------------------------------------------------------------------------------
FOCALITY_NONE: Final = "none"
UNIFOCAL: Final = "unifocal"
MULTIFOCAL: Final = "multifocal"

FOCALITIES: Terms[Term] = Terms(
    "focality",
    (
        Term(code=FOCALITY_NONE, label="No lesion", detail="no lesion on imaging"),
        Term(code=UNIFOCAL, label="Unifocal", detail="one bone involved"),
        Term(code=MULTIFOCAL, label="Multifocal", detail="more than one bone involved"),
    ),
)

# --- Bristol criteria (Roderick 2016) -------------------------------------------------------------------
NOT_APPLICABLE: Final = "not_applicable"
INSUFFICIENT_DATA: Final = "insufficient_data"
CRITERION_1_MET: Final = "criterion_1_met"
CRITERION_2_MET: Final = "criterion_2_met"
NOT_MET: Final = "not_met"
BIOPSY_REQUIRED: Final = "biopsy_required"

BRISTOL_STATUSES: Terms[Term] = Terms(
    "bristol",
    (
        Term(
            code=NOT_APPLICABLE,
            label="Not applicable (no lesions, or neither bone pain nor swelling)",
            detail="not applicable (no lesion, or neither bone pain nor local swelling)",
            rule="BRISTOL-APPLICABLE",
        ),
        Term(
            code=INSUFFICIENT_DATA,
            label="Insufficient data (CRP unknown)",
            tone=WARNING,
            detail="insufficient data (CRP unknown)",
            rule="BRISTOL-CRP-KNOWN",
        ),
        Term(
            code=CRITERION_1_MET,
            label="Criterion 1 met: supports CNO without biopsy",
            tone=SUCCESS,
            detail="criterion 1 met (more than one bone or clavicle alone, "
            f"CRP < {T.CRP_RAISED_MG_L} mg/L, no fever, typical imaging, neither infection nor malignancy a "
            "concern): supports CNO without biopsy",
            rule="BRISTOL-C1",
        ),
        Term(
            code=CRITERION_2_MET,
            label="Criterion 2 met: biopsy supports CNO",
            tone=SUCCESS,
            detail="criterion 2 met (adequate biopsy: inflammatory histology, no growth, off antibiotics)",
            rule="BRISTOL-C2",
        ),
        Term(
            code=NOT_MET,
            label="Not met: the biopsy does not support CNO",
            detail="not met (a biopsy shows malignant or LCH histology, or an adequate biopsy does not show "
            "inflammatory histology with no growth)",
            rule="BRISTOL-C2",
        ),
        Term(
            code=BIOPSY_REQUIRED,
            label="Biopsy required to meet the criteria",
            detail="biopsy route: criterion 1 not met, an adequate biopsy is required",
            rule="BRISTOL-C2",
        ),
    ),
)


# --- a differential with a red flag: its flag reason in the review queue ------------------------------
def concern_code(differential: str) -> str:
    """The flag reason of a differential with a red flag (``infection`` -> ``infection_concern``)."""
    return f"{differential}_concern"


CONCERN_LABELS: Mapping[str, str] = MappingProxyType(
    {
        INFECTION: "Infection concern",
        MALIGNANCY: "Malignancy concern",
        HYPOPHOSPHATASIA: "Hypophosphatasia concern",
        SCURVY: "Scurvy concern",
        MONOGENIC: "Monogenic (autoinflammatory) concern",
    }
)

# --- reasons for a biopsy, in contract order; each decided by its own rule ------------------------------
BIOPSY_REASONS: Terms[Term] = Terms(
    "biopsy_reason",
    (
        Term(
            code="unifocal_non_clavicular",
            label="Unifocal disease outside the clavicle: a single bone lesion needs tissue to rule out "
            "infection and tumour",
            tone=WARNING,
            short="Unifocal, not clavicle",
            rule="BIOPSY-UNIFOCAL",
        ),
        Term(
            code="crp_at_least_30",
            label=f"CRP of {T.CRP_RAISED_MG_L} mg/L or more",
            tone=WARNING,
            short=f"CRP ≥ {T.CRP_RAISED_MG_L} mg/L",
            rule="BIOPSY-CRP-30",
        ),
        Term(
            code=concern_code(INFECTION),
            label="Infection is not excluded (red flag present)",
            tone=DANGER,
            short=CONCERN_LABELS[INFECTION],
            rule="BIOPSY-INFECTION",
        ),
        Term(
            code=concern_code(MALIGNANCY),
            label="Malignancy is not excluded (red flag present)",
            tone=DANGER,
            short=CONCERN_LABELS[MALIGNANCY],
            rule="BIOPSY-MALIGNANCY",
        ),
        Term(
            code="age_under_3",
            label=f"Onset before {T.EARLY_ONSET_YEARS} years of age",
            tone=WARNING,
            short=f"Onset under {T.EARLY_ONSET_YEARS} years",
            rule="BIOPSY-AGE-UNDER-3",
        ),
        Term(
            code="ill_appearance",
            label="The child appears ill",
            tone=WARNING,
            short="Ill appearance",
            rule="BIOPSY-ILL-APPEARANCE",
        ),
    ),
)


# --- review-queue flag reasons: the biopsy reasons and "<differential>_concern", in the queue's order ------
# Infection and malignancy concerns are biopsy reasons as well (same code); the other three are not.
FLAG_REASONS: Terms[Term] = Terms(
    "flag_reason",
    (
        *(
            Term(code=r.code, label=r.short_label, tone=r.tone, rule=r.rule)
            for r in (BIOPSY_REASONS[concern_code(MALIGNANCY)], BIOPSY_REASONS[concern_code(INFECTION)])
        ),
        *(
            Term(code=r.code, label=r.short_label, tone=r.tone, rule=r.rule)
            for r in BIOPSY_REASONS
            if r.code not in (concern_code(INFECTION), concern_code(MALIGNANCY))
        ),
        *(
            Term(code=concern_code(d), label=CONCERN_LABELS[d], tone=DANGER)
            for d in (HYPOPHOSPHATASIA, SCURVY, MONOGENIC)
        ),
    ),
)

# --- Jansson clinical score (Jansson 2009) --------------------------------------------------------------
JANSSON_ITEMS: Terms[JanssonItem] = Terms(
    "jansson_item",
    (
        JanssonItem(
            code="normal_blood_count",
            label="Normal blood count",
            weight=T.JANSSON_POINTS_NORMAL_BLOOD_COUNT,
            rule="JANSSON-NBC",
        ),
        JanssonItem(
            code="symmetric_lesions",
            label="Symmetric lesions",
            weight=T.JANSSON_POINTS_SYMMETRIC_LESIONS,
            rule="JANSSON-SYMMETRIC",
        ),
        JanssonItem(
            code="marginal_sclerosis",
            label="Marginal sclerosis",
            weight=T.JANSSON_POINTS_MARGINAL_SCLEROSIS,
            rule="JANSSON-SCLEROSIS",
        ),
        JanssonItem(
            code="normal_body_temperature",
            label="Normal body temperature",
            weight=T.JANSSON_POINTS_NORMAL_BODY_TEMPERATURE,
            rule="JANSSON-TEMPERATURE",
        ),
        JanssonItem(
            code="vertebral_clavicular_or_sternal",
            label="Vertebral, clavicular or sternal lesion",
            weight=T.JANSSON_POINTS_VERTEBRAL_CLAVICULAR_OR_STERNAL,
            rule="JANSSON-SITE",
        ),
        JanssonItem(
            code="more_than_one_lesion",
            label="More than one lesion",
            weight=T.JANSSON_POINTS_MORE_THAN_ONE_LESION,
            rule="JANSSON-MULTIPLE",
        ),
        JanssonItem(
            code="crp_at_least_10",
            label=f"CRP of {T.JANSSON_CRP_MG_L} mg/L or more",
            weight=T.JANSSON_POINTS_CRP_AT_LEAST_10,
            rule="JANSSON-CRP-10",
        ),
    ),
)
JANSSON_THRESHOLD: Final = T.JANSSON_THRESHOLD
JANSSON_MAX: Final = T.JANSSON_MAX

# --- EULAR/ACR 2025 classification gate (Zhao 2025): research classification, not diagnosis ---------------
MET: Final = "met"
UNKNOWN: Final = "unknown"
CLEARED: Final = "cleared"
NOT_CLEARED: Final = "not_cleared"
ENTRY_NOT_MET: Final = "entry_not_met"
MIMIC_NOT_EXCLUDED: Final = "mimic_not_excluded"
ELIGIBLE_FOR_SCORING: Final = "eligible_for_scoring"
EULAR_INCOMPLETE: Final = "incomplete"
# The differentials the classification criteria exclude (malignancy, infection, vitamin C deficiency,
# hypophosphatasia); monogenic disease is not among them.
EULAR_EXCLUDED_DIFFERENTIALS: tuple[str, ...] = (MALIGNANCY, INFECTION, SCURVY, HYPOPHOSPHATASIA)

EULAR_ENTRY: Terms[Term] = Terms(
    "eular_entry",
    (
        Term(code=MET, label="Entry criterion met", tone=INFO, rule="EULAR-ENTRY"),
        Term(code=NOT_MET, label="Entry criterion not met", rule="EULAR-ENTRY"),
        Term(code=UNKNOWN, label="Entry criterion unknown (data missing)", tone=WARNING, rule="EULAR-ENTRY"),
    ),
)
EULAR_EXCLUSIONS: Terms[Term] = Terms(
    "eular_exclusions",
    (
        Term(code=CLEARED, label="Mimics cleared", tone=INFO, rule="EULAR-EXCLUSIONS"),
        Term(code=NOT_CLEARED, label="A mimic is a concern", tone=DANGER, rule="EULAR-EXCLUSIONS"),
        Term(
            code=UNKNOWN, label="Mimics not yet cleared (data missing)", tone=WARNING, rule="EULAR-EXCLUSIONS"
        ),
    ),
)
EULAR_STATUSES: Terms[Term] = Terms(
    "eular_status",
    (
        Term(
            code=ENTRY_NOT_MET,
            label="Entry criterion not met: the classification criteria do not apply",
            short="Entry not met",
            rule="EULAR-STATUS",
        ),
        Term(
            code=MIMIC_NOT_EXCLUDED,
            label="A mimic is not excluded: not classifiable yet",
            tone=DANGER,
            short="Mimic not excluded",
            rule="EULAR-STATUS",
        ),
        Term(
            code=ELIGIBLE_FOR_SCORING,
            label="Eligible for scoring (item weights not yet transcribed: no score given)",
            tone=INFO,
            short="Eligible for scoring",
            rule="EULAR-STATUS",
        ),
        Term(
            code=EULAR_INCOMPLETE,
            label="Incomplete: entry or exclusions unknown",
            tone=WARNING,
            short="Incomplete",
            rule="EULAR-STATUS",
        ),
    ),
)

# --- rule groups: a rule's ``group`` and the prefix of its id ---------------------------------------------
# The five differentials are groups too (their codes above).
BIOPSY: Final = "biopsy"
BRISTOL: Final = "bristol"
JANSSON: Final = "jansson"
EULAR_ACR_2025: Final = "eular_acr_2025"
# The activity summary's decision-support prompts (exclusion.engine.prompts): catalogued, never assessed.
PROMPT: Final = "prompt"

RULE_GROUPS: Terms[RuleGroup] = Terms(
    "rule_group",
    (
        RuleGroup(code=INFECTION, prefix="INF-", label="Infection"),
        RuleGroup(code=MALIGNANCY, prefix="MAL-", label="Malignancy"),
        RuleGroup(code=HYPOPHOSPHATASIA, prefix="HPP-", label="Hypophosphatasia"),
        RuleGroup(code=SCURVY, prefix="SCU-", label="Scurvy"),
        RuleGroup(code=MONOGENIC, prefix="MONO-", label="Monogenic autoinflammatory disease"),
        RuleGroup(code=BIOPSY, prefix="BIOPSY-", label="Biopsy recommendation"),
        RuleGroup(code=BRISTOL, prefix="BRISTOL-", label="Bristol criteria"),
        RuleGroup(code=JANSSON, prefix="JANSSON-", label="Jansson clinical score"),
        RuleGroup(code=EULAR_ACR_2025, prefix="EULAR-", label="EULAR/ACR 2025 classification gate"),
        RuleGroup(code=PROMPT, prefix="PROMPT-", label="Spine and treatment prompts"),
    ),
)


def rule_group(rule_id: str) -> RuleGroup | None:
    """The group a rule id belongs to, by its prefix; None for an id of no known group."""
    for group in RULE_GROUPS:
        if rule_id.startswith(group.prefix):
            return group
    return None


# --- every kind, for generic lookups ---------------------------------------------------------------------
KINDS: Mapping[str, Terms[Term] | Terms[JanssonItem] | Terms[RuleGroup]] = MappingProxyType(
    {
        terms.kind: terms
        for terms in (
            DIFFERENTIALS,
            STATUSES,
            FOCALITIES,
            BRISTOL_STATUSES,
            BIOPSY_REASONS,
            FLAG_REASONS,
            JANSSON_ITEMS,
            EULAR_ENTRY,
            EULAR_EXCLUSIONS,
            EULAR_STATUSES,
            RULE_GROUPS,
        )
    }
)


def label(kind: str, code: str, default: str | None = None) -> str:
    """The label of ``code`` among the terms of ``kind`` (a key of KINDS).

    An unknown code (say from an assessment stored under an older ruleset) gives ``default`` when one is
    given, else raises KeyError; an unknown kind always raises KeyError.
    """
    term = KINDS[kind].get(code)
    if term is None:
        if default is None:
            raise KeyError(f"no {kind} term {code!r}")
        return default
    return term.label
