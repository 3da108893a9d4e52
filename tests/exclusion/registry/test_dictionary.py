"""Issue 16, item 1: the REDCap data dictionary, generated from the engine's tables, and records.csv."""

from __future__ import annotations

import copy
import csv
import io

import pytest

from exclusion.engine import canonical_case, schema
from exclusion.registry.dictionary import (
    FIELDS,
    FIELDS_BY_NAME,
    HEADER,
    REDCAP_FIELD_TYPES,
    REDCAP_VALIDATIONS,
    TRISTATE_CHOICES,
    data_dictionary_rows,
    write_data_dictionary,
)
from exclusion.registry.records import (
    RECORD_COLUMNS,
    RowError,
    case_from_rows,
    group_records,
    lesion_from_row,
    record_rows,
    treatment_from_row,
)
from tests.factories import contract_example

REDCAP_HEADER = [
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
]


def dictionary() -> list[dict[str, str]]:
    stream = io.StringIO()
    write_data_dictionary(stream)
    return list(csv.DictReader(io.StringIO(stream.getvalue())))


def test_the_dictionary_has_redcaps_exact_header_and_record_id_first_in_the_patient_form():
    rows = list(data_dictionary_rows())
    assert rows[0] == REDCAP_HEADER == list(HEADER)
    assert all(len(row) == len(HEADER) for row in rows)
    first = dictionary()[0]
    assert (first["Variable / Field Name"], first["Form Name"]) == ("record_id", "patient")


def test_the_dictionary_names_every_column_of_records_csv_and_nothing_else():
    names = [row["Variable / Field Name"] for row in dictionary()]
    assert RECORD_COLUMNS[:3] == ("record_id", "redcap_repeat_instrument", "redcap_repeat_instance")
    assert ["record_id", *RECORD_COLUMNS[3:]] == names
    assert len(set(names)) == len(names)


def test_every_field_uses_a_valid_redcap_field_type_validation_and_variable_name():
    for row in dictionary():
        name = row["Variable / Field Name"]
        assert row["Field Type"] in REDCAP_FIELD_TYPES, name
        assert row["Text Validation Type OR Show Slider Number"] in REDCAP_VALIDATIONS, name
        assert row["Form Name"] in ("patient", "episode", "lesions", "treatments")
        # REDCap: lower case letters, digits and underscores, starting with a letter.
        assert name[0].isalpha() and name == name.lower() and name.replace("_", "").isalnum(), name
        if row["Text Validation Type OR Show Slider Number"]:
            assert row["Field Type"] == "text", name
        if row["Field Type"] in ("radio", "dropdown"):
            assert row["Choices, Calculations, OR Slider Labels"], name


def test_the_contracts_tri_state_booleans_are_radios_with_an_explicit_unknown():
    for group in (schema.SYMPTOMS, schema.FINDINGS, schema.LABS, schema.IMAGING):
        for key, spec in group.items():
            if spec == schema.BOOL:
                field = FIELDS_BY_NAME[key]
                assert (field.field_type, field.choices) == ("radio", TRISTATE_CHOICES)
    assert TRISTATE_CHOICES == "1, Yes | 0, No | 9, Unknown"
    assert FIELDS_BY_NAME["biopsy_on_antibiotics"].choices == TRISTATE_CHOICES
    # Lesion features are true or absent in the contract: two states.
    assert FIELDS_BY_NAME["lesion_marrow_oedema"].field_type == "yesno"


def test_enumerations_are_dropdowns_with_the_contracts_codes():
    assert FIELDS_BY_NAME["lesion_site"].codes == schema.SITES
    assert FIELDS_BY_NAME["lesion_side"].codes == schema.SIDES
    assert FIELDS_BY_NAME["lesion_modality"].codes == schema.MODALITIES
    assert FIELDS_BY_NAME["sex"].codes == schema.SEXES
    assert FIELDS_BY_NAME["blood_culture"].codes == schema.BLOOD_CULTURES
    assert FIELDS_BY_NAME["biopsy_histology"].codes == schema.HISTOLOGIES
    assert FIELDS_BY_NAME["biopsy_culture"].codes == schema.CULTURES
    assert all(FIELDS_BY_NAME[name].field_type == "dropdown" for name in ("lesion_site", "treat_drug_class"))


