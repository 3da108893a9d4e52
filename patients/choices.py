"""Enumerations and field groups of the case contract (shared/contract/case-v1.md).

The names are the contract's; models, forms, the case-document conversion and the API use them from here.
"""

from django.db import models


class Role(models.TextChoices):
    CLINICIAN = "clinician", "Clinician"
    REVIEWER = "reviewer", "Reviewer"
    SITE_ADMIN = "site_admin", "Site administrator"
    API_CLIENT = "api_client", "API client"


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Unknown"


class BloodCulture(models.TextChoices):
    POSITIVE = "positive", "Positive"
    NEGATIVE = "negative", "Negative"
    NOT_DONE = "not_done", "Not done"


class Histology(models.TextChoices):
    INFLAMMATORY = "inflammatory", "Inflammatory"
    NONSPECIFIC = "nonspecific", "Nonspecific"
    NORMAL = "normal", "Normal"
    MALIGNANT = "malignant", "Malignant"
    LCH = "lch", "Langerhans cell histiocytosis"


class BiopsyCulture(models.TextChoices):
    NO_GROWTH = "no_growth", "No growth"
    GROWTH = "growth", "Growth"
    NOT_DONE = "not_done", "Not done"


class Side(models.TextChoices):
    LEFT = "left", "Left"
    RIGHT = "right", "Right"
    MIDLINE = "midline", "Midline"


class Modality(models.TextChoices):
    MRI = "mri", "MRI"
    XRAY = "xray", "X-ray"
    CT = "ct", "CT"
    BONE_SCAN = "bone_scan", "Bone scan"


class BoneSite(models.TextChoices):
    SKULL = "skull", "Skull"
    MANDIBLE = "mandible", "Mandible"
    MAXILLA = "maxilla", "Maxilla"
    CLAVICLE = "clavicle", "Clavicle"
    STERNUM = "sternum", "Sternum"
    SCAPULA = "scapula", "Scapula"
    RIB = "rib", "Rib"
    HUMERUS = "humerus", "Humerus"
    RADIUS = "radius", "Radius"
    ULNA = "ulna", "Ulna"
    HAND = "hand", "Hand"
    SPINE_CERVICAL = "spine_cervical", "Cervical spine"
    SPINE_THORACIC = "spine_thoracic", "Thoracic spine"
    SPINE_LUMBAR = "spine_lumbar", "Lumbar spine"
    SACRUM = "sacrum", "Sacrum"
    PELVIS = "pelvis", "Pelvis"
    FEMUR = "femur", "Femur"
    TIBIA = "tibia", "Tibia"
    FIBULA = "fibula", "Fibula"
    FOOT = "foot", "Foot"
    OTHER = "other", "Other"


SYMPTOM_FIELDS = (
    "bone_pain",
    "local_swelling",
    "night_pain",
    "fever",
    "max_temperature_c",
    "weight_loss",
    "night_sweats",
    "ill_appearance",
    "back_pain",
)
FINDING_FIELDS = (
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
LAB_FIELDS = (
    "crp_mg_l",
    "esr_mm_h",
    "wbc_10e9_l",
    "neutrophils_10e9_l",
    "hemoglobin_g_l",
    "platelets_10e9_l",
    "ldh_u_l",
    "ldh_uln_u_l",
    "alp_u_l",
    "alp_lln_u_l",
    "blasts_on_smear",
    "vitamin_c_low",
    "blood_culture",
)
ACTIVITY_FIELDS = ("pain_vas", "patient_global_vas", "physician_global_vas", "chaq")
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

# Plausible ranges of the contract (inclusive); the database enforces them too.
RANGES = {
    "max_temperature_c": (30, 45),
    "crp_mg_l": (0, 500),
    "esr_mm_h": (0, 200),
    "wbc_10e9_l": (0, 500),
    "neutrophils_10e9_l": (0, 500),
    "hemoglobin_g_l": (20, 250),
    "platelets_10e9_l": (0, 3000),
    "ldh_u_l": (0, 20000),
    "ldh_uln_u_l": (0, 20000),
    "alp_u_l": (0, 20000),
    "alp_lln_u_l": (0, 20000),
    "pain_vas": (0, 10),
    "patient_global_vas": (0, 10),
    "physician_global_vas": (0, 10),
    "chaq": (0, 3),
    "age_years": (0, 25),
    "age_at_onset_years": (0, 25),
}

UNITS = {
    "max_temperature_c": "°C",
    "crp_mg_l": "mg/L",
    "esr_mm_h": "mm/h",
    "wbc_10e9_l": "×10⁹/L",
    "neutrophils_10e9_l": "×10⁹/L",
    "hemoglobin_g_l": "g/L",
    "platelets_10e9_l": "×10⁹/L",
    "ldh_u_l": "U/L",
    "ldh_uln_u_l": "U/L",
    "alp_u_l": "U/L",
    "alp_lln_u_l": "U/L",
    "pain_vas": "0–10",
    "patient_global_vas": "0–10",
    "physician_global_vas": "0–10",
    "chaq": "0–3",
}
