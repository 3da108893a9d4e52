"""What was entered for an episode, as rows to read beside its assessment (the episode page and its print).

Plain functions over an Episode (its lesions prefetched, its biopsy selected with it): no query of their
own. Null means unknown, never "no", so every null reads "Unknown". Labels are the episode form's (the words
the clinician typed against), units are patients.choices.UNITS, and every number a lab is judged against is
read from exclusion.engine.thresholds, in the direction the rules compare it (``>=`` for "at least", ``<``
for "below"); a lab row is marked crossed when a red-flag threshold is crossed.

Every word is in the active language (the request's), numbers with its decimal separator and dates in its
format; the rows are built per request, so nothing here is translated at import.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.formats import date_format
from django.utils.translation import get_language, ngettext, pgettext
from django.utils.translation import gettext as _

from exclusion.engine import thresholds as T
from exclusion.engine import translations
from exclusion.engine import vocabulary as V
from exclusion.engine.snapshot import who_cutoff
from patients.choices import LESION_FEATURES, UNITS
from patients.forms import LESION_LABELS, SECTIONS, EpisodeForm, in_decimals
from patients.models import Biopsy, Episode, Lesion

_DAYS_PER_YEAR = 365.25


def unknown_text() -> str:
    """What a null reads as: "Unknown", never "No"."""
    return _("Unknown")


def yes_no_text(value: bool) -> str:
    return _("Yes") if value else _("No")


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
    value: str  # as entered; "Unknown" (in the active language) for null
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
    """A number as a person typed it: 12 rather than 12.0, 7.2 as 7.2 (7,2 in German)."""
    if float(value).is_integer():
        return str(int(value))
    return in_decimals(str(value))


def _limit_number(value: float) -> str:
    """A threshold as the engine writes it (38.0 stays 38.0), with the language's decimal separator."""
    return in_decimals(str(value))


def value_text(episode: Episode, name: str) -> str:
    """The stored value of one episode column, as read on the page."""
    value = getattr(episode, name)
    if value is None or value == "":
        return unknown_text()
    if isinstance(value, bool):
        return yes_no_text(value)
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
    return date_format(day)  # DATE_FORMAT: 10 May 2024, German 10.05.2024


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
            return _months_text(months)
        years, rest = divmod(months, 12)
        text = ngettext("%(years)d year", "%(years)d years", years) % {"years": years}
        return f"{text} {_months_text(rest)}" if rest else text
    if entered is not None:
        return _("%(age)s years") % {"age": number_text(entered)}
    return unknown_text()


def _months_text(months: int) -> str:
    return ngettext("%(months)d month", "%(months)d months", months) % {"months": months}


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
        if days is None and years is None:
            why = _("age unknown")
        else:
            why = _("under %(months)s months") % {"months": T.WHO_MIN_AGE_MONTHS}
        return Limit(_("WHO anaemia cut-off: none (%(why)s)") % {"why": why}, crossed=False)
    text = _("below %(cutoff)s %(unit)s: anaemia (WHO, for age and sex), %(differential)s") % {
        "cutoff": _limit_number(cutoff),
        "unit": pgettext("unit", "g/L"),
        "differential": _short(V.MALIGNANCY),
    }
    return Limit(text, crossed=hb < cutoff)


def _short(differential: str) -> str:
    """The differential's short name inside a sentence: lower-case in English ("malignancy"); German keeps
    its nouns capitalised ("Malignom"), from the engine's German words (exclusion.engine.translations)."""
    language = get_language()
    if translations.is_german(language):
        words = translations.term("differential", differential, language)
        if words is not None:
            return words.short
    return V.DIFFERENTIALS[differential].short_label.lower()


