"""Every number a rule compares against, named once (the cno-case/1 contract; sources in citations.py).

Comparisons keep the contract's direction: "at least" is ``>=``, "below" is ``<``, "normal" ranges are
inclusive. Each constant is written in the type its texts print it in (30, but 38.0), so a rule text built
from it reads exactly as before.
"""

from __future__ import annotations

# --- infection and Bristol ----------------------------------------------------------------------------
CRP_RAISED_MG_L = (
    30  # Bristol: "significantly raised"; exactly 30 counts as raised (INF-CRP-30, BIOPSY-CRP-30)
)
FEVER_C = 38.0  # a measured temperature of at least this is fever

# --- blood count (malignancy, Jansson normal blood count) ---------------------------------------------
WBC_LOW_10E9_L = 4.0  # below: cytopenia (Jones 2006); also the lower limit of a normal count
WBC_HIGH_10E9_L = 13.5  # upper limit of a normal count (inclusive)
NEUTROPHILS_LOW_10E9_L = 2.0  # below: neutropenia (Louvigné 2020)
PLATELETS_LOW_10E9_L = 150  # below: thrombocytopenia; also the lower limit of a normal count
PLATELETS_HIGH_10E9_L = 450  # upper limit of a normal count (inclusive)
JONES_PLATELETS_HIGH_10E9_L = 250  # "low-normal" platelets of the Jones triad: 150-250 inclusive

# --- WHO anaemia cut-offs (g/L) -------------------------------------------------------------------------
WHO_MIN_AGE_MONTHS = 6  # WHO gives no cut-off below this age
# By age band in months, half-open [low, high). From 15 years (180 months) the cut-off depends on sex.
WHO_BANDS = ((6, 24, 105), (24, 60, 110), (60, 144, 115), (144, 180, 120))
WHO_ADULT = {"female": 120, "male": 130, "other": 120, "unknown": 120}

# --- ages -------------------------------------------------------------------------------------------------
EARLY_ONSET_YEARS = 3  # onset below: monogenic forms and a biopsy reason
JANSSON_MIN_AGE_YEARS = 3  # the score applies only above this age at assessment

# --- EULAR/ACR 2025 classification criteria (Zhao 2025): the obligatory entry criterion ------------------
EULAR_ONSET_BEFORE_YEARS = 18  # symptom onset before this age
EULAR_MIN_DURATION_DAYS = 42  # bone pain for at least 6 weeks

# --- Jansson clinical score (Jansson 2009): round(3 x ln(odds ratio)) points per item ---------------------
JANSSON_CRP_MG_L = 10  # CRP >= 1 mg/dL
JANSSON_POINTS_NORMAL_BLOOD_COUNT = 13  # OR 81.5
JANSSON_POINTS_SYMMETRIC_LESIONS = 10  # OR 30.0
JANSSON_POINTS_MARGINAL_SCLEROSIS = 10  # OR 26.8
JANSSON_POINTS_NORMAL_BODY_TEMPERATURE = 9  # OR 20.3
JANSSON_POINTS_VERTEBRAL_CLAVICULAR_OR_STERNAL = 8  # OR 13.9
JANSSON_POINTS_MORE_THAN_ONE_LESION = 7  # OR 10.9
JANSSON_POINTS_CRP_AT_LEAST_10 = 6  # OR 6.9
JANSSON_THRESHOLD = 39  # at least this many points support nonbacterial osteitis
JANSSON_MAX = (
    JANSSON_POINTS_NORMAL_BLOOD_COUNT
    + JANSSON_POINTS_SYMMETRIC_LESIONS
    + JANSSON_POINTS_MARGINAL_SCLEROSIS
    + JANSSON_POINTS_NORMAL_BODY_TEMPERATURE
    + JANSSON_POINTS_VERTEBRAL_CLAVICULAR_OR_STERNAL
    + JANSSON_POINTS_MORE_THAN_ONE_LESION
    + JANSSON_POINTS_CRP_AT_LEAST_10
)  # 63
