"""Browser forms: a patient, an episode with its lesions and biopsy, and the working-site switcher.

Forms only parse and check what a person typed; saving goes through patients.services. Canonical units
are the contract's (mg/L, g/L): a unit select next to CRP and haemoglobin converts other units here.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from exclusion.engine.schema import MAX_LESIONS
from patients.choices import (
    LESION_FEATURES,
    LEVEL_MAX_LENGTH,
    RANGES,
    UNITS,
    BiopsyCulture,
    BloodCulture,
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


def _label(model: type, name: str) -> str:
    label = str(model._meta.get_field(name).verbose_name)
    # Units are shown beside the input; keep the label short.
    label = re.sub(r"\s*\((mg/L|mm/h|×10⁹/L|g/L|U/L|°C|0–10|0–3)\)$", "", label)
    return label[:1].upper() + label[1:]


class NumberField(forms.FloatField):
    def prepare_value(self, value: Any) -> Any:
        # Show 20 rather than 20.0: as a person typed it.
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value


def _number(model: type, name: str, **kwargs: Any) -> forms.FloatField:
    # No min/max on the widget: the server checks ranges after unit conversion, and names the field.
    return NumberField(
        label=kwargs.pop("label", _label(model, name)),
        required=False,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        **kwargs,
    )


def _tri(model: type, name: str, **kwargs: Any) -> TriStateField:
    return TriStateField(label=kwargs.pop("label", _label(model, name)), **kwargs)


def _blank_choices(choices: list, blank: str = "Unknown") -> list:
    return [("", blank), *choices]


CRP_UNITS = [("mg_l", "mg/L"), ("mg_dl", "mg/dL")]
HB_UNITS = [("g_l", "g/L"), ("g_dl", "g/dL")]

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


class PatientForm(forms.Form):
    record_number = forms.CharField(
        label="Record number",
        max_length=32,
        help_text="A pseudonymous number, never a name.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    sex = forms.ChoiceField(label="Sex", choices=Sex.choices, initial=Sex.UNKNOWN)
    birth_date = forms.DateField(label="Birth date", required=False, widget=DATE_WIDGET())

    def __init__(self, *args: Any, sites: list | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sites = sites or []
        if len(sites) > 1:
            self.fields["site"] = forms.TypedChoiceField(
                label="Site", choices=[(site.id, f"{site.code} — {site.name}") for site in sites], coerce=int
            )
            self.order_fields(["site"])
        self.sites = {site.id: site for site in sites}

    def clean_birth_date(self) -> datetime.date | None:
        value = self.cleaned_data.get("birth_date")
        if value and value > datetime.date.today():
            raise ValidationError("The birth date is in the future.")
        return value

    def site(self) -> Any:
        if "site" in self.fields:
            return self.sites[self.cleaned_data["site"]]
        return next(iter(self.sites.values()))


class EpisodeForm(forms.Form):
    """Every episode input of the case contract, plus the biopsy (flattened, prefixed `biopsy_`)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    assessed_on = forms.DateField(label="Assessed on", widget=DATE_WIDGET())
    onset_on = forms.DateField(label="Onset on", required=False, widget=DATE_WIDGET())
    age_years = _number(Episode, "age_years", label="Age at assessment (years)")
    age_at_onset_years = _number(Episode, "age_at_onset_years", label="Age at onset (years)")

    bone_pain = _tri(Episode, "bone_pain")
    local_swelling = _tri(Episode, "local_swelling")
    night_pain = _tri(Episode, "night_pain")
    fever = _tri(Episode, "fever", label="Fever reported")
    max_temperature_c = _number(Episode, "max_temperature_c", label="Highest temperature")
    weight_loss = _tri(Episode, "weight_loss")
    night_sweats = _tri(Episode, "night_sweats")
    ill_appearance = _tri(Episode, "ill_appearance")
    back_pain = _tri(Episode, "back_pain")

    hepatomegaly = _tri(Episode, "hepatomegaly")
    splenomegaly = _tri(Episode, "splenomegaly")
    lymphadenopathy = _tri(Episode, "lymphadenopathy")
    bruising_or_purpura = _tri(Episode, "bruising_or_purpura", label="Bruising or purpura")
    gum_bleeding = _tri(Episode, "gum_bleeding")
    restricted_diet = _tri(Episode, "restricted_diet")
    neonatal_pustulosis = _tri(Episode, "neonatal_pustulosis")
    consanguinity_or_affected_sibling = _tri(
        Episode, "consanguinity_or_affected_sibling", label="Consanguinity or affected sibling"
    )
    palmoplantar_pustulosis = _tri(Episode, "palmoplantar_pustulosis")
    psoriasis = _tri(Episode, "psoriasis")
    severe_acne = _tri(Episode, "severe_acne")
    inflammatory_bowel_disease = _tri(Episode, "inflammatory_bowel_disease")
    immunocompromised = _tri(Episode, "immunocompromised")
    tb_exposure = _tri(Episode, "tb_exposure", label="Tuberculosis exposure")
    sustained_response_to_antibiotics_alone = _tri(
        Episode, "sustained_response_to_antibiotics_alone", label="Sustained response to antibiotics alone"
    )

    crp_mg_l = _number(Episode, "crp_mg_l", label="CRP")
    crp_unit = forms.ChoiceField(
        label="CRP unit",
        choices=CRP_UNITS,
        initial="mg_l",
        required=False,
        widget=forms.Select(attrs={"aria-label": "CRP unit"}),
    )
    esr_mm_h = _number(Episode, "esr_mm_h", label="ESR")
    wbc_10e9_l = _number(Episode, "wbc_10e9_l", label="WBC")
    neutrophils_10e9_l = _number(Episode, "neutrophils_10e9_l", label="Neutrophils")
    hemoglobin_g_l = _number(Episode, "hemoglobin_g_l", label="Haemoglobin")
    hemoglobin_unit = forms.ChoiceField(
        label="Haemoglobin unit",
        choices=HB_UNITS,
        initial="g_l",
        required=False,
        widget=forms.Select(attrs={"aria-label": "Haemoglobin unit"}),
    )
    platelets_10e9_l = _number(Episode, "platelets_10e9_l", label="Platelets")
    ldh_u_l = _number(Episode, "ldh_u_l", label="LDH")
    ldh_uln_u_l = _number(Episode, "ldh_uln_u_l", label="LDH upper limit")
    alp_u_l = _number(Episode, "alp_u_l", label="ALP")
    alp_lln_u_l = _number(Episode, "alp_lln_u_l", label="ALP lower limit")
    blasts_on_smear = _tri(Episode, "blasts_on_smear", label="Blasts on blood smear")
    vitamin_c_low = _tri(Episode, "vitamin_c_low", label="Vitamin C low")
    blood_culture = forms.TypedChoiceField(
        label="Blood culture", choices=_blank_choices(BloodCulture.choices), required=False, empty_value=None
    )

    pain_vas = _number(Episode, "pain_vas", label="Pain (VAS)")
    patient_global_vas = _number(Episode, "patient_global_vas", label="Patient global (VAS)")
    physician_global_vas = _number(Episode, "physician_global_vas", label="Physician global (VAS)")
    chaq = _number(Episode, "chaq", label="CHAQ")

    whole_body_mri = _tri(Episode, "whole_body_mri", label="Whole-body MRI (including the spine) done")

    biopsy_taken = forms.BooleanField(label="A bone biopsy was taken", required=False)
    biopsy_histology = forms.TypedChoiceField(
        label="Histology", choices=_blank_choices(Histology.choices), required=False, empty_value=None
    )
    biopsy_culture = forms.TypedChoiceField(
        label="Culture", choices=_blank_choices(BiopsyCulture.choices), required=False, empty_value=None
    )
    biopsy_on_antibiotics = TriStateField(label="Taken on antibiotics")

    def __init__(self, *args: Any, patient: Patient, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.patient = patient
        for name, text in HELP.items():
            self.fields[name].help_text = text
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
        # Unit helper: convert to the contract's canonical units before checking ranges.
        if data.get("crp_mg_l") is not None and data.get("crp_unit") == "mg_dl":
            data["crp_mg_l"] = round(data["crp_mg_l"] * 10, 4)
        if data.get("hemoglobin_g_l") is not None and data.get("hemoglobin_unit") == "g_dl":
            data["hemoglobin_g_l"] = round(data["hemoglobin_g_l"] * 10, 4)
        for name, (low, high) in RANGES.items():
            value = data.get(name)
            if name in self.fields and value is not None and not low <= value <= high:
                unit = UNITS.get(name, "")
                unit = "" if unit.startswith("0–") else f" {unit}"
                self.add_error(
                    name,
                    f"Must be between {low} and {high}{unit}; {value:g}{unit} is out of range.",
                )
        self._check_dates(data)
        given = [name for name in BIOPSY_FIELDS if data.get(f"biopsy_{name}") is not None]
        if given and not data.get("biopsy_taken"):
            self.add_error(
                "biopsy_taken", "Tick this when a biopsy was taken, or set the biopsy fields back to Unknown."
            )
        return data

    def _check_dates(self, data: dict[str, Any]) -> None:
        today = datetime.date.today()
        assessed, onset, birth = data.get("assessed_on"), data.get("onset_on"), self.patient.birth_date
        if assessed and assessed > today:
            self.add_error("assessed_on", "The assessment date is in the future.")
        if onset and onset > today:
            self.add_error("onset_on", "The onset date is in the future.")
        elif onset and assessed and onset > assessed:
            self.add_error(
                "onset_on", f"Onset must be on or before the assessment date ({assessed:%d %b %Y})."
            )
        if birth and assessed and assessed < birth:
            self.add_error("assessed_on", f"The assessment date is before the birth date ({birth:%d %b %Y}).")
        if birth and onset and onset < birth:
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


class LesionForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    site = forms.ChoiceField(label="Site", choices=_blank_choices(BoneSite.choices, "Choose a site…"))
    side = forms.ChoiceField(label="Side", choices=Side.choices, initial=Side.MIDLINE)
    level = forms.CharField(
        label="Level",
        max_length=LEVEL_MAX_LENGTH,  # the record's and the contract's limit
        required=False,
        help_text="Vertebra or rib, e.g. T7.",
        widget=forms.TextInput(attrs={"size": 5}),
    )
    modality = forms.ChoiceField(label="Imaging", choices=_blank_choices(Modality.choices, "Choose…"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for feature in LESION_FEATURES:
            self.fields[feature] = forms.BooleanField(label=_label(Lesion, feature), required=False)

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


class BaseLesionFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        # The contract's limit, counted as the service will count it: rows removed or left blank are not
        # lesions. Refused here so that everything typed stays in the form.
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
    """The lesion forms that become lesions, in order: not removed, and not left blank."""
    return [
        form
        for form in formset.forms
        if form.has_changed() or form.initial
        if not (formset.can_delete and formset._should_delete_form(form))
    ]