def lab_limits(episode: Episode, name: str) -> tuple[Limit, ...]:
    """The thresholds a value is judged against (empty when none applies or the value is unknown)."""
    value = getattr(episode, name)
    if value is None:
        return ()
    unit = str(UNITS.get(name, ""))
    n = _limit_number
    if name == "max_temperature_c":
        text = _("fever at ≥ %(limit)s %(unit)s, %(differential)s") % {
            "limit": n(T.FEVER_C),
            "unit": unit,
            "differential": _short(V.INFECTION),
        }
        return (Limit(text, value >= T.FEVER_C),)
    if name == "crp_mg_l":
        raised = _("≥ %(limit)s %(unit)s: raised, %(differential)s and biopsy") % {
            "limit": n(T.CRP_RAISED_MG_L),
            "unit": unit,
            "differential": _short(V.INFECTION),
        }
        jansson = _("≥ %(limit)s %(unit)s: Jansson item") % {"limit": n(T.JANSSON_CRP_MG_L), "unit": unit}
        return (
            Limit(raised, value >= T.CRP_RAISED_MG_L),
            Limit(jansson, value >= T.JANSSON_CRP_MG_L, flag=False),
        )
    if name == "wbc_10e9_l":
        low = _("below %(limit)s: cytopenia, %(differential)s") % {
            "limit": n(T.WBC_LOW_10E9_L),
            "differential": _short(V.MALIGNANCY),
        }
        return (
            Limit(low, value < T.WBC_LOW_10E9_L),
            Limit(_abnormal_count(T.WBC_HIGH_10E9_L), value > T.WBC_HIGH_10E9_L, flag=False),
        )
    if name == "neutrophils_10e9_l":
        low = _("below %(limit)s: neutropenia, %(differential)s") % {
            "limit": n(T.NEUTROPHILS_LOW_10E9_L),
            "differential": _short(V.MALIGNANCY),
        }
        return (Limit(low, value < T.NEUTROPHILS_LOW_10E9_L),)
    if name == "hemoglobin_g_l":
        return (_who_limit(episode, value),)
    if name == "platelets_10e9_l":
        low = _("below %(limit)s: thrombocytopenia, %(differential)s") % {
            "limit": n(T.PLATELETS_LOW_10E9_L),
            "differential": _short(V.MALIGNANCY),
        }
        return (
            Limit(low, value < T.PLATELETS_LOW_10E9_L),
            Limit(_abnormal_count(T.PLATELETS_HIGH_10E9_L), value > T.PLATELETS_HIGH_10E9_L, flag=False),
        )
    if name == "ldh_u_l":
        uln = episode.ldh_uln_u_l
        if uln is None:
            return (Limit(_("the laboratory's upper limit: unknown"), crossed=False),)
        text = _("above %(limit)s %(unit)s (laboratory upper limit), %(differential)s") % {
            "limit": number_text(uln),
            "unit": unit,
            "differential": _short(V.MALIGNANCY),
        }
        return (Limit(text, value > uln),)
    if name == "alp_u_l":
        lln = episode.alp_lln_u_l
        if lln is None:
            return (Limit(_("the laboratory's lower limit: unknown"), crossed=False),)
        text = _("below %(limit)s %(unit)s (laboratory lower limit), %(differential)s") % {
            "limit": number_text(lln),
            "unit": unit,
            "differential": _short(V.HYPOPHOSPHATASIA),
        }
        return (Limit(text, value < lln),)
    return ()


def _abnormal_count(limit: float) -> str:
    return _("above %(limit)s: not a normal count (Jansson)") % {"limit": _limit_number(limit)}


def input_row(episode: Episode, name: str) -> InputRow:
    value = getattr(episode, name)
    return InputRow(
        name=name,
        label=_label(name),
        value=value_text(episode, name),
        unit=str(UNITS.get(name, "")) if value is not None else "",
        limits=lab_limits(episode, name),
        unknown=value is None,
    )


def _patient_section(episode: Episode) -> InputSection:
    patient = episode.patient
    birth = patient.birth_date
    rows = [
        InputRow(
            name="sex", label=_("Sex"), value=patient.get_sex_display(), unknown=patient.sex == "unknown"
        ),
        InputRow(
            name="birth_date",
            label=_("Birth date"),
            value=_date_text(birth) if birth else unknown_text(),
            unknown=birth is None,
        ),
        input_row(episode, "assessed_on"),
        input_row(episode, "onset_on"),
    ]
    for name, label, on, entered in (
        ("age_years", _("Age at assessment"), episode.assessed_on, episode.age_years),
        ("age_at_onset_years", _("Age at onset"), episode.onset_on, episode.age_at_onset_years),
    ):
        text = age_text(birth, on, entered)
        known = (birth is not None and on is not None) or entered is not None
        if birth is None and entered is not None:
            text = _("%(age)s (entered)") % {"age": text}
        rows.append(InputRow(name=name, label=label, value=text, unknown=not known))
    return InputSection("dates", _("Patient and dates"), tuple(rows))


def input_sections(episode: Episode) -> list[InputSection]:
    """The patient and dates, then the episode form's sections in its order, every field of each (the
    imaging section goes with the lesion table)."""
    sections = [_patient_section(episode)]
    for key, title, names in SECTIONS:
        if key in ("dates", "imaging"):
            continue
        sections.append(InputSection(key, str(title), tuple(input_row(episode, name) for name in names)))
    return sections


def _feature_label(name: str) -> str:
    # The lesion form's label (translated), as the clinician ticked it; else the column's name.
    if name in LESION_LABELS:
        return str(LESION_LABELS[name])
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
            text = unknown_text()
        elif isinstance(value, bool):
            text = yes_no_text(value)
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
