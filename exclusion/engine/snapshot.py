"""An immutable snapshot of one validated case, with the derived quantities of the contract.

Built once per assessment; every rule reads it and nothing else, so a rule cannot see raw input that the
contract does not define. ``None`` always means "unknown" and is never treated as "no".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from .schema import FINDINGS, JANSSON_SITES, LABS, SYMPTOMS

_SYMPTOM_KEYS = tuple(SYMPTOMS)
_FINDING_KEYS = tuple(FINDINGS)
_LAB_KEYS = tuple(LABS)
_EMPTY: dict = {}

# Exact calendar arithmetic of the contract: years = days / 365.25 and months = days / 30.4375.
# 365.25 = 1461/4 and 30.4375 = 487/16, so comparisons are done on integers to avoid rounding at a boundary.
_YEAR_NUM, _YEAR_DEN = 1461, 4
_MONTH_NUM, _MONTH_DEN = 487, 16

# WHO anaemia cut-offs (g/L) by age band in months, half-open [low, high). 15 years and over depends on sex.
WHO_BANDS = ((6, 24, 105), (24, 60, 110), (60, 144, 115), (144, 180, 120))
WHO_ADULT = {"female": 120, "male": 130, "other": 120, "unknown": 120}


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


_TYPICAL_PLAIN = frozenset(("lytic", "sclerosis", "periosteal_reaction", "hyperostosis"))


@dataclass(frozen=True, slots=True)
class Snapshot:
    sex: str
    birth_date: date | None
    assessed_on: date
    onset_on: date | None
    age_days: int | None  # from birth_date, when known
    onset_days: int | None
    age_years: float | None
    age_at_onset_years: float | None
    symptoms: Mapping[str, object]
    findings: Mapping[str, object]
    labs: Mapping[str, object]
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

    # --- derived quantities -------------------------------------------------------------------------------
    @property
    def adequate_biopsy(self) -> bool:
        """Biopsy present, histology given, culture done (and known), taken off antibiotics (known false)."""
        return (
            self.biopsy_present
            and self.histology is not None
            and self.culture in ("no_growth", "growth")
            and self.on_antibiotics is False
        )

    @property
    def onset_under_3(self) -> bool | None:
        if self.onset_days is not None:
            return self.onset_days * _YEAR_DEN < 3 * _YEAR_NUM
        if self.age_at_onset_years is not None:
            return self.age_at_onset_years < 3
        return None

    @property
    def age_at_most_3(self) -> bool | None:
        if self.age_days is not None:
            return self.age_days * _YEAR_DEN <= 3 * _YEAR_NUM
        if self.age_years is not None:
            return self.age_years <= 3
        return None

    def _months_at_least(self, months: int) -> bool:
        if self.age_days is not None:
            return self.age_days * _MONTH_DEN >= months * _MONTH_NUM
        return self.age_years * 12 >= months  # type: ignore[operator]

    @property
    def who_cutoff(self) -> int | None:
        """WHO haemoglobin cut-off (g/L) at assessment; None when age is unknown or under 6 months."""
        if self.age_days is None and self.age_years is None:
            return None
        if not self._months_at_least(6):
            return None
        for low, high, cutoff in WHO_BANDS:
            if self._months_at_least(low) and not self._months_at_least(high):
                return cutoff
        return WHO_ADULT[self.sex]

    @property
    def age_known(self) -> bool:
        return self.age_days is not None or self.age_years is not None

    @property
    def anaemia(self) -> bool | None:
        hb = self.labs["hemoglobin_g_l"]
        cutoff = self.who_cutoff
        if hb is None or cutoff is None:
            return None
        return hb < cutoff

    @property
    def normal_blood_count(self) -> bool | None:
        """WBC 4.0–13.5, Hb at or above the WHO cut-off, platelets 150–450; unknown if any of the three is."""
        wbc = self.labs["wbc_10e9_l"]
        plt = self.labs["platelets_10e9_l"]
        anaemia = self.anaemia
        if wbc is None or plt is None or anaemia is None:
            return None
        return 4.0 <= wbc <= 13.5 and 150 <= plt <= 450 and not anaemia

    @property
    def fever_shown(self) -> bool:
        """Fever reported or a temperature of at least 38.0 °C."""
        temp = self.symptoms["max_temperature_c"]
        return self.symptoms["fever"] is True or (temp is not None and temp >= 38.0)

    @property
    def temperature_known(self) -> bool:
        return self.symptoms["fever"] is not None or self.symptoms["max_temperature_c"] is not None

    @property
    def normal_body_temperature(self) -> bool | None:
        if self.fever_shown:
            return False
        if not self.temperature_known:
            return None
        return True

    @property
    def cytopenia(self) -> bool:
        """Any cytopenia known to be present (WBC < 4.0, neutrophils < 2.0, platelets < 150, anaemia)."""
        labs = self.labs
        wbc, neut, plt = labs["wbc_10e9_l"], labs["neutrophils_10e9_l"], labs["platelets_10e9_l"]
        return (
            (wbc is not None and wbc < 4.0)
            or (neut is not None and neut < 2.0)
            or (plt is not None and plt < 150)
            or self.anaemia is True
        )

    @property
    def any_typical_lesion(self) -> bool:
        return any(lesion.typical for lesion in self.lesions)

    @property
    def jansson_site(self) -> bool:
        return any(lesion.site in JANSSON_SITES for lesion in self.lesions)


def _years(days: int) -> float:
    return days * _YEAR_DEN / _YEAR_NUM


def build_snapshot(doc: dict) -> Snapshot:
    """Build the snapshot of a document that :func:`validate_case` accepted (not re-checked here)."""
    patient = doc["patient"]
    episode = doc["episode"]
    birth_s = patient.get("birth_date")
    birth = date.fromisoformat(birth_s) if birth_s is not None else None
    assessed = date.fromisoformat(episode["assessed_on"])
    onset_s = episode.get("onset_on")
    onset = date.fromisoformat(onset_s) if onset_s is not None else None

    if birth is not None:
        age_days = (assessed - birth).days
        onset_days = ((onset or assessed) - birth).days
        age_years: float | None = _years(age_days)
        age_onset: float | None = _years(onset_days)
    else:
        age_days = onset_days = None
        age_years = episode.get("age_years")
        age_onset = episode.get("age_at_onset_years")
        if age_onset is None:
            age_onset = age_years

    sym = episode.get("symptoms") or _EMPTY
    fin = episode.get("findings") or _EMPTY
    lab = episode.get("labs") or _EMPTY
    biopsy = episode.get("biopsy")

    lesions = []
    features: set[str] = set()
    bones = set()
    sides_by_site: dict[str, set[str]] = {}
    for raw in episode["lesions"]:
        feats = frozenset(k for k, v in raw.items() if v is True)
        features |= feats
        side = raw.get("side", "midline")
        lesion = Lesion(raw["site"], side, raw["modality"], raw.get("level"), feats)
        lesions.append(lesion)
        bones.add(lesion.bone)
        sides_by_site.setdefault(lesion.site, set()).add(side)

    n_bones = len(bones)
    return Snapshot(
        sex=patient["sex"],
        birth_date=birth,
        assessed_on=assessed,
        onset_on=onset,
        age_days=age_days,
        onset_days=onset_days,
        age_years=age_years,
        age_at_onset_years=age_onset,
        symptoms=MappingProxyType({k: sym.get(k) for k in _SYMPTOM_KEYS}),
        findings=MappingProxyType({k: fin.get(k) for k in _FINDING_KEYS}),
        labs=MappingProxyType({k: lab.get(k) for k in _LAB_KEYS}),
        biopsy_present=biopsy is not None,
        histology=biopsy.get("histology") if biopsy else None,
        culture=biopsy.get("culture") if biopsy else None,
        on_antibiotics=biopsy.get("on_antibiotics") if biopsy else None,
        lesions=tuple(lesions),
        bones_involved=n_bones,
        focality="none" if n_bones == 0 else ("unifocal" if n_bones == 1 else "multifocal"),
        symmetric=any("left" in s and "right" in s for s in sides_by_site.values()),
        clavicle_alone=n_bones == 1 and lesions[0].site == "clavicle",
        features=frozenset(features),
    )
