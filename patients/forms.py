"""Browser forms: a patient, an episode with its lesions and biopsy, and the working-site switcher.

Forms only parse and check what a person typed; saving goes through patients.services. The episode and
lesion forms are model forms: their fields come from the model's columns (`record_formfield`), and they
check with the model's own rules, the same the services run when saving, so a date error reads the same
before and after saving. Canonical units are the contract's (mg/L, g/L): a unit select next to CRP and
haemoglobin converts other units here.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.formsets import DELETION_FIELD_NAME
from django.forms.models import construct_instance
from django.utils import formats, translation
from django.utils.functional import keep_lazy_text
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from exclusion.engine.schema import MAX_LESIONS
from patients.choices import (
    LESION_FEATURES,
    PAIRED_SITES,
    RANGES,
    UNITS,
    BiopsyCulture,
    BoneSite,
    Histology,
    Modality,
    Sex,
    Side,
)
from patients.models import Biopsy, Episode, Lesion, Patient

UNKNOWN_CHOICE = gettext_lazy("Unknown")
# Boolean inputs: unknown (empty) is the default and stays null; it never means "no".
TRI_STATE = [("", UNKNOWN_CHOICE), ("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]


def day_text(day: datetime.date) -> str:
    """A date inside a message: "05 May 2024" in English (as the messages have always read it), "05.05.2024"
    in German."""
    return formats.date_format(day, pgettext("date inside a message", "d M Y"))


def decimal_comma() -> bool:
    """Whether the active language writes decimals with a comma (German: 1,8)."""
    return formats.get_format("DECIMAL_SEPARATOR") == ","


def in_decimals(text: str) -> str:
    """A number written with a point ("1.8"), with the active language's decimal mark (German "1,8")."""
    return text.replace(".", ",") if decimal_comma() else text


