"""Field tables of the ``cno-case/1`` contract (the cno-case/1 contract), in contract order.

Everything here is plain data so that validation, the snapshot and the canonical form read the same tables
and can never disagree about a field name, an enumeration or a range.
"""

from __future__ import annotations

from typing import Any

SCHEMA_IN = "cno-case/1"
SCHEMA_OUT = "cno-assessment/1"

SEXES = ("female", "male", "other", "unknown")
SIDES = ("left", "right", "midline")
MODALITIES = ("mri", "xray", "ct", "bone_scan")
SITES = (
    "skull",
    "mandible",
    "maxilla",
    "clavicle",
    "sternum",
    "scapula",
    "rib",
    "humerus",
    "radius",
    "ulna",
    "hand",
    "spine_cervical",
    "spine_thoracic",
    "spine_lumbar",
    "sacrum",
    "pelvis",
    "femur",
    "tibia",
    "fibula",
    "foot",
    "other",
)
HISTOLOGIES = ("inflammatory", "nonspecific", "normal", "malignant", "lch")
CULTURES = ("no_growth", "growth", "not_done")
BLOOD_CULTURES = ("positive", "negative", "not_done")

# A field spec is ("bool",), ("num", low, high, unit) or ("enum", choices). Ranges are inclusive.
FieldSpec = tuple[Any, ...]
BOOL: FieldSpec = ("bool",)

SYMPTOMS: dict[str, FieldSpec] = {
    "bone_pain": BOOL,
    "local_swelling": BOOL,
    "night_pain": BOOL,
    "fever": BOOL,
    "max_temperature_c": ("num", 30, 45, "°C"),
    "weight_loss": BOOL,
    "night_sweats": BOOL,
    "ill_appearance": BOOL,
    "back_pain": BOOL,
}

FINDINGS: dict[str, FieldSpec] = {
    key: BOOL
    for key in (
        "hepatomegaly",
        "splenomegaly",
        "lymphadenopathy",
        "bruising_or_purpura",
        "gum_bleeding",
        "restricted_diet",
        "neonatal_pustulosis",
        "consanguinity_or_affected_sibling",
        "palmoplantar_pustulosis",
        "psoriasis",
        "severe_acne",
        "inflammatory_bowel_disease",
        "immunocompromised",
        "tb_exposure",
        "sustained_response_to_antibiotics_alone",
    )
}

LABS: dict[str, FieldSpec] = {
    "crp_mg_l": ("num", 0, 500, "mg/L"),
    "esr_mm_h": ("num", 0, 200, "mm/h"),
    "wbc_10e9_l": ("num", 0, 500, "×10⁹/L"),
    "neutrophils_10e9_l": ("num", 0, 500, "×10⁹/L"),
    "hemoglobin_g_l": ("num", 20, 250, "g/L"),
    "platelets_10e9_l": ("num", 0, 3000, "×10⁹/L"),
    "ldh_u_l": ("num", 0, 20000, "U/L"),
    "ldh_uln_u_l": ("num", 0, 20000, "U/L"),
    "alp_u_l": ("num", 0, 20000, "U/L"),
    "alp_lln_u_l": ("num", 0, 20000, "U/L"),
    "blasts_on_smear": BOOL,
    "vitamin_c_low": BOOL,
    "blood_culture": ("enum", BLOOD_CULTURES),
}

ACTIVITY: dict[str, FieldSpec] = {
    "pain_vas": ("num", 0, 10, "cm"),
    "patient_global_vas": ("num", 0, 10, "cm"),
    "physician_global_vas": ("num", 0, 10, "cm"),
    "chaq": ("num", 0, 3, ""),
}

LESION_FEATURES = (
    "marrow_oedema",
    "lytic",
    "sclerosis",
    "periosteal_reaction",
    "hyperostosis",
    "bone_expansion",
    "cortical_destruction",
    "soft_tissue_mass",
    "abscess",
    "sequestrum",
    "sinus_tract",
    "vertebral_collapse",
    "symptomatic",
    "active",
)
LESION_KEYS = frozenset(("site", "side", "modality", "level", *LESION_FEATURES))

BIOPSY_KEYS = ("histology", "culture", "on_antibiotics")
PATIENT_KEYS = frozenset(("sex", "birth_date"))
EPISODE_KEYS = frozenset(
    (
        "assessed_on",
        "onset_on",
        "age_years",
        "age_at_onset_years",
        "symptoms",
        "findings",
        "labs",
        "biopsy",
        "lesions",
        "activity",
        "imaging",
    )
)
# episode.imaging (from ruleset 2026.12): what imaging was done; null or absent means unknown.
IMAGING: dict[str, FieldSpec] = {"whole_body_mri": BOOL}
TOP_KEYS = frozenset(("schema", "patient", "episode"))

# Ages given as numbers (no birth date): a generous plausible range, the contract gives none.
AGE_RANGE = (0, 120)
# Level strings are labels such as "T7" or "6"; a bound keeps garbage out of the bone identity.
LEVEL_MAX_LEN = 20
# A whole-body MRI shows a median of 6 lesions, at most 27 in published series; more than this is an error.
MAX_LESIONS = 100

SPINE_SITES = frozenset(("spine_cervical", "spine_thoracic", "spine_lumbar"))
JANSSON_SITES = frozenset(("spine_cervical", "spine_thoracic", "spine_lumbar", "clavicle", "sternum"))
