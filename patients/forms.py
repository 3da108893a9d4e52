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

# Boolean inputs: unknown (empty) is the default and stays null; it never means "no".
TRI_STATE = [("", "Unknown"), ("yes", "Yes"), ("no", "No")]


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


def _label(field: Any) -> str:
    label = str(field.verbose_name)
    # Units are shown beside the input; keep the label short.
    label = re.sub(r"\s*\((mg/L|mm/h|×10⁹/L|g/L|U/L|°C|0–10|0–3)\)$", "", label)
    return label[:1].upper() + label[1:]


# A decimal comma with three digits after it ("1,234") may be a thousands separator: read either way it is
# a thousandfold error, so it is refused rather than guessed.
AMBIGUOUS_COMMA = re.compile(r"[+-]?[1-9][0-9]{0,2},[0-9]{3}")
# Digits with at most one decimal point; no exponents, underscores or spaces inside (float() takes them).
PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
NUMBER_HELP = "Enter a number such as 1.8 (or 1,8), without thousands separators."


def number_text(text: str) -> str:
    """What a person typed, with a decimal comma read as a decimal point ("1,8" -> "1.8").

    Never multiplies and never drops a mark: a comma beside a point ("1.234,5"), several commas ("1,2,3")
    and a comma that may be a thousands separator ("1,234") are refused with a message saying why.
    """
    text = text.strip()
    if "," not in text:
        return text if PLAIN_NUMBER.fullmatch(text) or not text else _not_a_number(text)
    if "." in text or text.count(",") > 1:
        raise ValidationError(
            f"“{text}” mixes decimal marks or uses thousands separators: {NUMBER_HELP}", code="invalid"
        )
    if AMBIGUOUS_COMMA.fullmatch(text):
        whole, fraction = text.split(",")
        raise ValidationError(
            f"“{text}” could be {whole}.{fraction} or {whole}{fraction}: enter the number without the "
            "comma, with a point for the decimals.",
            code="invalid",
        )
    text = text.replace(",", ".")
    return text if PLAIN_NUMBER.fullmatch(text) else _not_a_number(text)


def _not_a_number(text: str) -> str:
    raise ValidationError(f"“{text}” is not a number: {NUMBER_HELP}", code="invalid")


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
        # Show 20 rather than 20.0: as a person typed it.
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value


def _blank_choices(choices: list, blank: str = "Unknown") -> list:
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


CRP_UNITS = [("mg_l", "mg/L"), ("mg_dl", "mg/dL")]
HB_UNITS = [("g_l", "g/L"), ("g_dl", "g/dL")]


@dataclass(frozen=True)
class UnitSlip:
    """A unit a value is often typed in by mistake, and how to convert it to the field's own unit."""

    unit: str
    to_canonical: Callable[[float], float]
    rule: str  # the conversion, as the message states it


def _per_thousand(value: float) -> float:
    return value / 1000


CELLS = UnitSlip("cells/µL", _per_thousand, "1000 cells/µL = 1 ×10⁹/L")
UNIT_SLIPS = {
    "crp_mg_l": UnitSlip("mg/dL", lambda value: value * 10, "1 mg/dL = 10 mg/L"),
    "hemoglobin_g_l": UnitSlip("g/dL", lambda value: value * 10, "1 g/dL = 10 g/L"),
    "max_temperature_c": UnitSlip("°F", lambda value: (value - 32) * 5 / 9, "°C = (°F − 32) × 5/9"),
    "wbc_10e9_l": CELLS,
    "neutrophils_10e9_l": CELLS,
    "platelets_10e9_l": CELLS,
}
# The unit selects beside a field: field -> (the select, its choice for the field's UNIT_SLIPS unit).
UNIT_HELPERS = {"crp_mg_l": ("crp_unit", "mg_dl"), "hemoglobin_g_l": ("hemoglobin_unit", "g_dl")}


def _num(value: float) -> str:
    # As a person writes it: 7.1, 38.5, 310000 (never 3.1e+05, never 7.100000001).
    return f"{value:.2f}".rstrip("0").rstrip(".")


def out_of_range_message(name: str, value: float, typed: float | None = None) -> str:
    """Why `value` (in the field's canonical unit) is refused, and the unit it most likely was in.

    `typed` is the number as typed when a unit select converted it (CRP in mg/dL, haemoglobin in g/dL). The
    range is RANGES' (the engine's contract); the suggestion is computed from it, never written down.
    """
    low, high = RANGES[name]
    unit = UNITS.get(name, "")
    unit = "" if unit.startswith("0–") else f" {unit}"
    side = "above the highest" if value > high else "below the lowest"
    shown = f"{_num(value)}{unit}"
    slip = UNIT_SLIPS.get(name)
    if typed is not None and slip is not None:
        # The unit select converted it: say so, and that the conversion is what went out of range.
        message = (
            f"{_num(typed)} {slip.unit} is {shown}, {side} accepted: must be between {low} and {high}{unit}."
        )
        if low <= typed <= high:
            message += f" If the value was in{unit}, choose{unit} beside the field ({slip.rule})."
        return message
    message = f"{shown} is {side} accepted: must be between {low} and {high}{unit}."
    if slip is not None:
        converted = slip.to_canonical(value)
        if low <= converted <= high:
            message += (
                f" It looks like {slip.unit}: {_num(value)} {slip.unit} = {_num(converted)}{unit}"
                f" ({slip.rule}). If so, enter {_num(converted)}"
            )
            message += f" or choose {slip.unit} beside the field." if name in UNIT_HELPERS else "."
    return message


