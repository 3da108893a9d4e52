"""An immutable snapshot of one validated case, with the derived quantities of the contract.

Built once per assessment; every rule reads it and nothing else, so a rule cannot see raw input that the
contract does not define. ``None`` always means "unknown" and is never treated as "no".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import date
from types import MappingProxyType
from typing import Any

from . import vocabulary as V
from .schema import FINDINGS, JANSSON_SITES, LABS, SYMPTOMS
from .thresholds import (
    EARLY_ONSET_YEARS,
    EULAR_ONSET_BEFORE_YEARS,
    FEVER_C,
    JANSSON_MIN_AGE_YEARS,
    NEUTROPHILS_LOW_10E9_L,
    PLATELETS_HIGH_10E9_L,
    PLATELETS_LOW_10E9_L,
    WBC_HIGH_10E9_L,
    WBC_LOW_10E9_L,
    WHO_ADULT,
    WHO_BANDS,
    WHO_MIN_AGE_MONTHS,
)

_SYMPTOM_KEYS = tuple(SYMPTOMS)
_FINDING_KEYS = tuple(FINDINGS)
_LAB_KEYS = tuple(LABS)
_EMPTY: dict[str, Any] = {}
_CULTURE_DONE = frozenset(("no_growth", "growth"))

# Exact calendar arithmetic of the contract: years = days / 365.25 and months = days / 30.4375.
# 365.25 = 1461/4 and 30.4375 = 487/16, so comparisons are done on integers to avoid rounding at a boundary.
_YEAR_NUM, _YEAR_DEN = 1461, 4
_MONTH_NUM, _MONTH_DEN = 487, 16


@dataclass(frozen=True, slots=True)
class Lesion:
    site: str
    side: str
    modality: str
    level: str | None
    features: frozenset[str]

    @property
    def bone(self) -> tuple[str, str, str | None]:
        return (self.site, self.side, self.level)

    @property
    def typical(self) -> bool:
        """Typical CNO imaging in the Bristol sense (Roderick 2016) as fixed by the contract."""
        f = self.features
        if self.modality == "mri":
            return "marrow_oedema" in f
        if self.modality in ("xray", "ct"):
            return bool(f & _TYPICAL_PLAIN)
        return False

    @property
    def typical_on_radiograph_or_mri(self) -> bool:
        """Typical in the EULAR/ACR 2025 entry sense: as :attr:`typical`, but CT does not count."""
        return self.modality != "ct" and self.typical


_TYPICAL_PLAIN = frozenset(("lytic", "sclerosis", "periosteal_reaction", "hyperostosis"))


@dataclass(frozen=True, slots=True)
class Snapshot:
    sex: str
    birth_date: date | None
    assessed_on: date
    onset_on: date | None
    age_days: int | None  # from birth_date, when known
    onset_days: int | None  # from birth_date to onset_on, when both are known
    age_years: float | None
    age_at_onset_years: float | None  # None when the onset is unknown (never taken at assessment)
    symptom_duration_days: int | None  # from onset_on to assessed_on; None without onset_on
    # Every contract key of the section; the value is None when unknown (types as in schema.py).
    symptoms: Mapping[str, Any]
    findings: Mapping[str, Any]
    labs: Mapping[str, Any]
    biopsy_present: bool
    histology: str | None
    culture: str | None
    on_antibiotics: bool | None
    lesions: tuple[Lesion, ...]
    bones_involved: int
    focality: str
    symmetric: bool
    clavicle_alone: bool
    features: frozenset[str]  # imaging features seen on any lesion

    # --- derived quantities (computed once in build_snapshot; rules only read them) ---------------------
    age_known: bool
    onset_under_3: bool | None  # age at onset < EARLY_ONSET_YEARS (True too when assessed before then)
    onset_under_18: bool | None  # age at onset < EULAR_ONSET_BEFORE_YEARS
    onset_missing_path: str | None  # the input that would make an unknown age at onset known
    age_at_most_3: bool | None  # age at assessment <= JANSSON_MIN_AGE_YEARS (Jansson not applicable)
    who_cutoff: int | None  # WHO haemoglobin cut-off (g/L); None: age unknown or under WHO_MIN_AGE_MONTHS
    anaemia: bool | None
    normal_blood_count: bool | None
    fever_shown: bool  # fever reported or a temperature of at least FEVER_C
    temperature_known: bool
    normal_body_temperature: bool | None
    cytopenia: bool  # WBC, neutrophils or platelets below their low limit, or anaemia, known to be present
    adequate_biopsy: bool
    any_typical_lesion: bool
    any_typical_radiograph_or_mri: bool
    jansson_site: bool


# The generated __init__ of a frozen dataclass calls object.__setattr__ once per field, which made building
# the snapshot the slowest step of an assessment. Setting the slots through their descriptors once, at build
# time, is twice as fast; the instance is exactly as frozen afterwards (assignment still raises).
_SLOT_SETTERS: tuple[tuple[str, Callable[[Snapshot, object], None]], ...] = tuple(
    (f.name, Snapshot.__dict__[f.name].__set__) for f in fields(Snapshot)
)
_new = object.__new__


def _make_snapshot(values: dict[str, Any]) -> Snapshot:
    snapshot = _new(Snapshot)
    for name, setter in _SLOT_SETTERS:
        setter(snapshot, values[name])  # KeyError if build_snapshot forgets a field
    return snapshot


# The same for the lesions (one per lesion entry); the field order is checked once, here.
_set_site, _set_side, _set_modality, _set_level, _set_features = (
    Lesion.__dict__[name].__set__ for name in ("site", "side", "modality", "level", "features")
)
if [f.name for f in fields(Lesion)] != ["site", "side", "modality", "level", "features"]:
    raise TypeError("_make_lesion must set every field of Lesion")


def _make_lesion(site: str, side: str, modality: str, level: str | None, features: frozenset[str]) -> Lesion:
    lesion = _new(Lesion)
    _set_site(lesion, site)
    _set_side(lesion, side)
    _set_modality(lesion, modality)
    _set_level(lesion, level)
    _set_features(lesion, features)
    return lesion


def _years(days: int) -> float:
    return days * _YEAR_DEN / _YEAR_NUM


def who_cutoff(sex: str, age_days: int | None, age_years: float | None) -> int | None:
    """WHO anaemia cut-off (g/L) at assessment; None when the age is unknown or under WHO_MIN_AGE_MONTHS.

    Bands are half-open in months (days / 30.4375, compared exactly on integers when days are known).
    """
    scaled: float
    if age_days is not None:
        scaled, unit = age_days * _MONTH_DEN, _MONTH_NUM  # months >= m  <=>  days * 16 >= m * 487
    elif age_years is not None:
        scaled, unit = age_years * 12, 1
    else:
        return None
    if scaled < WHO_MIN_AGE_MONTHS * unit:
        return None
    for low, high, cutoff in WHO_BANDS:
        if low * unit <= scaled < high * unit:
            return cutoff
    return WHO_ADULT[sex]


def _under(days: int | None, years: float | None, limit: int) -> bool | None:
    """An age below ``limit`` years: exactly on days when they are known, else on the given years."""
    if days is not None:
        return days * _YEAR_DEN < limit * _YEAR_NUM
    return None if years is None else years < limit


def build_snapshot(doc: Mapping[str, Any]) -> Snapshot:
    """Build the snapshot of a document that :func:`validate_case` accepted (not re-checked here)."""
    patient = doc["patient"]
    episode = doc["episode"]
    birth_s = patient.get("birth_date")
    birth = date.fromisoformat(birth_s) if birth_s is not None else None
    assessed = date.fromisoformat(episode["assessed_on"])
    onset_s = episode.get("onset_on")
    onset = date.fromisoformat(onset_s) if onset_s is not None else None

    age_days: int | None
    onset_days: int | None
    # Ruleset 2026.12: without an onset the age at onset is unknown; it is never taken at assessment.
    if birth is not None:
        age_days = (assessed - birth).days
        onset_days = (onset - birth).days if onset is not None else None
        age_years: float | None = _years(age_days)
        age_onset: float | None = _years(onset_days) if onset_days is not None else None
    else:
        age_days = onset_days = None
        age_years = episode.get("age_years")
        age_onset = episode.get("age_at_onset_years")

    sym = episode.get("symptoms") or _EMPTY
    fin = episode.get("findings") or _EMPTY
    lab = episode.get("labs") or _EMPTY
    biopsy = episode.get("biopsy")

    lesions = []
    features: set[str] = set()
    bones = set()
    sides_by_site: dict[str, set[str]] = {}
    for raw in episode["lesions"]:
        feats = frozenset([k for k, v in raw.items() if v is True])
        features |= feats
        side = raw.get("side", "midline")
        lesion = _make_lesion(raw["site"], side, raw["modality"], raw.get("level"), feats)
        lesions.append(lesion)
        bones.add(lesion.bone)
        sides_by_site.setdefault(lesion.site, set()).add(side)

    n_bones = len(bones)
    sex = patient["sex"]
    # Every contract key, None when unknown (validated input holds no other keys); fromkeys+update runs in C.
    symptoms = dict.fromkeys(_SYMPTOM_KEYS)
    symptoms.update(sym)
    labs = dict.fromkeys(_LAB_KEYS)
    labs.update(lab)
    findings = dict.fromkeys(_FINDING_KEYS)
    findings.update(fin)

    onset_under_3 = _under(onset_days, age_onset, EARLY_ONSET_YEARS)
    onset_under_18 = _under(onset_days, age_onset, EULAR_ONSET_BEFORE_YEARS)
    onset_missing_path: str | None = None
    if age_onset is None:
        # The onset cannot come after the assessment: assessed before 3 years means an onset before 3.
        if _under(age_days, age_years, EARLY_ONSET_YEARS):
            onset_under_3 = onset_under_18 = True
        # The input that would make it known: the onset date when the birth date is known, else the age
        # at onset when an age is known, else the birth date.
        elif birth is not None:
            onset_missing_path = "episode.onset_on"
        elif age_years is not None:
            onset_missing_path = "episode.age_at_onset_years"
        else:
            onset_missing_path = "patient.birth_date"
    if age_days is not None:
        at_most_3: bool | None = age_days * _YEAR_DEN <= JANSSON_MIN_AGE_YEARS * _YEAR_NUM
    else:
        at_most_3 = None if age_years is None else age_years <= JANSSON_MIN_AGE_YEARS

    cutoff = who_cutoff(sex, age_days, age_years)
    hb, wbc, plt, neut = (
        labs["hemoglobin_g_l"],
        labs["wbc_10e9_l"],
        labs["platelets_10e9_l"],
        labs["neutrophils_10e9_l"],
    )
    anaemia = None if hb is None or cutoff is None else hb < cutoff
    if wbc is None or plt is None or anaemia is None:
        normal_count = None  # the contract: unknown when any of the three is unknown
    else:
        normal_count = (
            WBC_LOW_10E9_L <= wbc <= WBC_HIGH_10E9_L
            and PLATELETS_LOW_10E9_L <= plt <= PLATELETS_HIGH_10E9_L
            and not anaemia
        )
    cytopenia = (
        (wbc is not None and wbc < WBC_LOW_10E9_L)
        or (neut is not None and neut < NEUTROPHILS_LOW_10E9_L)
        or (plt is not None and plt < PLATELETS_LOW_10E9_L)
        or anaemia is True
    )

    fever, temp = symptoms["fever"], symptoms["max_temperature_c"]
    fever_shown = fever is True or (temp is not None and temp >= FEVER_C)
    temperature_known = fever is not None or temp is not None
    if fever_shown:
        normal_temp: bool | None = False
    else:
        normal_temp = True if temperature_known else None

    histology = biopsy.get("histology") if biopsy else None
    culture = biopsy.get("culture") if biopsy else None
    on_ab = biopsy.get("on_antibiotics") if biopsy else None
    # Adequate: histology given, culture done (known, not "not_done"), known to be off antibiotics.
    adequate = biopsy is not None and histology is not None and culture in _CULTURE_DONE and on_ab is False

    return _make_snapshot(
        dict(
            sex=sex,
            birth_date=birth,
            assessed_on=assessed,
            onset_on=onset,
            age_days=age_days,
            onset_days=onset_days,
            age_years=age_years,
            age_at_onset_years=age_onset,
            symptom_duration_days=(assessed - onset).days if onset is not None else None,
            symptoms=MappingProxyType(symptoms),
            findings=MappingProxyType(findings),
            labs=MappingProxyType(labs),
            biopsy_present=biopsy is not None,
            histology=histology,
            culture=culture,
            on_antibiotics=on_ab,
            lesions=tuple(lesions),
            bones_involved=n_bones,
            focality=V.FOCALITY_NONE if n_bones == 0 else (V.UNIFOCAL if n_bones == 1 else V.MULTIFOCAL),
            symmetric=any("left" in s and "right" in s for s in sides_by_site.values()),
            clavicle_alone=n_bones == 1 and lesions[0].site == "clavicle",
            features=frozenset(features),
            age_known=age_days is not None or age_years is not None,
            onset_under_3=onset_under_3,
            onset_under_18=onset_under_18,
            onset_missing_path=onset_missing_path,
            age_at_most_3=at_most_3,
            who_cutoff=cutoff,
            anaemia=anaemia,
            normal_blood_count=normal_count,
            fever_shown=fever_shown,
            temperature_known=temperature_known,
            normal_body_temperature=normal_temp,
            cytopenia=cytopenia,
            adequate_biopsy=adequate,
            any_typical_lesion=any(lesion.typical for lesion in lesions),
            any_typical_radiograph_or_mri=any(lesion.typical_on_radiograph_or_mri for lesion in lesions),
            jansson_site=any(lesion.site in JANSSON_SITES for lesion in lesions),
        )
    )
