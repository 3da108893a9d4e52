"""The REDCap data dictionary of the app's data, generated from the engine's field tables.

Nothing here is a hand-kept column list: the episode fields come from ``exclusion.engine.schema`` (SYMPTOMS,
FINDINGS, LABS, ACTIVITY, IMAGING, LESION_FEATURES, the enumerations and ranges), labels from the model
fields' verbose names, treatments from the Treatment model and its choices. A field added to the contract
appears in the dictionary, in records.csv and in the importer without an edit here.

Forms (REDCap instruments): ``patient`` (not repeating, ``record_id`` first), then the repeating
instruments ``episode``, ``lesions`` and ``treatments``. Field types are REDCap's: ``text`` (with
``date_ymd``, ``integer`` or ``number`` validation, or none for a short label), ``radio`` for the contract's
tri-state booleans (``1, Yes | 0, No | 9, Unknown``: unknown is an explicit answer, never a blank read as
"no"), ``yesno`` for two-state flags (lesion features, biopsy recorded) and ``dropdown`` for enumerations
(the raw value is the contract's code, e.g. ``spine_thoracic``).

Variable names are the contract's keys (episode fields) or the key with a form prefix (``lesion_``,
``biopsy_``, ``treat_``) where a bare key would be ambiguous. REDCap warns about names longer than 26
characters (e.g. ``sustained_response_to_antibiotics_alone``) but accepts them; they are kept so a column
reads as the contract field it is.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from django.db import models

from exclusion.engine import schema
from patients.choices import (
    BiopsyCulture,
    BloodCulture,
    BoneSite,
    DrugClass,
    Histology,
    Modality,
    Sex,
    Side,
    StopReason,
)
from patients.models import Biopsy, Episode, Lesion, Patient, Treatment

HEADER = (
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
)

# REDCap's own vocabularies (the ones this dictionary may use).
REDCAP_FIELD_TYPES = frozenset(
    (
        "text",
        "notes",
        "dropdown",
        "radio",
        "checkbox",
        "yesno",
        "truefalse",
        "file",
        "calc",
        "slider",
        "descriptive",
    )
)
REDCAP_VALIDATIONS = frozenset(("", "date_ymd", "integer", "number"))

FORMS = ("patient", "episode", "lesions", "treatments")
REPEATING_FORMS = ("episode", "lesions", "treatments")

# Tri-state answers (contract true / false / null) and their REDCap codes.
YES, NO, UNKNOWN = "1", "0", "9"
TRISTATE_CHOICES = f"{YES}, Yes | {NO}, No | {UNKNOWN}, Unknown"

# What a column holds, for records.py and the de-identification (not written to the dictionary).
KIND_TRISTATE = "tristate"  # radio 1/0/9
KIND_FLAG = "flag"  # yesno 1/0, never unknown
KIND_NUMBER = "number"
KIND_INTEGER = "integer"
KIND_DATE = "date"
KIND_CHOICE = "choice"
KIND_LABEL = "label"  # a short structured label (lesion level, e.g. T7)
KIND_FREE_TEXT = "free_text"  # typed by a person: dropped from de-identified exports
KIND_ID = "id"


@dataclass(frozen=True)
class Field:
    """One REDCap variable. ``group``/``key`` say where it lives in a case document or a treatment course:
    group is ``patient``, ``episode`` (top-level episode scalars), a contract section
    (``symptoms``, ``findings``, ``labs``, ``biopsy``, ``activity``, ``imaging``), ``lesion``, ``treatment``
    or ``record``."""

    name: str
    form: str
    field_type: str
    label: str
    kind: str
    group: str
    key: str
    choices: str = ""
    note: str = ""
    validation: str = ""
    minimum: str = ""
    maximum: str = ""
    identifier: bool = False
    section: str = ""
    branching: str = ""
    required: bool = False
    annotation: str = ""

    @property
    def codes(self) -> tuple[str, ...]:
        """The raw values a choice field accepts (empty for other fields)."""
        if not self.choices:
            return ()
        return tuple(part.split(",", 1)[0].strip() for part in self.choices.split("|"))

    def row(self) -> list[str]:
        return [
            self.name,
            self.form,
            self.section,
            self.field_type,
            self.label,
            self.choices,
            self.note,
            self.validation,
            self.minimum,
            self.maximum,
            "y" if self.identifier else "",
            self.branching,
            "y" if self.required else "",
            "",
            "",
            "",
            "",
            self.annotation,
        ]


def _label(model: type[models.Model], name: str) -> str:
    text = str(model._meta.get_field(name).verbose_name)
    return text[:1].upper() + text[1:]


def _choices(choices: type[models.TextChoices]) -> str:
    return " | ".join(f"{value}, {label}" for value, label in choices.choices)


def _limit(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _from_spec(
    name: str, form: str, group: str, key: str, spec: schema.FieldSpec, label: str, section: str = ""
) -> Field:
    """A field of the contract's tables (("bool",), ("num", low, high, unit) or ("enum", choices))."""
    if spec[0] == "bool":
        return Field(
            name, form, "radio", label, KIND_TRISTATE, group, key, choices=TRISTATE_CHOICES, section=section
        )
    if spec[0] == "num":
        _, low, high, unit = spec
        note = f"{unit}, {_limit(low)}–{_limit(high)}" if unit else f"{_limit(low)}–{_limit(high)}"
        return Field(
            name,
            form,
            "text",
            label,
            KIND_NUMBER,
            group,
            key,
            note=note,
            validation="number",
            minimum=_limit(low),
            maximum=_limit(high),
            section=section,
        )
    enum = _ENUMS[spec[1]]
    return Field(
        name, form, "dropdown", label, KIND_CHOICE, group, key, choices=_choices(enum), section=section
    )