def DATE_WIDGET() -> forms.DateInput:  # noqa: N802 - reads as a constant in field definitions
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _tri_coerce(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def tri_state_initial(value: bool | None) -> str:
    return {True: "yes", False: "no"}.get(value, "")


class TriStateField(forms.TypedChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(choices=TRI_STATE, coerce=_tri_coerce, empty_value=None, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        # Initial values arrive as booleans from the model; bound data as "yes"/"no"/"".
        if value is True or value is False or value is None:
            return tri_state_initial(value)
        return value


# A unit at the end of a column's name, in English (mg/L) or German (mg/l).
UNIT_SUFFIX = re.compile(r"\s*\((mg/[Ll]|mm/h|×10⁹/[Ll]|g/[Ll]|U/[Ll]|°C|0–10|0–3)\)$")


@keep_lazy_text
def _short_label(text: str) -> str:
    # Units are shown beside the input; keep the label short. Lazy: the form classes are built at import,
    # the label is read in each request's language.
    text = UNIT_SUFFIX.sub("", str(text))  # a lazy label is evaluated here, in the request's language
    return text[:1].upper() + text[1:]


def _label(field: Any) -> str:
    return _short_label(field.verbose_name)


# A decimal comma with three digits after it ("1,234") may be a thousands separator: read either way it is
# a thousandfold error, so it is refused rather than guessed.
AMBIGUOUS_COMMA = re.compile(r"[+-]?[1-9][0-9]{0,2},[0-9]{3}")
# In German the comma is the decimal mark and a point the thousands separator: there "1.234" is the one
# that may be a thousandfold error.
AMBIGUOUS_POINT = re.compile(r"[+-]?[1-9][0-9]{0,2}\.[0-9]{3}")
# Digits with at most one decimal point; no exponents, underscores or spaces inside (float() takes them).
PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
NUMBER_HELP = gettext_lazy("Enter a number such as 1.8 (or 1,8), without thousands separators.")


def number_text(text: str) -> str:
    """What a person typed, with a decimal comma read as a decimal point ("1,8" -> "1.8").

    Never multiplies and never drops a mark: a comma beside a point ("1.234,5"), several commas ("1,2,3")
    and a comma that may be a thousands separator ("1,234") are refused with a message saying why. In a
    language that writes a decimal comma (German), "1,234" is 1.234 and "1.234" is the one refused.
    """
    text = text.strip()
    if "," not in text:
        if decimal_comma() and AMBIGUOUS_POINT.fullmatch(text):
            raise _ambiguous(
                text,
                ".",
                _(
                    "“%(text)s” could be %(decimal)s or %(whole)s: enter the number without the point, "
                    "with a comma for the decimals."
                ),
            )
        return text if PLAIN_NUMBER.fullmatch(text) or not text else _not_a_number(text)
    if "." in text or text.count(",") > 1:
        raise ValidationError(
            _("“%(text)s” mixes decimal marks or uses thousands separators: %(help)s")
            % {"text": text, "help": NUMBER_HELP},
            code="invalid",
        )
    if AMBIGUOUS_COMMA.fullmatch(text) and not decimal_comma():
        raise _ambiguous(
            text,
            ",",
            _(
                "“%(text)s” could be %(decimal)s or %(whole)s: enter the number without the comma, with a "
                "point for the decimals."
            ),
        )
    text = text.replace(",", ".")
    return text if PLAIN_NUMBER.fullmatch(text) else _not_a_number(text)


def _ambiguous(text: str, mark: str, message: str) -> ValidationError:
    """The error for "1,234" or "1.234" where `mark` may be a thousands separator: the message shows both
    readings, the decimal one written with the page language's own decimal mark."""
    whole, fraction = text.split(mark)
    decimal = f"{whole}{',' if mark == '.' else '.'}{fraction}"
    return ValidationError(
        message % {"text": text, "decimal": decimal, "whole": f"{whole}{fraction}"}, code="invalid"
    )


def _not_a_number(text: str) -> str:
    raise ValidationError(
        _("“%(text)s” is not a number: %(help)s") % {"text": text, "help": NUMBER_HELP}, code="invalid"
    )


def shown_number(value: float | int) -> str:
    """A stored number as the input shows it, read back the same by number_text: 20 rather than 20.0, and
    with a decimal comma in German (1,8). Never a thousands separator."""
    return in_decimals(str(int(value)) if isinstance(value, float) and value.is_integer() else str(value))


def NUMBER_WIDGET() -> forms.TextInput:  # noqa: N802 - reads as a constant in field definitions
    # A text input, not type=number: the browser's number input reads "1,8" in its own locale (an en-US
    # Chromium dropped the comma and sent 18). The server reads what was typed; inputmode keeps the
    # numeric keypad on phones, and the pattern only marks the field (the form is novalidate).
    return forms.TextInput(
        attrs={
            "inputmode": "decimal",
            "pattern": r"\s*[+\-]?[0-9]*[.,]?[0-9]+\s*",
            "autocomplete": "off",
            "size": 8,  # about the width app.css gives number inputs
        }
    )


class NumberField(forms.FloatField):
    default_error_messages = {"invalid": NUMBER_HELP}

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = number_text(value)
        return super().to_python(value)

    def prepare_value(self, value: Any) -> Any:
        # A stored value (bound data is the text as typed, shown back unchanged).
        if isinstance(value, float | int) and not isinstance(value, bool):
            return shown_number(value)
        return value


def _blank_choices(choices: list, blank: Any = UNKNOWN_CHOICE) -> list:
    return [("", blank), *choices]


def record_formfield(db_field: models.Field, **kwargs: Any) -> forms.Field | None:
    """The form field of a record's column, from the model: one rule per kind of column, so a column
    added to a form's `fields` needs no code here.

    A nullable boolean is a tri-state (Unknown/Yes/No; unknown stays null, never "no"). A number is a
    decimal text input read by the server (a decimal comma is a point; NumberField), with no min/max on
    the widget: the form checks ranges after unit conversion, and names the field and the likely unit.
    A date uses the browser's date input. A nullable choice offers "Unknown" as its empty choice.
    """
    label = kwargs.pop("label", None) or _label(db_field)
    help_text = kwargs.pop("help_text", None) or db_field.help_text
    if isinstance(db_field, models.BooleanField) and db_field.null:
        return TriStateField(label=label, help_text=help_text)
    if isinstance(db_field, models.FloatField):
        return NumberField(
            label=label,
            help_text=help_text,
            required=False,
            widget=NUMBER_WIDGET(),
        )
    if isinstance(db_field, models.DateField):
        kwargs.setdefault("widget", DATE_WIDGET())
    if db_field.choices and db_field.null:
        kwargs.setdefault("choices", _blank_choices(list(db_field.choices)))
    return db_field.formfield(label=label, help_text=help_text, **kwargs)


class RecordForm(forms.ModelForm):
    """A form over a record's columns that checks with the model's own rules (field validators and
    `clean()`, the same the services run when saving) and never saves: saving is patients.services."""

    def _post_clean(self) -> None:
        # As ModelForm's, but without the database constraints: checking them queries the database once
        # per constraint, and the service checks them once when it saves.
        try:
            self.instance = construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)
            self.instance.full_clean(
                exclude=self._get_validation_exclusions(), validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            self._update_errors(exc)

    def save(self, commit: bool = True) -> Any:
        raise NotImplementedError("Forms do not save records: call patients.services.")


CRP_UNITS = [("mg_l", pgettext_lazy("unit", "mg/L")), ("mg_dl", pgettext_lazy("unit", "mg/dL"))]
HB_UNITS = [("g_l", pgettext_lazy("unit", "g/L")), ("g_dl", pgettext_lazy("unit", "g/dL"))]


@dataclass(frozen=True)
class UnitSlip:
    """A unit a value is often typed in by mistake, and how to convert it to the field's own unit."""

    unit: Any  # lazy text: German writes mg/dl
    to_canonical: Callable[[float], float]
    rule: Any  # the conversion, as the message states it (lazy text)


def _per_thousand(value: float) -> float:
    return value / 1000


CELLS = UnitSlip(pgettext_lazy("unit", "cells/µL"), _per_thousand, gettext_lazy("1000 cells/µL = 1 ×10⁹/L"))
UNIT_SLIPS = {
    "crp_mg_l": UnitSlip(
        pgettext_lazy("unit", "mg/dL"), lambda value: value * 10, gettext_lazy("1 mg/dL = 10 mg/L")
    ),
    "hemoglobin_g_l": UnitSlip(
        pgettext_lazy("unit", "g/dL"), lambda value: value * 10, gettext_lazy("1 g/dL = 10 g/L")
    ),
    "max_temperature_c": UnitSlip("°F", lambda value: (value - 32) * 5 / 9, "°C = (°F − 32) × 5/9"),
    "wbc_10e9_l": CELLS,
    "neutrophils_10e9_l": CELLS,
    "platelets_10e9_l": CELLS,
}
# The unit selects beside a field: field -> (the select, its choice for the field's UNIT_SLIPS unit).
UNIT_HELPERS = {"crp_mg_l": ("crp_unit", "mg_dl"), "hemoglobin_g_l": ("hemoglobin_unit", "g_dl")}


def _num(value: float) -> str:
    # As a person writes it: 7.1, 38.5, 310000 (never 3.1e+05, never 7.100000001); German 7,1.
    return in_decimals(f"{value:.2f}".rstrip("0").rstrip("."))


def out_of_range_message(name: str, value: float, typed: float | None = None) -> str:
    """Why `value` (in the field's canonical unit) is refused, and the unit it most likely was in.

    `typed` is the number as typed when a unit select converted it (CRP in mg/dL, haemoglobin in g/dL). The
    range is RANGES' (the engine's contract); the suggestion is computed from it, never written down.
    """
    low, high = RANGES[name]
    unit = str(UNITS.get(name, ""))
    unit = "" if unit.startswith("0–") else f" {unit}"
    # The range's ends as the contract writes them (34.0 stays 34.0 in English), with a comma in German.
    ends = {"low": in_decimals(str(low)), "high": in_decimals(str(high)), "unit": unit}
    above = value > high
    shown = f"{_num(value)}{unit}"
    slip = UNIT_SLIPS.get(name)
    if typed is not None and slip is not None:
        # The unit select converted it: say so, and that the conversion is what went out of range.
        if above:
            template = _(
                "%(typed)s is %(value)s, above the highest accepted: must be between %(low)s and "
                "%(high)s%(unit)s."
            )
        else:
            template = _(
                "%(typed)s is %(value)s, below the lowest accepted: must be between %(low)s and "
                "%(high)s%(unit)s."
            )
        message = template % {"typed": f"{_num(typed)} {slip.unit}", "value": shown, **ends}
        if low <= typed <= high:
            message += " " + _(
                "If the value was in %(unit)s, choose %(unit)s beside the field (%(rule)s)."
            ) % {
                "unit": unit.strip(),
                "rule": slip.rule,
            }
        return message
    if above:
        template = _("%(value)s is above the highest accepted: must be between %(low)s and %(high)s%(unit)s.")
    else:
        template = _("%(value)s is below the lowest accepted: must be between %(low)s and %(high)s%(unit)s.")
    message = template % {"value": shown, **ends}
    if slip is not None:
        converted = slip.to_canonical(value)
        if low <= converted <= high:
            if name in UNIT_HELPERS:
                hint = _(
                    "It looks like %(unit)s: %(typed)s = %(converted)s (%(rule)s). If so, enter %(number)s "
                    "or choose %(unit)s beside the field."
                )
            else:
                hint = _(
                    "It looks like %(unit)s: %(typed)s = %(converted)s (%(rule)s). If so, enter %(number)s."
                )
            message += " " + hint % {
                "unit": slip.unit,
                "typed": f"{_num(value)} {slip.unit}",
                "converted": f"{_num(converted)}{unit}",
                "rule": slip.rule,
                "number": _num(converted),
            }
    return message


# The sections of the episode form, in the order a clinician works through a consultation.
SECTIONS = [
    ("dates", gettext_lazy("Dates"), ["assessed_on", "onset_on", "age_years", "age_at_onset_years"]),
    (
        "history",
        gettext_lazy("History and symptoms"),
        [
            "bone_pain",
            "local_swelling",
            "night_pain",
            "back_pain",
            "fever",
            "weight_loss",
            "night_sweats",
            "restricted_diet",
            "neonatal_pustulosis",
            "consanguinity_or_affected_sibling",
            "immunocompromised",
            "tb_exposure",
            "sustained_response_to_antibiotics_alone",
            "inflammatory_bowel_disease",
        ],
    ),
    (
        "examination",
        gettext_lazy("Examination"),
        [
            "max_temperature_c",
            "ill_appearance",
            "hepatomegaly",
            "splenomegaly",
            "lymphadenopathy",
            "bruising_or_purpura",
            "gum_bleeding",
            "palmoplantar_pustulosis",
            "psoriasis",
            "severe_acne",
        ],
    ),
    (
        "labs",
        gettext_lazy("Laboratory"),
        [
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
            "blood_culture",
            "blasts_on_smear",
            "vitamin_c_low",
        ],
    ),
    # Just before the lesion rows: it says whether those rows are the complete picture.
    ("imaging", gettext_lazy("Imaging"), ["whole_body_mri"]),
    (
        "activity",
        gettext_lazy("Activity measures"),
        ["pain_vas", "patient_global_vas", "physician_global_vas", "chaq"],
    ),
]
EPISODE_FIELDS = [name for _, _, names in SECTIONS for name in names]
BIOPSY_FIELDS = ("histology", "culture", "on_antibiotics")

# The labels of the episode's columns. Every column is named here (not left to the model's field names) so
# that German has them: a verbose_name added to a model column would need a migration.
EPISODE_LABELS = {
    "assessed_on": gettext_lazy("Assessed on"),
    "onset_on": gettext_lazy("Onset on"),
    "age_years": gettext_lazy("Age at assessment (years)"),
    "age_at_onset_years": gettext_lazy("Age at onset (years)"),
    "bone_pain": gettext_lazy("Bone pain"),
    "local_swelling": gettext_lazy("Local swelling"),
    "night_pain": gettext_lazy("Night pain"),
    "back_pain": gettext_lazy("Back pain"),
    "fever": gettext_lazy("Fever reported"),
    "weight_loss": gettext_lazy("Weight loss"),
    "night_sweats": gettext_lazy("Night sweats"),
    "restricted_diet": gettext_lazy("Restricted diet"),
    "neonatal_pustulosis": gettext_lazy("Neonatal pustulosis"),
    "consanguinity_or_affected_sibling": gettext_lazy("Consanguinity or affected sibling"),
    "immunocompromised": gettext_lazy("Immunocompromised"),
    "tb_exposure": gettext_lazy("Tuberculosis exposure"),
    "sustained_response_to_antibiotics_alone": gettext_lazy("Sustained response to antibiotics alone"),
    "inflammatory_bowel_disease": gettext_lazy("Inflammatory bowel disease"),
    "max_temperature_c": gettext_lazy("Highest temperature"),
    "ill_appearance": gettext_lazy("Ill appearance"),
    "hepatomegaly": gettext_lazy("Hepatomegaly"),
    "splenomegaly": gettext_lazy("Splenomegaly"),
    "lymphadenopathy": gettext_lazy("Lymphadenopathy"),
    "bruising_or_purpura": gettext_lazy("Bruising or purpura"),
    "gum_bleeding": gettext_lazy("Gum bleeding"),
    "palmoplantar_pustulosis": gettext_lazy("Palmoplantar pustulosis"),
    "psoriasis": gettext_lazy("Psoriasis"),
    "severe_acne": gettext_lazy("Severe acne"),
    "blood_culture": gettext_lazy("Blood culture"),
    "blasts_on_smear": gettext_lazy("Blasts on blood smear"),
    "vitamin_c_low": gettext_lazy("Vitamin C low"),
    "pain_vas": gettext_lazy("Pain (VAS)"),
    "patient_global_vas": gettext_lazy("Patient global (VAS)"),
    "physician_global_vas": gettext_lazy("Physician global (VAS)"),
}

HELP = {
    "onset_on": gettext_lazy("First symptoms. Leave empty if not known."),
    "age_years": gettext_lazy("Only when the birth date is not known."),
    "age_at_onset_years": gettext_lazy("Only when the birth date is not known."),
    "ldh_uln_u_l": gettext_lazy("The laboratory's upper limit of normal."),
    "alp_lln_u_l": gettext_lazy("The laboratory's lower limit of normal (for age)."),
    "consanguinity_or_affected_sibling": gettext_lazy("Consanguineous parents or an affected sibling."),
    "sustained_response_to_antibiotics_alone": gettext_lazy("Lasting improvement on antibiotics alone."),
    "whole_body_mri": gettext_lazy(
        "Yes: the MRI lesions below are all there are (none listed means a clean scan). "
        "No or Unknown: an MRI lesion not listed is not taken as absent."
    ),
}


# Birth dates more than this many years back are saved only once confirmed (PatientForm).
CONFIRM_AGE_OVER_YEARS = 25


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


class PatientForm(forms.Form):
    record_number = forms.CharField(
        label=gettext_lazy("Record number"),
        max_length=32,
        help_text=gettext_lazy("A pseudonymous number, never a name."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    sex = forms.ChoiceField(label=gettext_lazy("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    # Not in the future, no age over 120 years (patients.validators, also the model's rule).
    birth_date = forms.DateField(label=gettext_lazy("Birth date"), required=False, widget=DATE_WIDGET())
    # Shown (by the template) only once an old birth date was questioned; the API has no such step.
    confirm_birth_date = forms.BooleanField(label=gettext_lazy("The birth date is correct"), required=False)

    def __init__(self, *args: Any, sites: list | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sites = sites or []
        if len(sites) > 1:
            self.fields["site"] = forms.TypedChoiceField(
                label=_("Site"),
                choices=[(site.id, f"{site.code} — {site.name}") for site in sites],
                coerce=int,
            )
            self.order_fields(["site"])
        self.sites = {site.id: site for site in sites}

    def clean_birth_date(self) -> Any:
        # Imported here to keep this form's change self-contained; the same rule as the API and the model.
        from patients.validators import birth_date_problem

        birth_date = self.cleaned_data.get("birth_date")
        problem = birth_date_problem(birth_date)
        if problem:
            raise ValidationError(problem)
        return birth_date

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        birth_date = data.get("birth_date")
        # A children's service: an adult's birth date is more often a mistyped year than a patient. The
        # episode is assessed later, so "now" stands for the assessment date here.
        if birth_date and not self.errors.get("birth_date"):
            from patients.validators import age_in_years

            today = datetime.date.today()
            age = age_in_years(birth_date, today)
            too_old = birth_date < _years_before(today, CONFIRM_AGE_OVER_YEARS)
            if too_old and not data.get("confirm_birth_date"):
                self.asks_birth_date_confirmation = True
                self.add_error(
                    "birth_date",
                    ValidationError(
                        _(
                            "Born %(birth_date)s, the patient is %(age)s years old, which is unusual in a "
                            "children's service. Check the year; if the date is right, tick “The birth date "
                            "is correct” and save again."
                        )
                        % {"birth_date": day_text(birth_date), "age": age},
                        code="confirm_birth_date",
                    ),
                )
        return data

    def visible_fields_in_order(self) -> list:
        """The fields to show: the confirmation box only once the birth date was questioned."""
        asked = getattr(self, "asks_birth_date_confirmation", False) or bool(
            self.is_bound and self["confirm_birth_date"].data
        )
        return [field for field in self if field.name != "confirm_birth_date" or asked]

    def site(self) -> Any:
        if "site" in self.fields:
            return self.sites[self.cleaned_data["site"]]
        return next(iter(self.sites.values()))


class EpisodeForm(RecordForm):
    """Every episode input of the case contract, plus the biopsy (flattened, prefixed `biopsy_`).

    The episode's columns come from the model through `record_formfield`; only what is not a column of
    the episode is declared here: the version it was loaded at, the unit selects, the biopsy.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    crp_unit = forms.ChoiceField(
        label=gettext_lazy("CRP unit"),
        choices=CRP_UNITS,
        initial="mg_l",
        required=False,
        widget=forms.Select(attrs={"aria-label": gettext_lazy("CRP unit")}),
    )
    hemoglobin_unit = forms.ChoiceField(
        label=gettext_lazy("Haemoglobin unit"),
        choices=HB_UNITS,
        initial="g_l",
        required=False,
        widget=forms.Select(attrs={"aria-label": gettext_lazy("Haemoglobin unit")}),
    )
    biopsy_taken = forms.BooleanField(label=gettext_lazy("A bone biopsy was taken"), required=False)
    biopsy_histology = forms.TypedChoiceField(
        label=gettext_lazy("Histology"),
        choices=_blank_choices(Histology.choices),
        required=False,
        empty_value=None,
    )
    biopsy_culture = forms.TypedChoiceField(
        label=gettext_lazy("Culture"),
        choices=_blank_choices(BiopsyCulture.choices),
        required=False,
        empty_value=None,
    )
    biopsy_on_antibiotics = TriStateField(label=gettext_lazy("Taken on antibiotics"))

    class Meta:
        model = Episode
        fields = EPISODE_FIELDS
        formfield_callback = record_formfield
        labels = EPISODE_LABELS
        help_texts = HELP

    def __init__(self, *args: Any, patient: Patient, **kwargs: Any) -> None:
        # A new, unsaved episode of this patient: the model's checks (its dates against the birth date)
        # need the patient; the form never saves it.
        super().__init__(*args, instance=Episode(patient=patient), **kwargs)
        self.patient = patient
        if patient.birth_date is not None:
            # Ages are derived from the birth date; the contract only takes them without one.
            del self.fields["age_years"]
            del self.fields["age_at_onset_years"]

    # Layout helpers for the template
    def sections(self) -> list[tuple[str, str, list]]:
        return [
            (key, title, [self[name] for name in names if name in self.fields])
            for key, title, names in SECTIONS
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        # Unit helper: convert to the contract's canonical units before checking ranges, and remember
        # what was typed so a refusal can say what the conversion made of it.
        typed: dict[str, float] = {}
        for name, (select, other) in UNIT_HELPERS.items():
            if data.get(name) is not None and data.get(select) == other:
                typed[name] = data[name]
                data[name] = round(UNIT_SLIPS[name].to_canonical(data[name]), 4)
        for name, (low, high) in RANGES.items():
            value = data.get(name)
            if name in self.fields and value is not None and not low <= value <= high:
                self.add_error(name, out_of_range_message(name, value, typed.get(name)))
        self._check_against_birth_date(data)
        given = [name for name in BIOPSY_FIELDS if data.get(f"biopsy_{name}") is not None]
        if given and not data.get("biopsy_taken"):
            self.add_error(
                "biopsy_taken",
                _("Tick this when a biopsy was taken, or set the biopsy fields back to Unknown."),
            )
        return data

    def _check_against_birth_date(self, data: dict[str, Any]) -> None:
        # The one date rule of the form. Dates in the future and the onset after the assessment are the
        # model's (Episode.clean, run by this form and again by the service when saving, with the same
        # message on the same field); the birth date is checked here too only to name it in the message.
        birth = self.patient.birth_date
        if birth is None:
            return
        assessed, onset = data.get("assessed_on"), data.get("onset_on")
        if assessed and assessed < birth:
            self.add_error(
                "assessed_on",
                _("The assessment date is before the birth date (%(birth_date)s).")
                % {"birth_date": day_text(birth)},
            )
        if onset and onset < birth:
            self.add_error(
                "onset_on",
                _("Onset is before the birth date (%(birth_date)s).") % {"birth_date": day_text(birth)},
            )

    def episode_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in EPISODE_FIELDS if name in self.fields}

    def biopsy_data(self) -> dict[str, Any] | None:
        if not self.cleaned_data.get("biopsy_taken"):
            return None
        return {name: self.cleaned_data.get(f"biopsy_{name}") for name in BIOPSY_FIELDS}

    @staticmethod
    def initial_for(episode: Episode) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(episode, name) for name in EPISODE_FIELDS}
        initial["version"] = episode.version
        biopsy = Biopsy.objects.filter(episode=episode).first()
        if biopsy is not None:
            initial["biopsy_taken"] = True
            for name in BIOPSY_FIELDS:
                initial[f"biopsy_{name}"] = getattr(biopsy, name)
        return initial


# The labels of a lesion's columns (as EPISODE_LABELS: named here so that German has them).
LESION_LABELS = {
    "site": pgettext_lazy("lesion", "Site"),  # the bone (a patient's "Site" is the hospital)
    "side": gettext_lazy("Side"),
    "level": gettext_lazy("Level"),
    "modality": gettext_lazy("Imaging"),
    "marrow_oedema": gettext_lazy("Marrow oedema"),
    "lytic": gettext_lazy("Lytic"),
    "sclerosis": gettext_lazy("Marginal sclerosis"),
    "periosteal_reaction": gettext_lazy("Periosteal reaction"),
    "hyperostosis": gettext_lazy("Hyperostosis"),
    "bone_expansion": gettext_lazy("Bone expansion"),
    "cortical_destruction": gettext_lazy("Cortical destruction"),
    "soft_tissue_mass": gettext_lazy("Soft tissue mass"),
    "abscess": gettext_lazy("Abscess"),
    "sequestrum": gettext_lazy("Sequestrum"),
    "sinus_tract": gettext_lazy("Sinus tract"),
    "vertebral_collapse": gettext_lazy("Vertebral collapse"),
    "symptomatic": gettext_lazy("Symptomatic"),
    "active": gettext_lazy("Active"),
}


def _in_sentence(label: Any) -> str:
    # English lower-cases a bone inside a sentence ("the femur"); German keeps a noun's capital (Femur).
    text = str(label)
    return text if (translation.get_language() or "").startswith("de") else text.lower()


class LesionForm(RecordForm):
    # The lesion's id (not a column a person edits): which stored lesion this row updates.
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Lesion
        fields = ("site", "side", "level", "modality", *LESION_FEATURES)
        formfield_callback = record_formfield
        labels = LESION_LABELS
        help_texts = {"level": gettext_lazy("Vertebra or rib, e.g. T7.")}
        widgets = {"level": forms.TextInput(attrs={"size": 5})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = _blank_choices(BoneSite.choices, _("Choose a site…"))
        self.fields["modality"].choices = _blank_choices(Modality.choices, _("Choose…"))
        # No default side: the model's "midline" would pass a femur unnoticed. Empty means midline only
        # for a site that is not paired (clean_side).
        side = self.fields["side"]
        side.choices = _blank_choices(Side.choices, _("Choose…"))
        side.required = False
        side.help_text = _("Left or right for paired bones.")
        side.initial = None
        if "side" not in (kwargs.get("initial") or {}):
            self.initial.pop("side", None)
        self.order_fields(["id"])

    def clean_side(self) -> str:
        side = self.cleaned_data.get("side") or ""
        site = self.cleaned_data.get("site")
        if site in PAIRED_SITES:
            bone = _in_sentence(BoneSite(site).label)
            if not side:
                raise ValidationError(
                    _("Choose left or right: the %(bone)s is a paired bone.") % {"bone": bone}, code="side"
                )
            if side == Side.MIDLINE:
                raise ValidationError(
                    _("The %(bone)s is a paired bone: choose left or right, not midline.") % {"bone": bone},
                    code="side",
                )
        return side or Side.MIDLINE

    def features(self) -> list:
        return [self[feature] for feature in LESION_FEATURES]

    def lesion_data(self) -> dict[str, Any]:
        data = {name: self.cleaned_data.get(name) for name in ("site", "side", "modality")}
        data["level"] = (self.cleaned_data.get("level") or "").strip()
        for feature in LESION_FEATURES:
            data[feature] = bool(self.cleaned_data.get(feature))
        if self.cleaned_data.get("id"):
            data["id"] = self.cleaned_data["id"]
        return data


BLANK_ROW = gettext_lazy("Fill in or remove this row.")


class BaseLesionFormSet(forms.BaseFormSet):
    def rows(self) -> list[tuple[LesionForm, int | None]]:
        """Each row with its number as the page shows it: rows marked for removal are hidden and not
        counted (static/js/lesions.js numbers the visible rows the same way), so "Lesion 2" in a message
        is the row the page calls Lesion 2."""
        rows: list[tuple[LesionForm, int | None]] = []
        number = 0
        for form in self.forms:
            removed = self.can_delete and bool(form[DELETION_FIELD_NAME].data)
            if not removed:
                number += 1
            rows.append((form, None if removed else number))
        return rows

    def clean(self) -> None:
        # A row added and left blank is an error, not silently no lesion: the episode would save with
        # fewer lesions than the page showed.
        for form, number in self.rows():
            if number is not None and not form.has_changed() and not form.initial.get("id"):
                form.add_error(None, ValidationError(BLANK_ROW, code="blank_row"))
        # The contract's limit, counted as the service will count it: removed rows are not lesions.
        # Refused here so that everything typed stays in the form.
        count = len(kept_lesion_forms(self))
        if count > MAX_LESIONS:
            raise ValidationError(
                _(
                    "%(count)s lesions entered: at most %(max)s per episode. List each bone once, and remove "
                    "the extra rows."
                )
                % {"count": count, "max": MAX_LESIONS},
                code="too_many_lesions",
            )


LesionFormSet = forms.formset_factory(LesionForm, formset=BaseLesionFormSet, extra=0, can_delete=True)


def lesion_initial(episode: Episode) -> list[dict[str, Any]]:
    fields = ("id", "site", "side", "level", "modality", *LESION_FEATURES)
    return [{name: getattr(lesion, name) for name in fields} for lesion in episode.lesions.all()]


def kept_lesion_forms(formset: Any) -> list[LesionForm]:
    """The lesion forms that become lesions, in order: not removed, and not left blank (a blank row is an
    error of the formset, so a valid formset has none)."""
    return [
        form
        for form in formset.forms
        # A row typed in, or a stored lesion (its id): a model form's initial always holds the defaults.
        if form.has_changed() or form.initial.get("id")
        if not (formset.can_delete and formset._should_delete_form(form))
    ]
