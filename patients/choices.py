"""Enumerations and field groups of the case contract (the cno-case/1 contract).

The names are the contract's; models, forms, the case-document conversion and the API use them from here.
"""

from django.db import models

from exclusion.engine import schema as contract


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


# The field groups and plausible ranges come from the engine's contract tables, so the database, the forms
# and the engine can never disagree about what a valid value is.
SYMPTOM_FIELDS = tuple(contract.SYMPTOMS)
FINDING_FIELDS = tuple(contract.FINDINGS)
LAB_FIELDS = tuple(contract.LABS)
ACTIVITY_FIELDS = tuple(contract.ACTIVITY)
LESION_FEATURES = tuple(contract.LESION_FEATURES)
LEVEL_MAX_LENGTH = contract.LEVEL_MAX_LEN

# Inclusive ranges of every numeric field; the database enforces them too.
RANGES = {
    name: (spec[1], spec[2])
    for group in (contract.SYMPTOMS, contract.LABS, contract.ACTIVITY)
    for name, spec in group.items()
    if spec[0] == "num"
}
RANGES["age_years"] = RANGES["age_at_onset_years"] = contract.AGE_RANGE

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


# Treatment courses (issue 14): what a child takes, never how much (no dose is recorded or suggested).
class DrugClass(models.TextChoices):
    NSAID = "nsaid", "NSAID"
    GLUCOCORTICOID = "glucocorticoid", "Glucocorticoid"
    METHOTREXATE = "methotrexate", "Methotrexate"
    SULFASALAZINE = "sulfasalazine", "Sulfasalazine"
    TNF_INHIBITOR = "tnf_inhibitor", "TNF inhibitor"
    BISPHOSPHONATE = "bisphosphonate", "Bisphosphonate"
    IL1_BLOCKER = "il1_blocker", "IL-1 blocker"
    JAK_INHIBITOR = "jak_inhibitor", "JAK inhibitor"
    OTHER = "other", "Other"


class StopReason(models.TextChoices):
    REMISSION = "remission", "Remission"
    INEFFICACY = "inefficacy", "Inefficacy"
    ADVERSE_EVENT = "adverse_event", "Adverse event"
    PATIENT_CHOICE = "patient_choice", "Patient or family choice"
    OTHER = "other", "Other"


# Bones with a left and a right: a lesion there needs its side (never a default), and "midline" would draw
# it between the legs. Every other site (skull, mandible, spine, sternum, sacrum, other) may be midline.
PAIRED_SITES = frozenset(
    (
        BoneSite.MAXILLA,
        BoneSite.CLAVICLE,
        BoneSite.SCAPULA,
        BoneSite.RIB,
        BoneSite.HUMERUS,
        BoneSite.RADIUS,
        BoneSite.ULNA,
        BoneSite.HAND,
        BoneSite.PELVIS,
        BoneSite.FEMUR,
        BoneSite.TIBIA,
        BoneSite.FIBULA,
        BoneSite.FOOT,
    )
)