# The contract's enumerations and the TextChoices that label them (same codes, checked by the tests).
_ENUMS: dict[tuple[str, ...], type[models.TextChoices]] = {
    schema.BLOOD_CULTURES: BloodCulture,
    schema.HISTOLOGIES: Histology,
    schema.CULTURES: BiopsyCulture,
}


def _date(name: str, form: str, group: str, key: str, label: str, **extra: Any) -> Field:
    return Field(
        name, form, "text", label, KIND_DATE, group, key, note="YYYY-MM-DD", validation="date_ymd", **extra
    )


def _patient_fields() -> list[Field]:
    return [
        Field(
            "record_id",
            "patient",
            "text",
            "Record number",
            KIND_ID,
            "record",
            "record_number",
            note="The site's pseudonymous record number (a keyed hash in de-identified exports)",
            required=True,
        ),
        Field(
            "sex",
            "patient",
            "dropdown",
            _label(Patient, "sex"),
            KIND_CHOICE,
            "patient",
            "sex",
            choices=_choices(Sex),
            required=True,
        ),
        _date(
            "birth_date", "patient", "patient", "birth_date", _label(Patient, "birth_date"), identifier=True
        ),
    ]


def _episode_fields() -> list[Field]:
    low, high = schema.AGE_RANGE
    fields = [
        _date(
            "assessed_on", "episode", "episode", "assessed_on", _label(Episode, "assessed_on"), required=True
        ),
        _date("onset_on", "episode", "episode", "onset_on", _label(Episode, "onset_on")),
    ]
    for key in ("age_years", "age_at_onset_years"):
        fields.append(
            Field(
                key,
                "episode",
                "text",
                _label(Episode, key),
                KIND_NUMBER,
                "episode",
                key,
                note=f"years, {low}–{high}; only without a birth date",
                validation="number",
                minimum=str(low),
                maximum=str(high),
                branching="[birth_date] = ''",
            )
        )
    for group, table, section in (
        ("symptoms", schema.SYMPTOMS, "Symptoms"),
        ("findings", schema.FINDINGS, "Findings"),
        ("labs", schema.LABS, "Laboratory"),
    ):
        for index, (key, spec) in enumerate(table.items()):
            fields.append(
                _from_spec(
                    key, "episode", group, key, spec, _label(Episode, key), section if index == 0 else ""
                )
            )
    fields.append(
        Field(
            "biopsy_recorded",
            "episode",
            "yesno",
            "Biopsy recorded",
            KIND_FLAG,
            "biopsy",
            "",
            section="Biopsy",
            note="No: no biopsy on record (the biopsy fields stay empty)",
        )
    )
    biopsy_specs: dict[str, schema.FieldSpec] = {
        "histology": ("enum", schema.HISTOLOGIES),
        "culture": ("enum", schema.CULTURES),
        "on_antibiotics": schema.BOOL,
    }
    for key in schema.BIOPSY_KEYS:
        spec = _from_spec(f"biopsy_{key}", "episode", "biopsy", key, biopsy_specs[key], _label(Biopsy, key))
        fields.append(replace(spec, branching="[biopsy_recorded] = '1'"))
    for index, (key, spec) in enumerate(schema.ACTIVITY.items()):
        fields.append(
            _from_spec(
                key, "episode", "activity", key, spec, _label(Episode, key), "Activity" if index == 0 else ""
            )
        )
    for index, (key, spec) in enumerate(schema.IMAGING.items()):
        fields.append(
            _from_spec(
                key, "episode", "imaging", key, spec, _label(Episode, key), "Imaging" if index == 0 else ""
            )
        )
    return fields