# The sections of the episode form, in the order a clinician works through a consultation.
SECTIONS = [
    ("dates", "Dates", ["assessed_on", "onset_on", "age_years", "age_at_onset_years"]),
    (
        "history",
        "History and symptoms",
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
        "Examination",
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
        "Laboratory",
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
    ("imaging", "Imaging", ["whole_body_mri"]),
    ("activity", "Activity measures", ["pain_vas", "patient_global_vas", "physician_global_vas", "chaq"]),
]
EPISODE_FIELDS = [name for _, _, names in SECTIONS for name in names]
BIOPSY_FIELDS = ("histology", "culture", "on_antibiotics")

HELP = {
    "onset_on": "First symptoms. Leave empty if not known.",
    "age_years": "Only when the birth date is not known.",
    "age_at_onset_years": "Only when the birth date is not known.",
    "ldh_uln_u_l": "The laboratory's upper limit of normal.",
    "alp_lln_u_l": "The laboratory's lower limit of normal (for age).",
    "consanguinity_or_affected_sibling": "Consanguineous parents or an affected sibling.",
    "sustained_response_to_antibiotics_alone": "Lasting improvement on antibiotics alone.",
    "whole_body_mri": "Yes: the MRI lesions below are all there are (none listed means a clean scan). "
    "No or Unknown: an MRI lesion not listed is not taken as absent.",
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
        label="Record number",
        max_length=32,
        help_text="A pseudonymous number, never a name.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    sex = forms.ChoiceField(label="Sex", choices=Sex.choices, initial=Sex.UNKNOWN)
    # Not in the future, no age over 120 years (patients.validators, also the model's rule).
    birth_date = forms.DateField(label="Birth date", required=False, widget=DATE_WIDGET())
    # Shown (by the template) only once an old birth date was questioned; the API has no such step.
    confirm_birth_date = forms.BooleanField(label="The birth date is correct", required=False)

    def __init__(self, *args: Any, sites: list | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sites = sites or []
        if len(sites) > 1:
            self.fields["site"] = forms.TypedChoiceField(
                label="Site", choices=[(site.id, f"{site.code} — {site.name}") for site in sites], coerce=int
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
                        f"Born {birth_date:%d %b %Y}, the patient is {age} years old, which is unusual in a "
                        "children's service. Check the year; if the date is right, tick “The birth date is "
                        "correct” and save again.",
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
        label="CRP unit",
        choices=CRP_UNITS,
        initial="mg_l",
        required=False,
        widget=forms.Select(attrs={"aria-label": "CRP unit"}),
    )
    hemoglobin_unit = forms.ChoiceField(
        label="Haemoglobin unit",
        choices=HB_UNITS,
        initial="g_l",
        required=False,
        widget=forms.Select(attrs={"aria-label": "Haemoglobin unit"}),
    )
    biopsy_taken = forms.BooleanField(label="A bone biopsy was taken", required=False)
    biopsy_histology = forms.TypedChoiceField(
        label="Histology", choices=_blank_choices(Histology.choices), required=False, empty_value=None
    )
    biopsy_culture = forms.TypedChoiceField(
        label="Culture", choices=_blank_choices(BiopsyCulture.choices), required=False, empty_value=None
    )
    biopsy_on_antibiotics = TriStateField(label="Taken on antibiotics")

    class Meta:
        model = Episode
        fields = EPISODE_FIELDS
        formfield_callback = record_formfield
        labels = {
            "age_years": "Age at assessment (years)",
            "age_at_onset_years": "Age at onset (years)",
            "fever": "Fever reported",
            "max_temperature_c": "Highest temperature",
            "tb_exposure": "Tuberculosis exposure",
            "blasts_on_smear": "Blasts on blood smear",
            "vitamin_c_low": "Vitamin C low",
            "pain_vas": "Pain (VAS)",
            "patient_global_vas": "Patient global (VAS)",
            "physician_global_vas": "Physician global (VAS)",
        }
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
                "biopsy_taken", "Tick this when a biopsy was taken, or set the biopsy fields back to Unknown."
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
            self.add_error("assessed_on", f"The assessment date is before the birth date ({birth:%d %b %Y}).")
        if onset and onset < birth:
            self.add_error("onset_on", f"Onset is before the birth date ({birth:%d %b %Y}).")

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


class LesionForm(RecordForm):
    # The lesion's id (not a column a person edits): which stored lesion this row updates.
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Lesion
        fields = ("site", "side", "level", "modality", *LESION_FEATURES)
        formfield_callback = record_formfield
        labels = {"modality": "Imaging"}
        help_texts = {"level": "Vertebra or rib, e.g. T7."}
        widgets = {"level": forms.TextInput(attrs={"size": 5})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = _blank_choices(BoneSite.choices, "Choose a site…")
        self.fields["modality"].choices = _blank_choices(Modality.choices, "Choose…")
        # No default side: the model's "midline" would pass a femur unnoticed. Empty means midline only
        # for a site that is not paired (clean_side).
        side = self.fields["side"]
        side.choices = _blank_choices(Side.choices, "Choose…")
        side.required = False
        side.help_text = "Left or right for paired bones."
        side.initial = None
        if "side" not in (kwargs.get("initial") or {}):
            self.initial.pop("side", None)
        self.order_fields(["id"])

    def clean_side(self) -> str:
        side = self.cleaned_data.get("side") or ""
        site = self.cleaned_data.get("site")
        if site in PAIRED_SITES:
            bone = BoneSite(site).label.lower()
            if not side:
                raise ValidationError(f"Choose left or right: the {bone} is a paired bone.", code="side")
            if side == Side.MIDLINE:
                raise ValidationError(
                    f"The {bone} is a paired bone: choose left or right, not midline.", code="side"
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


BLANK_ROW = "Fill in or remove this row."


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
                f"{count} lesions entered: at most {MAX_LESIONS} per episode. List each bone once, and "
                "remove the extra rows.",
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