def test_every_contract_field_is_in_the_dictionary_with_its_range_and_unit():
    for group in (schema.SYMPTOMS, schema.FINDINGS, schema.LABS, schema.ACTIVITY):
        for key, spec in group.items():
            field = FIELDS_BY_NAME[key]
            if spec[0] == "num":
                assert field.validation == "number"
                assert (float(field.minimum), float(field.maximum)) == (spec[1], spec[2])
                assert spec[3] in field.note
    assert {f"lesion_{feature}" for feature in schema.LESION_FEATURES} <= set(FIELDS_BY_NAME)
    crp = FIELDS_BY_NAME["crp_mg_l"]
    assert (crp.minimum, crp.maximum, crp.note) == ("0", "500", "mg/L, 0–500")
    dates = [field.name for field in FIELDS if field.validation == "date_ymd"]
    assert dates == ["birth_date", "assessed_on", "onset_on", "treat_started_on", "treat_stopped_on"]
    assert FIELDS_BY_NAME["lesion_episode"].validation == "integer"


def flat(doc_cases, treatments=()):
    stream = io.StringIO()
    writer = csv.DictWriter(stream, RECORD_COLUMNS)
    writer.writeheader()
    writer.writerows(record_rows("NF-1", doc_cases[0]["patient"], doc_cases, treatments))
    return list(csv.DictReader(io.StringIO(stream.getvalue())))


def read_back(rows):
    (block,) = list(group_records(rows))
    cases = []
    for instance, (_, episode_row) in enumerate(block.episodes, start=1):
        lesions = [row for _, row in block.lesions if row["lesion_episode"] == str(instance)]
        cases.append(case_from_rows(block.patient[1], episode_row, lesions))
    return block, cases


def test_a_case_document_survives_records_csv_and_back_with_biopsy_levels_and_unknowns():
    first = canonical_case(contract_example())
    second = copy.deepcopy(first)
    second["episode"]["assessed_on"] = "2024-08-01"
    second["episode"]["biopsy"] = {"histology": "inflammatory", "culture": None, "on_antibiotics": False}
    second["episode"]["lesions"][0]["level"] = "T7"
    second["episode"]["imaging"] = {"whole_body_mri": True}
    second["episode"]["labs"]["crp_mg_l"] = 7.5
    rows = flat([first, second], [{"drug_class": "nsaid", "drug": "naproxen", "started_on": "2024-05-10"}])
    assert [row["redcap_repeat_instrument"] for row in rows] == [
        "",
        "episode",
        *["lesions"] * 3,
        "episode",
        *["lesions"] * 3,
        "treatments",
    ]
    assert rows[0]["redcap_repeat_instance"] == "" and rows[0]["sex"] == "female"
    assert [
        row["redcap_repeat_instance"] for row in rows if row["redcap_repeat_instrument"] == "lesions"
    ] == [
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
    ]
    assert (
        rows[1]["vitamin_c_low"] == "9" and rows[1]["biopsy_recorded"] == "0" and rows[1]["crp_mg_l"] == "12"
    )
    block, cases = read_back(rows)
    assert [canonical_case(doc) for doc in cases] == [first, second]
    assert treatment_from_row(block.treatments[0][1]) == {
        "drug_class": "nsaid",
        "drug": "naproxen",
        "started_on": "2024-05-10",
        "stopped_on": None,
        "stop_reason": "",
    }


def test_a_bad_value_names_its_column():
    rows = flat([canonical_case(contract_example())])
    rows[2]["lesion_site"] = "knee"
    with pytest.raises(RowError) as caught:
        lesion_from_row(rows[2])
    assert caught.value.column == "lesion_site" and "tibia" in caught.value.message
    rows[1]["fever"] = "yes"
    with pytest.raises(RowError, match="fever"):
        case_from_rows(rows[0], rows[1], [])