def _lesion_fields() -> list[Field]:
    fields = [
        Field(
            "lesion_episode",
            "lesions",
            "text",
            "Episode instance",
            KIND_INTEGER,
            "lesion",
            "",
            note="The redcap_repeat_instance of the episode this lesion was seen at",
            validation="integer",
            minimum="1",
            required=True,
        ),
        Field(
            "lesion_site",
            "lesions",
            "dropdown",
            _label(Lesion, "site"),
            KIND_CHOICE,
            "lesion",
            "site",
            choices=_choices(BoneSite),
            required=True,
        ),
        Field(
            "lesion_side",
            "lesions",
            "dropdown",
            _label(Lesion, "side"),
            KIND_CHOICE,
            "lesion",
            "side",
            choices=_choices(Side),
            required=True,
        ),
        Field(
            "lesion_modality",
            "lesions",
            "dropdown",
            _label(Lesion, "modality"),
            KIND_CHOICE,
            "lesion",
            "modality",
            choices=_choices(Modality),
            required=True,
        ),
        Field(
            "lesion_level",
            "lesions",
            "text",
            _label(Lesion, "level"),
            KIND_LABEL,
            "lesion",
            "level",
            note=f"Vertebra or rib, e.g. T7 or 6; at most {schema.LEVEL_MAX_LEN} characters",
        ),
    ]
    for key in schema.LESION_FEATURES:
        fields.append(
            Field(f"lesion_{key}", "lesions", "yesno", _label(Lesion, key), KIND_FLAG, "lesion", key)
        )
    return fields


def _treatment_fields() -> list[Field]:
    return [
        Field(
            "treat_drug_class",
            "treatments",
            "dropdown",
            _label(Treatment, "drug_class"),
            KIND_CHOICE,
            "treatment",
            "drug_class",
            choices=_choices(DrugClass),
            required=True,
        ),
        Field(
            "treat_drug",
            "treatments",
            "text",
            _label(Treatment, "drug"),
            KIND_FREE_TEXT,
            "treatment",
            "drug",
            note="The drug's name, no dose (left empty in de-identified exports)",
            required=True,
        ),
        _date(
            "treat_started_on",
            "treatments",
            "treatment",
            "started_on",
            _label(Treatment, "started_on"),
            required=True,
        ),
        _date(
            "treat_stopped_on",
            "treatments",
            "treatment",
            "stopped_on",
            _label(Treatment, "stopped_on"),
            annotation="Empty while ongoing",
        ),
        Field(
            "treat_stop_reason",
            "treatments",
            "dropdown",
            _label(Treatment, "stop_reason"),
            KIND_CHOICE,
            "treatment",
            "stop_reason",
            choices=_choices(StopReason),
            branching="[treat_stopped_on] <> ''",
        ),
    ]


FIELDS: tuple[Field, ...] = (*_patient_fields(), *_episode_fields(), *_lesion_fields(), *_treatment_fields())
FIELDS_BY_NAME: dict[str, Field] = {field.name: field for field in FIELDS}


def form_fields(form: str) -> tuple[Field, ...]:
    return tuple(field for field in FIELDS if field.form == form)


def data_dictionary_rows() -> Iterator[list[str]]:
    """REDCap's header, then one row per field in form order."""
    yield list(HEADER)
    for field in FIELDS:
        yield field.row()


def write_data_dictionary(stream: Any) -> int:
    """Write data_dictionary.csv to a text stream; returns the number of fields."""
    writer = csv.writer(stream, lineterminator="\n")
    count = -1
    for row in data_dictionary_rows():
        writer.writerow(row)
        count += 1
    return count
