"""What was entered for an episode, as rows to read beside its assessment (the episode page and its print).

Plain functions over an Episode (its lesions prefetched, its biopsy selected with it): no query of their
own. Null means unknown, never "no", so every null reads "Unknown". Labels are the episode form's (the words
the clinician typed against), units are patients.choices.UNITS, and every number a lab is judged against is
read from exclusion.engine.thresholds, in the direction the rules compare it (``>=`` for "at least", ``<``
for "below"); a lab row is marked crossed when a red-flag threshold is crossed.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from exclusion.engine import thresholds as T
from exclusion.engine import vocabulary as V
from exclusion.engine.snapshot import who_cutoff
from patients.choices import LESION_FEATURES, UNITS
from patients.forms import SECTIONS, EpisodeForm
from patients.models import Biopsy, Episode, Lesion

UNKNOWN = "Unknown"
_DAYS_PER_YEAR = 365.25


@dataclass(frozen=True, slots=True)
class Limit:
    """One threshold a value was judged against: its text, whether the value crossed it, and whether
    crossing it is a red flag (``flag``) or only an item of a score (say CRP >= 10 for Jansson)."""

    text: str
    crossed: bool
    flag: bool = True


@dataclass(frozen=True, slots=True)
class InputRow:
    name: str  # the contract's field name
    label: str
    value: str  # as entered; "Unknown" for null
    unit: str = ""
    limits: tuple[Limit, ...] = ()
    unknown: bool = False

    @property
    def threshold(self) -> str:
        return "; ".join(limit.text for limit in self.limits)

    @property
    def crossed(self) -> bool:
        """A red-flag threshold is crossed."""
        return any(limit.crossed and limit.flag for limit in self.limits)


@dataclass(frozen=True, slots=True)
class InputSection:
    key: str
    title: str
    rows: tuple[InputRow, ...]

    @property
    def judged(self) -> bool:
        """Some row was judged against a threshold (the table shows that column)."""
        return any(row.limits for row in self.rows)


@dataclass(frozen=True, slots=True)
class LesionRow:
    number: int  # as the skeleton map numbers its markers
    site: str
    side: str
    level: str
    modality: str
    features: tuple[str, ...] = field(default=())


def number_text(value: float) -> str:
    """A number as a person typed it: 12 rather than 12.0, 7.2 as 7.2."""
    if float(value).is_integer():
        return str(int(value))
    return str(value)


def value_text(episode: Episode, name: str) -> str:
    """The stored value of one episode column, as read on the page."""
    value = getattr(episode, name)
    if value is None or value == "":
        return UNKNOWN
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float | int):
        return number_text(value)
    if isinstance(value, datetime.date):
        return _date_text(value)
    return _choice_label(Episode, name, value)


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)  # a column, never a relation
    return field


def _choice_label(model: type[models.Model], name: str, value: str) -> str:
    return str(dict(_field(model, name).choices or ()).get(value, value))


def _date_text(day: datetime.date) -> str:
    return f"{day.day} {day:%b %Y}"


def _label(name: str) -> str:
    return str(EpisodeForm.base_fields[name].label)


def _age_in_months(birth: datetime.date, on: datetime.date) -> int:
    return (on.year - birth.year) * 12 + on.month - birth.month - (on.day < birth.day)


def age_text(birth: datetime.date | None, on: datetime.date | None, entered: float | None) -> str:
    """An age from the birth date (completed years and months; months only under 2 years), else the age
    entered for a patient without a birth date, else "Unknown"."""
    if birth is not None and on is not None:
        months = _age_in_months(birth, on)
        if months < 24:
            return f"{months} month{'s' if months != 1 else ''}"
        years, rest = divmod(months, 12)
        return f"{years} years" + (f" {rest} month{'s' if rest != 1 else ''}" if rest else "")
    if entered is not None:
        return f"{number_text(entered)} years"
    return UNKNOWN


def age_at_assessment(episode: Episode) -> str:
    return age_text(episode.patient.birth_date, episode.assessed_on, episode.age_years)


def _age_days_and_years(episode: Episode) -> tuple[int | None, float | None]:
    birth = episode.patient.birth_date
    if birth is not None:
        days = (episode.assessed_on - birth).days
        return days, days / _DAYS_PER_YEAR
    return None, episode.age_years


def _who_limit(episode: Episode, hb: float) -> Limit:
    days, years = _age_days_and_years(episode)
    cutoff = who_cutoff(episode.patient.sex, days, years)
    if cutoff is None:
        why = "age unknown" if days is None and years is None else f"under {T.WHO_MIN_AGE_MONTHS} months"
        return Limit(f"WHO anaemia cut-off: none ({why})", crossed=False)
    return Limit(
        f"below {cutoff} g/L: anaemia (WHO, for age and sex), {_short(V.MALIGNANCY)}", crossed=hb < cutoff
    )


def _short(differential: str) -> str:
    return V.DIFFERENTIALS[differential].short_label.lower()


def lab_limits(episode: Episode, name: str) -> tuple[Limit, ...]:
    """The thresholds a value is judged against (empty when none applies or the value is unknown)."""
    value = getattr(episode, name)
    if value is None:
        return ()
    unit = UNITS.get(name, "")
    if name == "max_temperature_c":
        return (Limit(f"fever at ≥ {T.FEVER_C} {unit}, {_short(V.INFECTION)}", value >= T.FEVER_C),)
    if name == "crp_mg_l":
        return (
            Limit(
                f"≥ {T.CRP_RAISED_MG_L} {unit}: raised, {_short(V.INFECTION)} and biopsy",
                value >= T.CRP_RAISED_MG_L,
            ),
            Limit(f"≥ {T.JANSSON_CRP_MG_L} {unit}: Jansson item", value >= T.JANSSON_CRP_MG_L, flag=False),
        )
    if name == "wbc_10e9_l":
        return (
            Limit(f"below {T.WBC_LOW_10E9_L}: cytopenia, {_short(V.MALIGNANCY)}", value < T.WBC_LOW_10E9_L),
            Limit(
                f"above {T.WBC_HIGH_10E9_L}: not a normal count (Jansson)",
                value > T.WBC_HIGH_10E9_L,
                flag=False,
            ),
        )
    if name == "neutrophils_10e9_l":
        return (
            Limit(
                f"below {T.NEUTROPHILS_LOW_10E9_L}: neutropenia, {_short(V.MALIGNANCY)}",
                value < T.NEUTROPHILS_LOW_10E9_L,
            ),
        )
    if name == "hemoglobin_g_l":
        return (_who_limit(episode, value),)
    if name == "platelets_10e9_l":
        return (
            Limit(
                f"below {T.PLATELETS_LOW_10E9_L}: thrombocytopenia, {_short(V.MALIGNANCY)}",
                value < T.PLATELETS_LOW_10E9_L,
            ),
            Limit(
                f"above {T.PLATELETS_HIGH_10E9_L}: not a normal count (Jansson)",
                value > T.PLATELETS_HIGH_10E9_L,
                flag=False,
            ),
        )
    if name == "ldh_u_l":
        uln = episode.ldh_uln_u_l
        if uln is None:
            return (Limit("the laboratory's upper limit: unknown", crossed=False),)
        return (
            Limit(
                f"above {number_text(uln)} {unit} (laboratory upper limit), {_short(V.MALIGNANCY)}",
                value > uln,
            ),
        )
    if name == "alp_u_l":
        lln = episode.alp_lln_u_l
        if lln is None:
            return (Limit("the laboratory's lower limit: unknown", crossed=False),)
        return (
            Limit(
                f"below {number_text(lln)} {unit} (laboratory lower limit), {_short(V.HYPOPHOSPHATASIA)}",
                value < lln,
            ),
        )
    return ()


def input_row(episode: Episode, name: str) -> InputRow:
    value = getattr(episode, name)
    return InputRow(
        name=name,
        label=_label(name),
        value=value_text(episode, name),
        unit=UNITS.get(name, "") if value is not None else "",
        limits=lab_limits(episode, name),
        unknown=value is None,
    )


def _patient_section(episode: Episode) -> InputSection:
    patient = episode.patient
    birth = patient.birth_date
    rows = [
        InputRow(name="sex", label="Sex", value=patient.get_sex_display(), unknown=patient.sex == "unknown"),
        InputRow(
            name="birth_date",
            label="Birth date",
            value=_date_text(birth) if birth else UNKNOWN,
            unknown=birth is None,
        ),
        input_row(episode, "assessed_on"),
        input_row(episode, "onset_on"),
    ]
    for name, label, on, entered in (
        ("age_years", "Age at assessment", episode.assessed_on, episode.age_years),
        ("age_at_onset_years", "Age at onset", episode.onset_on, episode.age_at_onset_years),
    ):
        text = age_text(birth, on, entered)
        if birth is None and entered is not None:
            text += " (entered)"
        rows.append(InputRow(name=name, label=label, value=text, unknown=text == UNKNOWN))
    return InputSection("dates", "Patient and dates", tuple(rows))


def input_sections(episode: Episode) -> list[InputSection]:
    """The patient and dates, then the episode form's sections in its order, every field of each (the
    imaging section goes with the lesion table)."""
    sections = [_patient_section(episode)]
    for key, title, names in SECTIONS:
        if key in ("dates", "imaging"):
            continue
        sections.append(InputSection(key, title, tuple(input_row(episode, name) for name in names)))
    return sections


def _feature_label(name: str) -> str:
    label = str(_field(Lesion, name).verbose_name)
    return label[:1].upper() + label[1:]


def lesion_rows(episode: Episode) -> list[LesionRow]:
    """Every lesion in entry order, with the features marked on it (unmarked features are absent)."""
    return [
        LesionRow(
            number=number,
            site=lesion.get_site_display(),
            side=lesion.get_side_display(),
            level=lesion.level,
            modality=lesion.get_modality_display(),
            features=tuple(_feature_label(name) for name in LESION_FEATURES if getattr(lesion, name)),
        )
        for number, lesion in enumerate(episode.lesions.all(), start=1)
    ]


def biopsy_rows(episode: Episode) -> list[InputRow]:
    """The biopsy's histology, culture and antibiotics; empty when no biopsy is recorded. Reads the biopsy
    selected with the episode (patients.selectors.episode_get)."""
    biopsy: Biopsy | None = getattr(episode, "biopsy", None)
    if biopsy is None:
        return []
    labels = {
        "histology": _label("biopsy_histology"),
        "culture": _label("biopsy_culture"),
        "on_antibiotics": _label("biopsy_on_antibiotics"),
    }
    rows = []
    for name, label in labels.items():
        value = getattr(biopsy, name)
        if value is None:
            text = UNKNOWN
        elif isinstance(value, bool):
            text = "Yes" if value else "No"
        else:
            text = _choice_label(Biopsy, name, value)
        rows.append(InputRow(name=f"biopsy_{name}", label=label, value=text, unknown=value is None))
    return rows


def episode_inputs(episode: Episode) -> dict[str, Any]:
    """Everything the episode page and its print show of what was entered (a template's context)."""
    return {
        "sections": input_sections(episode),
        "lesions": lesion_rows(episode),
        "biopsy": biopsy_rows(episode),
        "age_at_assessment": age_at_assessment(episode),
        "sex": episode.patient.get_sex_display(),
    }
