"""The rule registry: every rule the engine applies, with its id, inputs, explanation, citation and logic.

Each rule is one keyword-only :class:`Rule` whose ``evaluate`` decides it; what ``evaluate`` returns depends
on what the rule is for (see the ``*Check`` aliases). The registration order below is the public catalogue
order. Rule ids are stable (they appear as finding codes in stored assessments): never rename or reuse one.
Citations are in citations.py, numbers in thresholds.py, output codes in vocabulary.py. Wording is decision
support ("not excluded", "consider", "supports"), never a diagnosis.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from . import citations as C
from . import vocabulary as V
from .prompts import PROMPTS
from .snapshot import Snapshot
from .thresholds import (
    CRP_RAISED_MG_L,
    EARLY_ONSET_YEARS,
    EULAR_MIN_DURATION_DAYS,
    EULAR_ONSET_BEFORE_YEARS,
    FEVER_C,
    JANSSON_CRP_MG_L,
    JANSSON_MAX,
    JANSSON_MIN_AGE_YEARS,
    JANSSON_POINTS_CRP_AT_LEAST_10,
    JANSSON_POINTS_MARGINAL_SCLEROSIS,
    JANSSON_POINTS_MORE_THAN_ONE_LESION,
    JANSSON_POINTS_NORMAL_BLOOD_COUNT,
    JANSSON_POINTS_NORMAL_BODY_TEMPERATURE,
    JANSSON_POINTS_SYMMETRIC_LESIONS,
    JANSSON_POINTS_VERTEBRAL_CLAVICULAR_OR_STERNAL,
    JANSSON_THRESHOLD,
    JONES_PLATELETS_HIGH_10E9_L,
    NEUTROPHILS_LOW_10E9_L,
    PLATELETS_HIGH_10E9_L,
    PLATELETS_LOW_10E9_L,
    WBC_HIGH_10E9_L,
    WBC_LOW_10E9_L,
    WHO_MIN_AGE_MONTHS,
)

# What a rule's ``evaluate`` is, by what the rule is for:
FindingCheck = Callable[[Snapshot], str | None]  # red flag or note: the finding text when it fires
ExclusionCheck = Callable[[Snapshot], bool]  # definitive exclusion of a differential (or adequacy)
MissingCheck = Callable[[Snapshot], list[str]]  # screening data: the input paths that are unknown
DifferentialResults = Mapping[str, Mapping[str, object]]  # the differentials assessed so far
ReasonCheck = Callable[[Snapshot, DifferentialResults], bool]  # a biopsy reason applies
# The Bristol status it decides (None: the next rule decides), given the differentials assessed so far.
BristolCheck = Callable[[Snapshot, DifferentialResults], str | None]
ItemCheck = Callable[[Snapshot], bool | None]  # a Jansson item: present, absent or unknown
VerdictCheck = Callable[[Snapshot, int, int], tuple[bool, bool | None]]  # Jansson: applicable, supports
GateCheck = Callable[[Snapshot, DifferentialResults], str]  # a part of the EULAR/ACR gate: its code
StatusCheck = Callable[[str, str], str]  # the EULAR/ACR gate's status from its entry and exclusions

E = TypeVar("E", bound=Callable[..., object], covariant=True)


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule(Generic[E]):
    id: str
    title: str
    inputs: tuple[str, ...]
    explanation: str
    source: str
    group: str  # a vocabulary.RULE_GROUPS code
    evaluate: E

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "inputs": list(self.inputs),
            "explanation": self.explanation,
            "source": self.source,
        }


REGISTRY: dict[str, Rule[Any]] = {}


def register(rule: Rule[E]) -> Rule[E]:
    """Add a rule; a duplicate id is a programming error and fails at import time."""
    if rule.id in REGISTRY:
        raise ValueError(f"duplicate rule id {rule.id!r}")
    REGISTRY[rule.id] = rule
    return rule


@dataclass(frozen=True, slots=True, kw_only=True)
class Differential:
    """A differential to exclude: its red flags, the notes that keep it incomplete, what excludes it
    definitively (None: never excluded by the engine) and which screening data it needs."""

    name: str
    red_flags: tuple[Rule[FindingCheck], ...]
    notes: tuple[Rule[FindingCheck], ...] = ()  # findings that never make a concern but block "no red flags"
    exclusion: Rule[ExclusionCheck] | None
    screening: Rule[MissingCheck]


def _g(x: float) -> str:
    return f"{x:g}"


S = "episode.symptoms."
F = "episode.findings."
L = "episode.labs."
LES = "episode.lesions[]."
B = "episode.biopsy."
AGE_INPUTS = (
    "patient.birth_date",
    "episode.onset_on",
    "episode.assessed_on",
    "episode.age_years",
    "episode.age_at_onset_years",
)
# Without a birth date the age comes from episode.age_years / age_at_onset_years; the contract prefers the
# birth date, so that is the path named as missing.
AGE_PATH = "patient.birth_date"
BIOPSY_INPUTS = (B + "histology", B + "culture", B + "on_antibiotics")


# ===== infection ==========================================================================================
def _fever(s: Snapshot) -> str | None:
    if s.symptoms["fever"] is True:
        return (
            "Fever reported: bacterial osteomyelitis not excluded; consider blood culture "
            "and infection work-up."
        )
    return None


def _temp(s: Snapshot) -> str | None:
    t = s.symptoms["max_temperature_c"]
    if t is not None and t >= FEVER_C:
        return (
            f"Maximum temperature {_g(t)} °C (≥ {FEVER_C} °C): infection not excluded; consider blood "
            "culture and infection work-up."
        )
    return None


def _crp30(s: Snapshot) -> str | None:
    crp = s.labs["crp_mg_l"]
    if crp is not None and crp >= CRP_RAISED_MG_L:
        return (
            f"CRP {_g(crp)} mg/L (≥ {CRP_RAISED_MG_L} mg/L): infection not excluded; consider biopsy with "
            "bacterial, fungal and mycobacterial culture taken off antibiotics."
        )
    return None


def _blood_culture(s: Snapshot) -> str | None:
    if s.labs["blood_culture"] == "positive":
        return "Positive blood culture: infection not excluded; treat and investigate as infection."
    return None


def _inf_imaging(s: Snapshot) -> str | None:
    seen = [f for f in ("abscess", "sequestrum", "sinus_tract") if f in s.features]
    if seen:
        return (
            f"Imaging shows {', '.join(x.replace('_', ' ') for x in seen)}: atypical for CNO, infection not "
            "excluded; consider biopsy with cultures."
        )
    return None


def _biopsy_growth(s: Snapshot) -> str | None:
    if s.culture == "growth":
        return "Bone biopsy culture grew an organism: infection not excluded."
    return None


def _immuno(s: Snapshot) -> str | None:
    if s.findings["immunocompromised"] is True:
        return (
            "Immunocompromised patient: infection (including opportunistic) not excluded; consider cultures."
        )
    return None


def _tb(s: Snapshot) -> str | None:
    if s.findings["tb_exposure"] is True:
        return (
            "Tuberculosis exposure: tuberculous osteomyelitis not excluded; consider biopsy with "
            "mycobacterial culture."
        )
    return None


def _abx(s: Snapshot) -> str | None:
    if s.findings["sustained_response_to_antibiotics_alone"] is True:
        return (
            "Complete, sustained response to antibiotics alone: favours infection; CNO "
            "should not be classified."
        )
    return None


INFECTION_FLAGS = (
    register(
        Rule(
            id="INF-FEVER",
            title="Fever reported",
            inputs=(S + "fever",),
            explanation="Fever is much more frequent in bacterial than in nonbacterial osteomyelitis "
            "(90.6% vs 34.1%).",
            source=C.KOSTIK_2023,
            group=V.INFECTION,
            evaluate=_fever,
        )
    ),
    register(
        Rule(
            id="INF-TEMP-38",
            title=f"Temperature of {FEVER_C} °C or more",
            inputs=(S + "max_temperature_c",),
            explanation=f"A measured temperature of at least {FEVER_C} °C counts as fever.",
            source=C.KOSTIK_2023,
            group=V.INFECTION,
            evaluate=_temp,
        )
    ),
    register(
        Rule(
            id="INF-CRP-30",
            title=f"CRP of {CRP_RAISED_MG_L} mg/L or more",
            inputs=(L + "crp_mg_l",),
            explanation=f"A CRP of {CRP_RAISED_MG_L} mg/L or more is 'significantly raised' (Bristol "
            "criteria) and sends the case down the biopsy route; "
            f"exactly {CRP_RAISED_MG_L} counts as raised (conservative choice).",
            source=C.RODERICK_2016,
            group=V.INFECTION,
            evaluate=_crp30,
        )
    ),
    register(
        Rule(
            id="INF-BLOOD-CULTURE",
            title="Positive blood culture",
            inputs=(L + "blood_culture",),
            explanation="A positive blood culture is evidence of infection.",
            source=C.ZHAO_2017,
            group=V.INFECTION,
            evaluate=_blood_culture,
        )
    ),
    register(
        Rule(
            id="INF-IMAGING",
            title="Abscess, sequestrum or sinus tract",
            inputs=(LES + "abscess", LES + "sequestrum", LES + "sinus_tract"),
            explanation="Abscess (0% of CNO vs 39% of bacterial osteomyelitis), sequestrum and sinus "
            "tract point to infection.",
            source=C.SCHNABEL_2016,
            group=V.INFECTION,
            evaluate=_inf_imaging,
        )
    ),
    register(
        Rule(
            id="INF-BIOPSY-GROWTH",
            title="Bone biopsy culture growth",
            inputs=(B + "culture",),
            explanation="Growth in a bone biopsy culture is evidence of infection.",
            source=C.RODERICK_2016,
            group=V.INFECTION,
            evaluate=_biopsy_growth,
        )
    ),
    register(
        Rule(
            id="INF-IMMUNOCOMPROMISED",
            title="Immunocompromised",
            inputs=(F + "immunocompromised",),
            explanation="An immunocompromised child is at risk of atypical infection; the contract makes "
            "this a red flag.",
            source=C.CONTRACT,
            group=V.INFECTION,
            evaluate=_immuno,
        )
    ),
    register(
        Rule(
            id="INF-TB-EXPOSURE",
            title="Tuberculosis exposure",
            inputs=(F + "tb_exposure",),
            explanation="Tuberculous osteomyelitis mimics CNO; monofocal disease with possible TB needs "
            "biopsy with microbiology.",
            source=C.KOSTIK_TB,
            group=V.INFECTION,
            evaluate=_tb,
        )
    ),
    register(
        Rule(
            id="INF-ANTIBIOTIC-RESPONSE",
            title="Sustained response to antibiotics alone",
            inputs=(F + "sustained_response_to_antibiotics_alone",),
            explanation="A complete and sustained response to antimicrobials alone is an exclusion "
            "criterion for CNO.",
            source=C.EULAR_ACR_2025,
            group=V.INFECTION,
            evaluate=_abx,
        )
    ),
)


def _biopsy_without_growth(s: Snapshot) -> bool:
    return s.adequate_biopsy and s.culture == "no_growth"


INF_EXCLUDED = register(
    Rule(
        id="INF-EXCLUDED-BIOPSY",
        title="Adequate biopsy without growth",
        inputs=BIOPSY_INPUTS,
        explanation="An adequate biopsy (histology given, culture done, taken off antibiotics) with no "
        "growth excludes bacterial infection.",
        source=C.RODERICK_2016,
        group=V.INFECTION,
        evaluate=_biopsy_without_growth,
    )
)


def _missing_infection(s: Snapshot) -> list[str]:
    missing = []
    if not s.temperature_known:
        missing += [S + "fever", S + "max_temperature_c"]
    if s.labs["crp_mg_l"] is None:
        missing.append(L + "crp_mg_l")
    return missing


INF_SCREENING = register(
    Rule(
        id="INF-SCREENING",
        title="Infection screening data",
        inputs=(S + "fever", S + "max_temperature_c", L + "crp_mg_l"),
        explanation="Infection can only be called free of red flags when the temperature (fever or maximum "
        "temperature) and the CRP are known.",
        source=C.ZHAO_2017,
        group=V.INFECTION,
        evaluate=_missing_infection,
    )
)
INFECTION = Differential(
    name=V.INFECTION, red_flags=INFECTION_FLAGS, exclusion=INF_EXCLUDED, screening=INF_SCREENING
)


# ===== malignancy =========================================================================================
def _wbc(s: Snapshot) -> str | None:
    wbc = s.labs["wbc_10e9_l"]
    if wbc is not None and wbc < WBC_LOW_10E9_L:
        return (
            f"WBC {_g(wbc)} ×10⁹/L (< {WBC_LOW_10E9_L}): leukaemia not excluded; consider blood film and "
            "bone-marrow examination."
        )
    return None


def _jones(s: Snapshot) -> str | None:
    wbc, plt = s.labs["wbc_10e9_l"], s.labs["platelets_10e9_l"]
    if (
        wbc is not None
        and wbc < WBC_LOW_10E9_L
        and plt is not None
        and PLATELETS_LOW_10E9_L <= plt <= JONES_PLATELETS_HIGH_10E9_L
        and s.symptoms["night_pain"] is True
    ):
        return (
            f"Leukaemia triad present (WBC {_g(wbc)} < {WBC_LOW_10E9_L} ×10⁹/L, low-normal platelets "
            f"{_g(plt)} ×10⁹/L, night pain): sensitivity 100%, specificity 85% for ALL vs JRA; consider "
            "blood film and bone-marrow examination before any CNO diagnosis."
        )
    return None


def _neut(s: Snapshot) -> str | None:
    n = s.labs["neutrophils_10e9_l"]
    if n is not None and n < NEUTROPHILS_LOW_10E9_L:
        return (
            f"Neutrophils {_g(n)} ×10⁹/L (< {NEUTROPHILS_LOW_10E9_L}): leukaemia not excluded; "
            "consider blood film."
        )
    return None


def _plt(s: Snapshot) -> str | None:
    plt = s.labs["platelets_10e9_l"]
    if plt is not None and plt < PLATELETS_LOW_10E9_L:
        return (
            f"Platelets {_g(plt)} ×10⁹/L (< {PLATELETS_LOW_10E9_L}): malignancy not excluded; "
            "consider blood film."
        )
    return None


def _anaemia(s: Snapshot) -> str | None:
    if s.anaemia:
        return (
            f"Haemoglobin {_g(s.labs['hemoglobin_g_l'])} g/L is below the WHO cut-off of {s.who_cutoff} g/L "
            "for age and sex: malignancy not excluded; consider blood film."
        )
    return None


def _ldh(s: Snapshot) -> str | None:
    ldh, uln = s.labs["ldh_u_l"], s.labs["ldh_uln_u_l"]
    if ldh is not None and uln is not None and ldh > uln:
        return (
            f"LDH {_g(ldh)} U/L is above the laboratory upper limit of {_g(uln)} U/L: malignancy not "
            "excluded."
        )
    return None


def _blasts(s: Snapshot) -> str | None:
    if s.labs["blasts_on_smear"] is True:
        return "Blasts on the blood smear: leukaemia not excluded; refer for haematology work-up."
    return None


def _organs(s: Snapshot) -> str | None:
    seen = [k for k in ("hepatomegaly", "splenomegaly", "lymphadenopathy") if s.findings[k] is True]
    if seen:
        return (
            f"{', '.join(seen).capitalize()}: leukaemia or lymphoma not excluded (OR 154 for ALL vs JIA); "
            "consider blood film and bone-marrow examination."
        )
    return None


def _constitutional(s: Snapshot) -> str | None:
    seen = [k.replace("_", " ") for k in ("weight_loss", "night_sweats") if s.symptoms[k] is True]
    if seen:
        return (
            f"{' and '.join(seen).capitalize()}: malignancy not excluded even with a normal blood count; "
            "consider the malignancy work-up."
        )
    return None


def _mal_imaging(s: Snapshot) -> str | None:
    seen = [f.replace("_", " ") for f in ("cortical_destruction", "soft_tissue_mass") if f in s.features]
    if seen:
        return (
            f"Imaging shows {' and '.join(seen)}: not seen in CNO; malignancy not excluded; consider biopsy."
        )
    return None


def _collapse(s: Snapshot) -> str | None:
    if "vertebral_collapse" in s.features and (s.focality == V.UNIFOCAL or s.cytopenia):
        why = "unifocal disease" if s.focality == V.UNIFOCAL else "a cytopenia"
        return (
            f"Vertebral collapse with {why}: malignancy or LCH not excluded; consider biopsy and "
            "bone-marrow examination."
        )
    return None


def _mal_biopsy(s: Snapshot) -> str | None:
    if s.histology in ("malignant", "lch"):
        label = "malignancy" if s.histology == "malignant" else "Langerhans cell histiocytosis"
        return f"Bone biopsy histology shows {label}: this is not CNO."
    return None


MALIGNANCY_FLAGS = (
    register(
        Rule(
            id="MAL-CYTOPENIA-WBC",
            title=f"WBC below {WBC_LOW_10E9_L} ×10⁹/L",
            inputs=(L + "wbc_10e9_l",),
            explanation=f"A WBC below {WBC_LOW_10E9_L} ×10⁹/L predicts leukaemia rather than juvenile "
            "arthritis.",
            source=C.JONES_2006,
            group=V.MALIGNANCY,
            evaluate=_wbc,
        )
    ),
    register(
        Rule(
            id="MAL-JONES-TRIAD",
            title="Leukaemia triad (Jones 2006)",
            inputs=(L + "wbc_10e9_l", L + "platelets_10e9_l", S + "night_pain"),
            explanation=f"WBC < {WBC_LOW_10E9_L} ×10⁹/L with low-normal platelets "
            f"({PLATELETS_LOW_10E9_L}–{JONES_PLATELETS_HIGH_10E9_L} ×10⁹/L) and night pain: "
            "sensitivity 100%, specificity 85% for ALL.",
            source=C.JONES_2006,
            group=V.MALIGNANCY,
            evaluate=_jones,
        )
    ),
    register(
        Rule(
            id="MAL-NEUTROPENIA",
            title=f"Neutrophils below {NEUTROPHILS_LOW_10E9_L} ×10⁹/L",
            inputs=(L + "neutrophils_10e9_l",),
            explanation=f"Neutrophils below {NEUTROPHILS_LOW_10E9_L} ×10⁹/L point to ALL rather than JIA "
            "(OR 50).",
            source=C.LOUVIGNE_2020,
            group=V.MALIGNANCY,
            evaluate=_neut,
        )
    ),
    register(
        Rule(
            id="MAL-CYTOPENIA-PLT",
            title=f"Platelets below {PLATELETS_LOW_10E9_L} ×10⁹/L",
            inputs=(L + "platelets_10e9_l",),
            explanation="Thrombocytopenia discriminates ALL from juvenile arthritis; the contract uses "
            f"< {PLATELETS_LOW_10E9_L} ×10⁹/L.",
            source=C.CLINICS_2011 + "; " + C.EULAR_ACR_2022_LABS,
            group=V.MALIGNANCY,
            evaluate=_plt,
        )
    ),
    register(
        Rule(
            id="MAL-ANAEMIA",
            title="Haemoglobin below the WHO cut-off",
            inputs=(
                L + "hemoglobin_g_l",
                "patient.sex",
                "patient.birth_date",
                "episode.assessed_on",
                "episode.age_years",
            ),
            explanation="Low haemoglobin predicts malignancy in children with musculoskeletal pain; "
            "anaemia is judged against the WHO cut-off for age (and sex from 15 years).",
            source=C.WHO_2011 + "; " + C.AGODI_2013,
            group=V.MALIGNANCY,
            evaluate=_anaemia,
        )
    ),
    register(
        Rule(
            id="MAL-LDH",
            title="LDH above the laboratory upper limit",
            inputs=(L + "ldh_u_l", L + "ldh_uln_u_l"),
            explanation="A raised LDH is a malignancy concern; judged only against the reporting "
            "laboratory's upper limit.",
            source=C.EULAR_ACR_2022_LABS + "; " + C.AGODI_2013,
            group=V.MALIGNANCY,
            evaluate=_ldh,
        )
    ),
    register(
        Rule(
            id="MAL-BLASTS",
            title="Blasts on the blood smear",
            inputs=(L + "blasts_on_smear",),
            explanation="Blasts on the smear indicate leukaemia (although 75% of children with ALL have "
            "none).",
            source=C.JONES_2006,
            group=V.MALIGNANCY,
            evaluate=_blasts,
        )
    ),
    register(
        Rule(
            id="MAL-ORGANOMEGALY",
            title="Hepatomegaly, splenomegaly or lymphadenopathy",
            inputs=(F + "hepatomegaly", F + "splenomegaly", F + "lymphadenopathy"),
            explanation="Organomegaly or lymphadenopathy was present in 37/49 children with ALL vs 2/98 "
            "with JIA (OR 154).",
            source=C.LOUVIGNE_2020,
            group=V.MALIGNANCY,
            evaluate=_organs,
        )
    ),
    register(
        Rule(
            id="MAL-CONSTITUTIONAL",
            title="Weight loss or night sweats",
            inputs=(S + "weight_loss", S + "night_sweats"),
            explanation="Constitutional symptoms must trigger the malignancy work-up even with a normal "
            "blood count.",
            source=C.LEUK_RES_2012 + "; " + C.LOUVIGNE_2020,
            group=V.MALIGNANCY,
            evaluate=_constitutional,
        )
    ),
    register(
        Rule(
            id="MAL-IMAGING",
            title="Cortical destruction or soft-tissue mass",
            inputs=(LES + "cortical_destruction", LES + "soft_tissue_mass"),
            explanation="Cortical destruction and a soft-tissue mass are imaging features of malignancy, "
            "not of CNO.",
            source=C.ZHAO_ACR_2020,
            group=V.MALIGNANCY,
            evaluate=_mal_imaging,
        )
    ),
    register(
        Rule(
            id="MAL-VERTEBRAL-COLLAPSE",
            title="Vertebral collapse, unifocal or with a cytopenia",
            inputs=(
                LES + "vertebral_collapse",
                "episode.lesions",
                L + "wbc_10e9_l",
                L + "neutrophils_10e9_l",
                L + "platelets_10e9_l",
                L + "hemoglobin_g_l",
            ),
            explanation="Vertebra plana has causes other than CNO (LCH, leukaemia); with unifocal disease "
            f"or a cytopenia (WBC < {WBC_LOW_10E9_L}, neutrophils < {NEUTROPHILS_LOW_10E9_L}, "
            f"platelets < {PLATELETS_LOW_10E9_L} or anaemia) it needs biopsy.",
            source=C.BAKY_2020,
            group=V.MALIGNANCY,
            evaluate=_collapse,
        )
    ),
    register(
        Rule(
            id="MAL-BIOPSY",
            title="Biopsy histology malignant or LCH",
            inputs=(B + "histology",),
            explanation="A biopsy showing malignancy or LCH settles the differential.",
            source=C.RODERICK_2016,
            group=V.MALIGNANCY,
            evaluate=_mal_biopsy,
        )
    ),
)


def _benign_biopsy(s: Snapshot) -> bool:
    return s.adequate_biopsy and s.histology in ("inflammatory", "nonspecific", "normal")


MAL_EXCLUDED = register(
    Rule(
        id="MAL-EXCLUDED-BIOPSY",
        title="Adequate biopsy with benign histology",
        inputs=BIOPSY_INPUTS,
        explanation="An adequate biopsy with inflammatory, nonspecific or normal histology excludes "
        "malignancy (as fixed by the contract).",
        source=C.RODERICK_2016,
        group=V.MALIGNANCY,
        evaluate=_benign_biopsy,
    )
)


def _under_6_months(s: Snapshot) -> str | None:
    if s.age_known and s.who_cutoff is None:
        return (
            f"Haemoglobin cannot be judged against a WHO cut-off under {WHO_MIN_AGE_MONTHS} months of age: "
            "compare it with the laboratory's infant reference range (malignancy screening incomplete)."
        )
    return None


MAL_HB_UNDER_6M = register(
    Rule(
        id="MAL-HB-UNDER-6-MONTHS",
        title=f"Haemoglobin not assessable under {WHO_MIN_AGE_MONTHS} months",
        inputs=("patient.birth_date", "episode.age_years"),
        explanation=f"WHO gives no anaemia cut-off under {WHO_MIN_AGE_MONTHS} months, so the anaemia "
        "screen cannot be completed automatically.",
        source=C.WHO_2011,
        group=V.MALIGNANCY,
        evaluate=_under_6_months,
    )
)


_MAL_SCREENING_LABS = ("wbc_10e9_l", "neutrophils_10e9_l", "hemoglobin_g_l", "platelets_10e9_l")
# Ruleset 2026.12: the examination is screening data (organomegaly or nodes: OR 154 for leukaemia).
_MAL_SCREENING_EXAMINATION = ("hepatomegaly", "splenomegaly", "lymphadenopathy")


def _missing_malignancy(s: Snapshot) -> list[str]:
    labs = s.labs
    missing = [L + k for k in _MAL_SCREENING_LABS if labs[k] is None]
    if not s.age_known:
        missing.append(AGE_PATH)  # haemoglobin cannot be judged without an age
    # An LDH without its upper limit counts as unknown: name whichever of the pair is absent.
    missing += [L + k for k in ("ldh_u_l", "ldh_uln_u_l") if labs[k] is None]
    missing += [F + k for k in _MAL_SCREENING_EXAMINATION if s.findings[k] is None]
    return missing


MAL_SCREENING = register(
    Rule(
        id="MAL-SCREENING",
        title="Malignancy screening data",
        inputs=(
            *(L + k for k in _MAL_SCREENING_LABS),
            L + "ldh_u_l",
            L + "ldh_uln_u_l",
            "patient.birth_date",
            *(F + k for k in _MAL_SCREENING_EXAMINATION),
        ),
        explanation="Malignancy can only be called free of red flags when WBC, neutrophils, haemoglobin "
        "(with an age to judge it), platelets, LDH with its laboratory upper limit, and the examination of "
        "liver, spleen and lymph nodes are known: organomegaly or nodes are the strongest single "
        "discriminator of leukaemia (OR 154), so an examination not recorded keeps malignancy incomplete.",
        source=C.JONES_2006 + "; " + C.LOUVIGNE_2020,
        group=V.MALIGNANCY,
        evaluate=_missing_malignancy,
    )
)
MALIGNANCY = Differential(
    name=V.MALIGNANCY,
    red_flags=MALIGNANCY_FLAGS,
    notes=(MAL_HB_UNDER_6M,),
    exclusion=MAL_EXCLUDED,
    screening=MAL_SCREENING,
)


# ===== hypophosphatasia ===================================================================================
def _alp(s: Snapshot) -> str | None:
    alp, lln = s.labs["alp_u_l"], s.labs["alp_lln_u_l"]
    if alp is not None and lln is not None and alp < lln:
        return (
            f"ALP {_g(alp)} U/L is below the laboratory lower limit of {_g(lln)} U/L: hypophosphatasia not "
            "excluded; consider pyridoxal-5'-phosphate and ALPL genetics."
        )
    return None


HPP_FLAGS = (
    register(
        Rule(
            id="HPP-ALP-LOW",
            title="ALP below the laboratory lower limit",
            inputs=(L + "alp_u_l", L + "alp_lln_u_l"),
            explanation="Hypophosphatasia mimics CRMO; a low ALP for age and sex needs work-up. Judged only "
            "against the reporting laboratory's lower limit (ALP is strongly age dependent).",
            source=C.WHYTE_2009,
            group=V.HYPOPHOSPHATASIA,
            evaluate=_alp,
        )
    ),
)


def _missing_hpp(s: Snapshot) -> list[str]:
    return [L + k for k in ("alp_u_l", "alp_lln_u_l") if s.labs[k] is None]


HPP_SCREENING = register(
    Rule(
        id="HPP-SCREENING",
        title="Hypophosphatasia screening data",
        inputs=(L + "alp_u_l", L + "alp_lln_u_l"),
        explanation="Hypophosphatasia can only be judged with an ALP and the laboratory's lower limit; a "
        "value without its limit counts as unknown.",
        source=C.WHYTE_2009,
        group=V.HYPOPHOSPHATASIA,
        evaluate=_missing_hpp,
    )
)


def _alp_not_low(s: Snapshot) -> bool:
    alp, lln = s.labs["alp_u_l"], s.labs["alp_lln_u_l"]
    return alp is not None and lln is not None and alp >= lln


HPP_EXCLUDED = register(
    Rule(
        id="HPP-EXCLUDED-ALP",
        title="ALP at or above its lower limit",
        inputs=(L + "alp_u_l", L + "alp_lln_u_l"),
        explanation="An ALP at or above the laboratory's lower limit excludes hypophosphatasia (as fixed "
        "by the contract).",
        source=C.WHYTE_2009,
        group=V.HYPOPHOSPHATASIA,
        evaluate=_alp_not_low,
    )
)
HYPOPHOSPHATASIA = Differential(
    name=V.HYPOPHOSPHATASIA, red_flags=HPP_FLAGS, exclusion=HPP_EXCLUDED, screening=HPP_SCREENING
)


# ===== scurvy =============================================================================================
def _vitc(s: Snapshot) -> str | None:
    if s.labs["vitamin_c_low"] is True:
        return "Low vitamin C: scurvy not excluded; it mimics CNO; consider vitamin C replacement."
    return None


def _scurvy_clinical(s: Snapshot) -> str | None:
    if s.labs["vitamin_c_low"] is not None:
        return None
    seen = [
        k.replace("_", " ")
        for k in ("restricted_diet", "bruising_or_purpura", "gum_bleeding")
        if s.findings[k] is True
    ]
    if seen:
        return (
            f"{', '.join(seen).capitalize()} with vitamin C unknown: scurvy not excluded; consider a plasma "
            "vitamin C level before diagnosing CNO."
        )
    return None


SCURVY_FLAGS = (
    register(
        Rule(
            id="SCU-VITC-LOW",
            title="Vitamin C low",
            inputs=(L + "vitamin_c_low",),
            explanation="Vitamin C deficiency is an exclusion criterion for CNO.",
            source=C.SCURVY,
            group=V.SCURVY,
            evaluate=_vitc,
        )
    ),
    register(
        Rule(
            id="SCU-CLINICAL",
            title="Scurvy clues with vitamin C unknown",
            inputs=(
                L + "vitamin_c_low",
                F + "restricted_diet",
                F + "bruising_or_purpura",
                F + "gum_bleeding",
            ),
            explanation="A restricted diet, bruising or purpura, or gum bleeding call for a vitamin C level.",
            source=C.SCURVY,
            group=V.SCURVY,
            evaluate=_scurvy_clinical,
        )
    ),
)


def _missing_scurvy(s: Snapshot) -> list[str]:
    return [] if s.findings["restricted_diet"] is not None else [F + "restricted_diet"]


SCU_SCREENING = register(
    Rule(
        id="SCU-SCREENING",
        title="Scurvy screening data",
        inputs=(F + "restricted_diet",),
        explanation="Without a vitamin C level, scurvy can only be called free of red flags when the diet is "
        "known not to be restricted.",
        source=C.SCURVY,
        group=V.SCURVY,
        evaluate=_missing_scurvy,
    )
)


def _vitc_not_low(s: Snapshot) -> bool:
    return s.labs["vitamin_c_low"] is False


SCU_EXCLUDED = register(
    Rule(
        id="SCU-EXCLUDED-VITC",
        title="Vitamin C known not low",
        inputs=(L + "vitamin_c_low",),
        explanation="A vitamin C level that is not low excludes scurvy.",
        source=C.SCURVY,
        group=V.SCURVY,
        evaluate=_vitc_not_low,
    )
)
SCURVY = Differential(name=V.SCURVY, red_flags=SCURVY_FLAGS, exclusion=SCU_EXCLUDED, screening=SCU_SCREENING)


# ===== monogenic ==========================================================================================
def _onset3(s: Snapshot) -> str | None:
    if not s.onset_under_3:
        return None
    if s.age_at_onset_years is not None:
        when = f"Onset at {s.age_at_onset_years:.1f} years (under {EARLY_ONSET_YEARS})"
    else:  # no onset recorded, but assessed before 3 years: the onset cannot have come later
        when = f"Assessed at {s.age_years:.1f} years, so onset under {EARLY_ONSET_YEARS}"
    return (
        f"{when}: monogenic autoinflammatory bone disease (Majeed syndrome LPIN2, DIRA IL1RN) not "
        "excluded; consider genetic testing."
    )


def _neonatal(s: Snapshot) -> str | None:
    if s.findings["neonatal_pustulosis"] is True:
        return "Neonatal pustulosis: consider DIRA (IL1RN)."
    return None


def _family(s: Snapshot) -> str | None:
    if s.findings["consanguinity_or_affected_sibling"] is True:
        return (
            "Consanguinity or an affected sibling: a recessive monogenic form (Majeed, DIRA) is not "
            "excluded; consider genetic testing."
        )
    return None


MONOGENIC_FLAGS = (
    register(
        Rule(
            id="MONO-ONSET-UNDER-3",
            title=f"Onset before {EARLY_ONSET_YEARS} years",
            inputs=AGE_INPUTS,
            explanation=f"Non-genetic CNO is rare before {EARLY_ONSET_YEARS} years; early onset should "
            "prompt consideration of monogenic forms.",
            source=C.MONOGENIC + "; " + C.EULAR_ACR_2025,
            group=V.MONOGENIC,
            evaluate=_onset3,
        )
    ),
    register(
        Rule(
            id="MONO-NEONATAL-PUSTULOSIS",
            title="Neonatal pustulosis",
            inputs=(F + "neonatal_pustulosis",),
            explanation="Neonatal pustulosis with multifocal osteomyelitis suggests DIRA.",
            source=C.MONOGENIC,
            group=V.MONOGENIC,
            evaluate=_neonatal,
        )
    ),
    register(
        Rule(
            id="MONO-FAMILY",
            title="Consanguinity or affected sibling",
            inputs=(F + "consanguinity_or_affected_sibling",),
            explanation="Majeed syndrome and DIRA are autosomal recessive; consanguinity or an affected "
            "sibling raises their likelihood.",
            source=C.MONOGENIC,
            group=V.MONOGENIC,
            evaluate=_family,
        )
    ),
)


def _missing_monogenic(s: Snapshot) -> list[str]:
    # The input that would make the age at onset known: the onset date, the age at onset or the birth date.
    return [] if s.onset_under_3 is not None else [s.onset_missing_path or AGE_PATH]


MONO_SCREENING = register(
    Rule(
        id="MONO-SCREENING",
        title="Monogenic screening data",
        inputs=AGE_INPUTS,
        explanation="The age at onset must be known (birth and onset dates, or the age at onset) to screen "
        "for monogenic forms; without an onset it is unknown, never taken at assessment, unless the child "
        f"was assessed before {EARLY_ONSET_YEARS} years. Monogenic forms are never excluded by the engine.",
        source=C.MONOGENIC,
        group=V.MONOGENIC,
        evaluate=_missing_monogenic,
    )
)
MONOGENIC = Differential(
    name=V.MONOGENIC, red_flags=MONOGENIC_FLAGS, exclusion=None, screening=MONO_SCREENING
)

DIFFERENTIALS: tuple[Differential, ...] = (INFECTION, MALIGNANCY, HYPOPHOSPHATASIA, SCURVY, MONOGENIC)


# ===== biopsy =============================================================================================
# Each reason is decided by its own rule; vocabulary.BIOPSY_REASONS names the rule of each reason code.
def _unifocal_non_clavicular(s: Snapshot, differentials: DifferentialResults) -> bool:
    return s.bones_involved == 1 and not s.clavicle_alone


def _crp_at_least_30(s: Snapshot, differentials: DifferentialResults) -> bool:
    crp = s.labs["crp_mg_l"]
    return crp is not None and crp >= CRP_RAISED_MG_L


def _infection_concern(s: Snapshot, differentials: DifferentialResults) -> bool:
    return differentials[V.INFECTION]["status"] == V.CONCERN


def _malignancy_concern(s: Snapshot, differentials: DifferentialResults) -> bool:
    return differentials[V.MALIGNANCY]["status"] == V.CONCERN


def _age_under_3(s: Snapshot, differentials: DifferentialResults) -> bool:
    return s.onset_under_3 is True


def _ill_appearance(s: Snapshot, differentials: DifferentialResults) -> bool:
    return s.symptoms["ill_appearance"] is True


BIOPSY_REASON_RULES: tuple[Rule[ReasonCheck], ...] = (
    register(
        Rule(
            id="BIOPSY-UNIFOCAL",
            title="Unifocal disease outside the clavicle",
            inputs=("episode.lesions",),
            explanation="In a child with a unifocal lesion other than the clavicle, MRI-guided biopsy with "
            "cultures and pathology is strongly recommended (Bristol criterion 2).",
            source=C.ZHAO_2017 + "; " + C.RODERICK_2016,
            group=V.BIOPSY,
            evaluate=_unifocal_non_clavicular,
        )
    ),
    register(
        Rule(
            id="BIOPSY-CRP-30",
            title=f"CRP of {CRP_RAISED_MG_L} mg/L or more",
            inputs=(L + "crp_mg_l",),
            explanation=f"A CRP of {CRP_RAISED_MG_L} mg/L or more sends the case down the Bristol biopsy "
            "route.",
            source=C.RODERICK_2016,
            group=V.BIOPSY,
            evaluate=_crp_at_least_30,
        )
    ),
    register(
        Rule(
            id="BIOPSY-INFECTION",
            title="Infection concern",
            inputs=("differentials.infection",),
            explanation="Any infection red flag calls for biopsy with bacterial, fungal and mycobacterial "
            "cultures.",
            source=C.ZHAO_2017,
            group=V.BIOPSY,
            evaluate=_infection_concern,
        )
    ),
    register(
        Rule(
            id="BIOPSY-MALIGNANCY",
            title="Malignancy concern",
            inputs=("differentials.malignancy",),
            explanation="Any malignancy red flag calls for histology (and, for leukaemia, bone-marrow "
            "examination).",
            source=C.ZHAO_2017,
            group=V.BIOPSY,
            evaluate=_malignancy_concern,
        )
    ),
    register(
        Rule(
            id="BIOPSY-AGE-UNDER-3",
            title=f"Onset before {EARLY_ONSET_YEARS} years",
            inputs=AGE_INPUTS,
            explanation=f"Atypical age (onset before {EARLY_ONSET_YEARS} years) was a reason for biopsy in "
            "the Bristol cohort.",
            source=C.RODERICK_2016,
            group=V.BIOPSY,
            evaluate=_age_under_3,
        )
    ),
    register(
        Rule(
            id="BIOPSY-ILL-APPEARANCE",
            title="Ill appearance",
            inputs=(S + "ill_appearance",),
            explanation="An ill-appearing child needs biopsy with cultures and pathology review.",
            source=C.ZHAO_2017,
            group=V.BIOPSY,
            evaluate=_ill_appearance,
        )
    ),
)
# (reason code, rule) in contract order: the code comes from the vocabulary, found by the rule's id.
BIOPSY_REASONS: tuple[tuple[str, Rule[ReasonCheck]], ...] = tuple(
    (term.code, REGISTRY[term.rule]) for term in V.BIOPSY_REASONS
)


def _adequate(s: Snapshot) -> bool:
    return s.adequate_biopsy  # the contract's derived quantity, computed once in build_snapshot


BIOPSY_ADEQUATE = register(
    Rule(
        id="BIOPSY-ADEQUATE",
        title="Adequate biopsy on file",
        inputs=BIOPSY_INPUTS,
        explanation="A biopsy is adequate when histology is reported, a culture was done and it was taken "
        "off antibiotics; then no new biopsy is recommended (reasons are still listed).",
        source=C.RODERICK_2016,
        group=V.BIOPSY,
        evaluate=_adequate,
    )
)


# ===== Bristol ============================================================================================
# Decided in order (BRISTOL_RULES): the first rule to name a status decides it (criterion 2 always does).
_NOT_CNO_HISTOLOGY = ("malignant", "lch")


def _bristol_applicable(s: Snapshot, differentials: DifferentialResults) -> str | None:
    sym = s.symptoms
    if not s.lesions or (sym["bone_pain"] is not True and sym["local_swelling"] is not True):
        return V.NOT_APPLICABLE
    return None


def _bristol_histology(s: Snapshot, differentials: DifferentialResults) -> str | None:
    # Adequate or not: a malignant histology is never outweighed by a typical clinical picture.
    return V.NOT_MET if s.histology in _NOT_CNO_HISTOLOGY else None


def _bristol_crp_known(s: Snapshot, differentials: DifferentialResults) -> str | None:
    return V.INSUFFICIENT_DATA if s.labs["crp_mg_l"] is None else None


def _bristol_c1(s: Snapshot, differentials: DifferentialResults) -> str | None:
    crp = s.labs["crp_mg_l"]
    if (
        (s.bones_involved > 1 or s.clavicle_alone)
        and crp is not None
        and crp < CRP_RAISED_MG_L
        and not s.fever_shown
        and s.any_typical_lesion
        # Roderick's "typical clinical findings": bone pain without significant systemic features, so a
        # leukaemia picture never reads "supports CNO without biopsy" (ruleset 2026.12).
        and differentials[V.INFECTION]["status"] != V.CONCERN
        and differentials[V.MALIGNANCY]["status"] != V.CONCERN
    ):
        return V.CRITERION_1_MET
    return None


def _bristol_c2(s: Snapshot, differentials: DifferentialResults) -> str:
    if s.adequate_biopsy:
        if s.histology == "inflammatory" and s.culture == "no_growth":
            return V.CRITERION_2_MET
        return V.NOT_MET
    return V.BIOPSY_REQUIRED


BRISTOL_APPLICABLE = register(
    Rule(
        id="BRISTOL-APPLICABLE",
        title="Bristol criteria applicable",
        inputs=("episode.lesions", S + "bone_pain", S + "local_swelling"),
        explanation="The Bristol criteria apply to bone pain or local swelling with at least one imaged "
        "lesion.",
        source=C.RODERICK_2016,
        group=V.BRISTOL,
        evaluate=_bristol_applicable,
    )
)
BRISTOL_HISTOLOGY = register(
    Rule(
        id="BRISTOL-NOT-CNO-HISTOLOGY",
        title="Biopsy histology malignant or LCH",
        inputs=(B + "histology",),
        explanation="A biopsy on file showing malignant or LCH histology, adequate or not, means the "
        "criteria are not met: a malignant histology is never outweighed by a typical clinical picture.",
        source=C.RODERICK_2016 + "; " + C.CONTRACT,
        group=V.BRISTOL,
        evaluate=_bristol_histology,
    )
)
BRISTOL_CRP_KNOWN = register(
    Rule(
        id="BRISTOL-CRP-KNOWN",
        title="CRP known",
        inputs=(L + "crp_mg_l",),
        explanation="Without a CRP the Bristol criteria cannot be evaluated (insufficient data).",
        source=C.RODERICK_2016,
        group=V.BRISTOL,
        evaluate=_bristol_crp_known,
    )
)
BRISTOL_C1 = register(
    Rule(
        id="BRISTOL-C1",
        title="Bristol criterion 1",
        inputs=(
            "episode.lesions",
            L + "crp_mg_l",
            S + "fever",
            S + "max_temperature_c",
            "differentials.infection",
            "differentials.malignancy",
        ),
        explanation=f"More than one bone (or the clavicle alone), CRP < {CRP_RAISED_MG_L} mg/L, no fever, "
        "typical imaging (MRI marrow oedema; or X-ray/CT lysis, sclerosis, periosteal reaction or "
        "hyperostosis), and neither infection nor malignancy a concern (typical clinical findings: bone "
        "pain without significant systemic features): supports CNO without biopsy.",
        source=C.RODERICK_2016,
        group=V.BRISTOL,
        evaluate=_bristol_c1,
    )
)
BRISTOL_C2 = register(
    Rule(
        id="BRISTOL-C2",
        title="Bristol criterion 2",
        inputs=BIOPSY_INPUTS,
        explanation="Otherwise an adequate biopsy showing inflammatory histology with no growth, taken off "
        "antibiotics, is required.",
        source=C.RODERICK_2016,
        group=V.BRISTOL,
        evaluate=_bristol_c2,
    )
)
BRISTOL_RULES: tuple[Rule[BristolCheck], ...] = (
    BRISTOL_APPLICABLE,
    BRISTOL_HISTOLOGY,
    BRISTOL_CRP_KNOWN,
    BRISTOL_C1,
    BRISTOL_C2,
)


# ===== Jansson clinical score =============================================================================
def _normal_blood_count(s: Snapshot) -> bool | None:
    return s.normal_blood_count


def _symmetric(s: Snapshot) -> bool | None:
    return s.symmetric


def _sclerosis(s: Snapshot) -> bool | None:
    return "sclerosis" in s.features


def _normal_temperature(s: Snapshot) -> bool | None:
    return s.normal_body_temperature


def _site(s: Snapshot) -> bool | None:
    return s.jansson_site


def _multiple(s: Snapshot) -> bool | None:
    return len(s.lesions) > 1


def _crp10(s: Snapshot) -> bool | None:
    crp = s.labs["crp_mg_l"]
    return None if crp is None else crp >= JANSSON_CRP_MG_L


JANSSON_ITEM_RULES: tuple[Rule[ItemCheck], ...] = (
    register(
        Rule(
            id="JANSSON-NBC",
            title=f"Normal blood count ({JANSSON_POINTS_NORMAL_BLOOD_COUNT} points)",
            inputs=(L + "wbc_10e9_l", L + "hemoglobin_g_l", L + "platelets_10e9_l", "patient.birth_date"),
            explanation=f"WBC {WBC_LOW_10E9_L}–{WBC_HIGH_10E9_L} ×10⁹/L, haemoglobin at or above the WHO "
            f"cut-off, platelets {PLATELETS_LOW_10E9_L}–{PLATELETS_HIGH_10E9_L} ×10⁹/L (OR 81.5); unknown "
            "when any of the three is unknown.",
            source=C.JANSSON_2009,
            group=V.JANSSON,
            evaluate=_normal_blood_count,
        )
    ),
    register(
        Rule(
            id="JANSSON-SYMMETRIC",
            title=f"Symmetric lesions ({JANSSON_POINTS_SYMMETRIC_LESIONS} points)",
            inputs=("episode.lesions",),
            explanation="Some site has lesions on both the left and the right (OR 30.0).",
            source=C.JANSSON_2009,
            group=V.JANSSON,
            evaluate=_symmetric,
        )
    ),
    register(
        Rule(
            id="JANSSON-SCLEROSIS",
            title=f"Marginal sclerosis ({JANSSON_POINTS_MARGINAL_SCLEROSIS} points)",
            inputs=(LES + "sclerosis",),
            explanation="Any lesion with marginal sclerosis (OR 26.8).",
            source=C.JANSSON_2009,
            group=V.JANSSON,
            evaluate=_sclerosis,
        )
    ),
    register(
        Rule(
            id="JANSSON-TEMPERATURE",
            title=f"Normal body temperature ({JANSSON_POINTS_NORMAL_BODY_TEMPERATURE} points)",
            inputs=(S + "fever", S + "max_temperature_c"),
            explanation=f"No fever reported and maximum temperature below {FEVER_C} °C (OR 20.3); unknown "
            "when both are unknown.",
            source=C.JANSSON_2009,
            group=V.JANSSON,
            evaluate=_normal_temperature,
        )
    ),
    register(
        Rule(
            id="JANSSON-SITE",
            title="Vertebral, clavicular or sternal lesion "
            f"({JANSSON_POINTS_VERTEBRAL_CLAVICULAR_OR_STERNAL} points)",
            inputs=(LES + "site",),
            explanation="A lesion of the spine, clavicle or sternum (OR 13.9).",
            source=C.JANSSON_2009,
            group=V.JANSSON,
            evaluate=_site,
        )
    ),
    register(
        Rule(
            id="JANSSON-MULTIPLE",
            title=f"More than one lesion ({JANSSON_POINTS_MORE_THAN_ONE_LESION} points)",
            inputs=("episode.lesions",),
            explanation="More than one radiologically proven lesion, counted as lesion entries, not bones "
            "(OR 10.9).",
            source=C.JANSSON_2009,
            group=V.JANSSON,
            evaluate=_multiple,
        )
    ),
    register(
        Rule(
            id="JANSSON-CRP-10",
            title=f"CRP of {JANSSON_CRP_MG_L} mg/L or more ({JANSSON_POINTS_CRP_AT_LEAST_10} points)",
            inputs=(L + "crp_mg_l",),
            explanation=f"CRP ≥ {JANSSON_CRP_MG_L} mg/L adds points because the comparison group included "
            "benign bone tumours (OR 6.9).",
            source=C.JANSSON_2009,
            group=V.JANSSON,
            evaluate=_crp10,
        )
    ),
)
# (item key, points, rule) in contract order: key and points come from the vocabulary, found by rule id.
JANSSON_ITEMS: tuple[tuple[str, int, Rule[ItemCheck]], ...] = tuple(
    (item.code, item.weight, REGISTRY[item.rule]) for item in V.JANSSON_ITEMS
)


def _jansson_verdict(s: Snapshot, points: int, possible: int) -> tuple[bool, bool | None]:
    """(applicable, supports_nbo) from the points of known items and the points if every unknown item
    turned out present."""
    applicable = s.age_at_most_3 is not True  # unknown age: applicable, the caller sees the age is missing
    if not applicable:
        return False, None  # the score was derived in older patients: no verdict either way
    if points >= JANSSON_THRESHOLD:
        return True, True
    if possible < JANSSON_THRESHOLD:
        return True, False
    return True, None


JANSSON_RESULT = register(
    Rule(
        id="JANSSON-THRESHOLD",
        title="Jansson score supports NBO",
        inputs=("patient.birth_date", "episode.assessed_on", "episode.age_years"),
        explanation=f"A score of {JANSSON_THRESHOLD} or more (of {JANSSON_MAX}) supports nonbacterial "
        "osteitis (PPV 97%, sensitivity 68%); derived in patients older than "
        f"{JANSSON_MIN_AGE_YEARS} years, so not applicable at {JANSSON_MIN_AGE_YEARS} years or less. "
        f"Below {JANSSON_THRESHOLD} it does not discriminate.",
        source=C.JANSSON_2009,
        group=V.JANSSON,
        evaluate=_jansson_verdict,
    )
)


# ===== EULAR/ACR 2025 classification gate =================================================================
# Research classification criteria, not diagnosis: only the gate is computed (the item weights are not yet
# verified, so no score is given).
def _eular_entry_items(s: Snapshot) -> tuple[bool | None, ...]:
    duration = s.symptom_duration_days
    return (
        s.onset_under_18,
        s.symptoms["bone_pain"],
        None if duration is None else duration >= EULAR_MIN_DURATION_DAYS,
        # The lesion list is always known: no lesion, or none typical, is a known "no".
        s.any_typical_radiograph_or_mri,
    )


def _eular_entry(s: Snapshot, differentials: DifferentialResults) -> str:
    items = _eular_entry_items(s)
    if False in items:
        return V.NOT_MET
    return V.MET if all(item is True for item in items) else V.UNKNOWN


def _eular_exclusions(s: Snapshot, differentials: DifferentialResults) -> str:
    statuses = [differentials[d]["status"] for d in V.EULAR_EXCLUDED_DIFFERENTIALS]
    if V.CONCERN in statuses:
        return V.NOT_CLEARED
    return V.CLEARED if all(st in V.SETTLED_STATUSES for st in statuses) else V.UNKNOWN


def _eular_status(entry: str, exclusions: str) -> str:
    if entry == V.NOT_MET:
        return V.ENTRY_NOT_MET
    if exclusions == V.NOT_CLEARED:
        return V.MIMIC_NOT_EXCLUDED
    if entry == V.MET and exclusions == V.CLEARED:
        return V.ELIGIBLE_FOR_SCORING
    return V.EULAR_INCOMPLETE


EULAR_ENTRY = register(
    Rule(
        id="EULAR-ENTRY",
        title="EULAR/ACR 2025 entry criterion",
        inputs=(
            *AGE_INPUTS,
            S + "bone_pain",
            "episode.lesions",
            LES + "modality",
            LES + "marrow_oedema",
        ),
        explanation=f"Met when the age at onset is under {EULAR_ONSET_BEFORE_YEARS} years, bone pain is "
        f"present, symptoms have lasted at least {EULAR_MIN_DURATION_DAYS} days (6 weeks) and at least one "
        "lesion is typical on radiograph or MRI (MRI marrow oedema; X-ray lysis, sclerosis, periosteal "
        "reaction or hyperostosis); not met when any of these is known to be absent (no lesion counts as "
        "none typical); otherwise unknown.",
        source=C.EULAR_ACR_2025,
        group=V.EULAR_ACR_2025,
        evaluate=_eular_entry,
    )
)
EULAR_EXCLUSIONS = register(
    Rule(
        id="EULAR-EXCLUSIONS",
        title="EULAR/ACR 2025 exclusions",
        inputs=tuple(f"differentials.{d}" for d in V.EULAR_EXCLUDED_DIFFERENTIALS),
        explanation="Malignancy, infection, vitamin C deficiency and hypophosphatasia must be ruled out: "
        "not cleared when any is a concern, cleared when all four are excluded or free of red flags, "
        "otherwise unknown.",
        source=C.EULAR_ACR_2025,
        group=V.EULAR_ACR_2025,
        evaluate=_eular_exclusions,
    )
)
EULAR_STATUS = register(
    Rule(
        id="EULAR-STATUS",
        title="EULAR/ACR 2025 gate",
        inputs=("eular_acr_2025.entry", "eular_acr_2025.exclusions"),
        explanation="Research classification criteria, not diagnosis. Entry not met; else a mimic not "
        "excluded; else eligible for scoring when entry is met and the mimics cleared; else incomplete. The "
        "published item weights are not yet verified, so no score is given.",
        source=C.EULAR_ACR_2025,
        group=V.EULAR_ACR_2025,
        evaluate=_eular_status,
    )
)


def rule_catalogue() -> list[dict[str, Any]]:
    """All rules in registration order (stable): infection, malignancy, hypophosphatasia, scurvy, monogenic,
    biopsy, Bristol, Jansson, EULAR/ACR 2025; then the activity summary's spine and treatment prompts."""
    # The prompts are catalogued, never assessed: they stay out of REGISTRY (every rule there is evaluated).
    return [rule.as_dict() for rule in REGISTRY.values()] + [prompt.as_dict() for prompt in PROMPTS]
