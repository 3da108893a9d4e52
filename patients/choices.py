"""Enumerations and field groups of the case contract (the cno-case/1 contract).

The names are the contract's; models, forms, the case-document conversion and the API use them from here.
"""

import enum
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models.enums import ChoicesType
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from exclusion.engine import schema as contract

if TYPE_CHECKING:
    # To the type checker these are text choices: django-stubs knows no metaclass but its own.
    TranslatedChoices = models.TextChoices
else:

    class _TranslatedChoicesType(ChoicesType):
        @property
        def choices(cls) -> list[tuple[str, Any]]:
            # The lazy labels themselves: fields and forms are built at import and show each request's
            # language.
            empty = [(None, cls.__empty__)] if hasattr(cls, "__empty__") else []
            return empty + [(member.value, member._label_) for member in cls]

    class TranslatedChoices(models.TextChoices, metaclass=_TranslatedChoicesType):
        """Text choices with translated labels: `.choices` keeps them lazy (read in each request's
        language); `.label` is plain text in the active language, so callers can join, lower-case and
        serialise it."""

        @enum.property
        def label(self) -> str:
            return str(self._label_)


class Role(TranslatedChoices):
    CLINICIAN = "clinician", _("Clinician")
    REVIEWER = "reviewer", _("Reviewer")
    SITE_ADMIN = "site_admin", _("Site administrator")
    API_CLIENT = "api_client", _("API client")


class Sex(TranslatedChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", pgettext_lazy("sex", "Other")
    UNKNOWN = "unknown", _("Unknown")


class BloodCulture(TranslatedChoices):
    POSITIVE = "positive", _("Positive")
    NEGATIVE = "negative", _("Negative")
    NOT_DONE = "not_done", _("Not done")


class Histology(TranslatedChoices):
    INFLAMMATORY = "inflammatory", _("Inflammatory")
    NONSPECIFIC = "nonspecific", _("Nonspecific")
    NORMAL = "normal", _("Normal")
    MALIGNANT = "malignant", _("Malignant")
    LCH = "lch", _("Langerhans cell histiocytosis")


class BiopsyCulture(TranslatedChoices):
    NO_GROWTH = "no_growth", _("No growth")
    GROWTH = "growth", _("Growth")
    NOT_DONE = "not_done", _("Not done")


class Side(TranslatedChoices):
    LEFT = "left", _("Left")
    RIGHT = "right", _("Right")
    MIDLINE = "midline", _("Midline")


class Modality(TranslatedChoices):
    MRI = "mri", _("MRI")
    XRAY = "xray", _("X-ray")
    CT = "ct", _("CT")
    BONE_SCAN = "bone_scan", _("Bone scan")


class BoneSite(TranslatedChoices):
    SKULL = "skull", _("Skull")
    MANDIBLE = "mandible", _("Mandible")
    MAXILLA = "maxilla", _("Maxilla")
    CLAVICLE = "clavicle", _("Clavicle")
    STERNUM = "sternum", _("Sternum")
    SCAPULA = "scapula", _("Scapula")
    RIB = "rib", _("Rib")
    HUMERUS = "humerus", _("Humerus")
    RADIUS = "radius", _("Radius")
    ULNA = "ulna", _("Ulna")
    HAND = "hand", _("Hand")
    SPINE_CERVICAL = "spine_cervical", _("Cervical spine")
    SPINE_THORACIC = "spine_thoracic", _("Thoracic spine")
    SPINE_LUMBAR = "spine_lumbar", _("Lumbar spine")
    SACRUM = "sacrum", _("Sacrum")
    PELVIS = "pelvis", _("Pelvis")
    FEMUR = "femur", _("Femur")
    TIBIA = "tibia", _("Tibia")
    FIBULA = "fibula", _("Fibula")
    FOOT = "foot", _("Foot")
    OTHER = "other", pgettext_lazy("bone site", "Other")


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

# The units shown beside the inputs (German writes a lower-case l: mg/l); lazy, read in the request's
# language.
_MG_L = pgettext_lazy("unit", "mg/L")
_G_L = pgettext_lazy("unit", "g/L")
_U_L = pgettext_lazy("unit", "U/L")
_CELLS_L = pgettext_lazy("unit", "×10⁹/L")
UNITS = {
    "max_temperature_c": "°C",
    "crp_mg_l": _MG_L,
    "esr_mm_h": "mm/h",
    "wbc_10e9_l": _CELLS_L,
    "neutrophils_10e9_l": _CELLS_L,
    "hemoglobin_g_l": _G_L,
    "platelets_10e9_l": _CELLS_L,
    "ldh_u_l": _U_L,
    "ldh_uln_u_l": _U_L,
    "alp_u_l": _U_L,
    "alp_lln_u_l": _U_L,
    "pain_vas": "0–10",
    "patient_global_vas": "0–10",
    "physician_global_vas": "0–10",
    "chaq": "0–3",
}


# Treatment courses (issue 14): what a child takes, never how much (no dose is recorded or suggested).
class DrugClass(TranslatedChoices):
    NSAID = "nsaid", _("NSAID")
    GLUCOCORTICOID = "glucocorticoid", _("Glucocorticoid")
    METHOTREXATE = "methotrexate", _("Methotrexate")
    SULFASALAZINE = "sulfasalazine", _("Sulfasalazine")
    TNF_INHIBITOR = "tnf_inhibitor", _("TNF inhibitor")
    BISPHOSPHONATE = "bisphosphonate", _("Bisphosphonate")
    IL1_BLOCKER = "il1_blocker", _("IL-1 blocker")
    JAK_INHIBITOR = "jak_inhibitor", _("JAK inhibitor")
    OTHER = "other", pgettext_lazy("drug class", "Other")


class StopReason(TranslatedChoices):
    REMISSION = "remission", _("Remission")
    INEFFICACY = "inefficacy", _("Inefficacy")
    ADVERSE_EVENT = "adverse_event", _("Adverse event")
    PATIENT_CHOICE = "patient_choice", _("Patient or family choice")
    OTHER = "other", pgettext_lazy("stop reason", "Other")


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
