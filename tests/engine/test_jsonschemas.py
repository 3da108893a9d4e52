"""The published JSON Schemas: current on disk, accept every real case and assessment, and agree with the
engine's own validation on every rule a schema can express."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest

from exclusion import engine
from exclusion.engine import jsonschemas
from exclusion.engine import schema as contract

from .helpers import EXAMPLE, HERE, TODAY

ROOT = HERE.parent.parent
SCHEMA_DIR = ROOT / "docs" / "schemas"
DEMO = ROOT / "demo_data"


def validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


CASE = validator(jsonschemas.case_schema())
ASSESSMENT = validator(jsonschemas.assessment_schema())


def real_cases() -> list[tuple[str, dict[str, Any]]]:
    """The contract's example, every vignette and every demo episode."""
    manifest = json.loads((DEMO / "manifest.json").read_text())
    paths = [
        HERE / "example_case.json",
        *sorted((HERE / "vignettes").glob("*.json")),
        *(DEMO / e["file"] for p in manifest["patients"] for e in p["episodes"]),
    ]
    return [(path.name, json.loads(path.read_text(encoding="utf-8"))) for path in paths]


REAL = real_cases()


@pytest.mark.parametrize("name", list(jsonschemas.published()))
def test_the_files_in_docs_schemas_are_the_generated_schemas(name):
    path = SCHEMA_DIR / name
    assert path.read_text(encoding="utf-8") == jsonschemas.render(jsonschemas.published()[name]), (
        f"{path} is stale: run `python -m exclusion.engine.jsonschemas docs/schemas`"
    )


@pytest.mark.parametrize("name", list(jsonschemas.published()))
def test_both_schemas_are_valid_draft_2020_12_schemas(name):
    schema = jsonschemas.published()[name]
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_the_generator_writes_both_files(tmp_path):
    assert jsonschemas.main([str(tmp_path / "out")]) == 0
    for name, schema in jsonschemas.published().items():
        assert json.loads((tmp_path / "out" / name).read_text(encoding="utf-8")) == schema


def test_the_corpus_of_real_cases_covers_the_example_the_vignettes_and_the_demo_data():
    assert len(REAL) > 1 + 10 + 40


@pytest.mark.parametrize(("name", "doc"), REAL, ids=[name for name, _ in REAL])
def test_every_real_case_and_its_assessment_validate(name, doc):
    assert [e.message for e in CASE.iter_errors(doc)] == []
    assert [e.message for e in ASSESSMENT.iter_errors(engine.assess(doc))] == []


def test_the_assessment_schema_lists_every_key_the_engine_writes_in_its_order():
    schema = jsonschemas.assessment_schema()
    result = engine.assess(copy.deepcopy(EXAMPLE))
    assert list(schema["properties"]) == list(result) == schema["required"]
    assert list(schema["properties"]["eular_acr_2025"]["properties"]) == list(result["eular_acr_2025"])
    assert result["ruleset"] == engine.RULESET_VERSION


def test_the_assessment_schema_rejects_an_extra_key_and_a_status_not_in_the_vocabulary():
    result = engine.assess(copy.deepcopy(EXAMPLE))
    assert ASSESSMENT.is_valid(result)
    assert not ASSESSMENT.is_valid({**result, "diagnosis": "CNO"})
    bad = copy.deepcopy(result)
    bad["differentials"]["infection"]["status"] = "ruled_out"
    assert not ASSESSMENT.is_valid(bad)
    bad = copy.deepcopy(result)
    bad["eular_acr_2025"]["score"] = 7
    assert not ASSESSMENT.is_valid(bad)


# --- agreement with validate_case -----------------------------------------------------------------------
# Left out on purpose, because no JSON Schema can say them: dates in the future (the schema has no
# "today"), dates out of order (onset before birth, assessment before onset) and an age at onset above
# the age. validate_case alone checks those.


def edited(path: str, value: Any = None, *, delete: bool = False) -> dict[str, Any]:
    """The example with one dotted path ("episode.lesions.0.site") set to ``value`` or deleted."""
    doc = copy.deepcopy(EXAMPLE)
    *parents, leaf = path.split(".")
    node: Any = doc
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    key: Any = int(leaf) if isinstance(node, list) else leaf
    if delete:
        del node[key]
    else:
        node[key] = value
    return doc


def corpus() -> Iterator[tuple[str, Any, bool]]:
    """(label, document, valid?) for edits of the contract's example, each on one rule."""
    yield "the example", copy.deepcopy(EXAMPLE), True
    for doc in ([], "cno-case/1", None, 1):
        yield f"document {doc!r}", doc, False

    # An unknown key at every level.
    with_biopsy = edited("episode.biopsy", {"histology": "inflammatory", "culture": "no_growth"})
    yield "a biopsy object", with_biopsy, True
    for parent in ("", "patient.", "episode.", "episode.lesions.0."):
        yield f"unknown key under {parent or 'the top'}", edited(parent + "crp_mg_dl", 12), False
    for section in ("symptoms", "findings", "labs", "activity"):
        yield f"unknown key in {section}", edited(f"episode.{section}.crp_mg_dl", 1), False
    yield "unknown key in imaging", edited("episode.imaging", {"whole_body": True}), False
    biopsy = copy.deepcopy(with_biopsy)
    biopsy["episode"]["biopsy"]["grade"] = 2
    yield "unknown key in biopsy", biopsy, False

    # Wrong enumerations, and null where the contract requires a value.
    for path, good, bad in (
        ("schema", "cno-case/1", "cno-case/2"),
        ("patient.sex", "unknown", "f"),
        ("episode.labs.blood_culture", "not_done", "sterile"),
        ("episode.lesions.0.site", "other", "knee"),
        ("episode.lesions.0.side", "midline", "both"),
        ("episode.lesions.0.modality", "bone_scan", "pet"),
    ):
        yield f"{path} = {good}", edited(path, good), True
        yield f"{path} = {bad}", edited(path, bad), False
        yield f"{path} = null", edited(path, None), path == "episode.labs.blood_culture"
    for key, codes in (("histology", contract.HISTOLOGIES), ("culture", contract.CULTURES)):
        for value, valid in ((codes[-1], True), (None, True), ("unknown", False), (1, False)):
            doc = copy.deepcopy(with_biopsy)
            doc["episode"]["biopsy"][key] = value
            yield f"biopsy.{key} = {value!r}", doc, valid
    for value, valid in ((True, True), (None, True), (0, False), ("yes", False)):
        doc = copy.deepcopy(with_biopsy)
        doc["episode"]["biopsy"]["on_antibiotics"] = value
        yield f"biopsy.on_antibiotics = {value!r}", doc, valid

    # Every field of every section: its range, its type, and bool versus number both ways.
    low, high = contract.AGE_RANGE
    tables = {
        "symptoms": contract.SYMPTOMS,
        "findings": contract.FINDINGS,
        "labs": contract.LABS,
        "activity": contract.ACTIVITY,
        "imaging": contract.IMAGING,
    }
    fields = [(f"episode.{s}.{k}", spec) for s, table in tables.items() for k, spec in table.items()]
    fields += [(f"episode.{k}", ("num", low, high, "years")) for k in ("age_years", "age_at_onset_years")]
    for path, spec in fields:
        if path.startswith("episode.imaging."):
            base = edited("episode.imaging", {})
        else:
            base = edited("episode.age_years", None) if "age" in path else copy.deepcopy(EXAMPLE)
        yield f"{path} = null", set_in(base, path, None), True
        if spec[0] == "num":
            _, lo, hi, _unit = spec
            for value, valid in (
                (lo, True),
                (hi, True),
                (hi - 0.5 if hi - lo >= 1 else (lo + hi) / 2, True),
                (lo - 0.01, False),
                (hi + 0.01, False),
                (hi * 10 + 1, False),
                (True, False),
                (False, False),
                (str(lo), False),
                ([lo], False),
            ):
                yield f"{path} = {value!r}", set_in(base, path, value), valid
        elif spec[0] == "bool":
            for value, valid in ((True, True), (False, True), (1, False), (0, False), ("true", False)):
                yield f"{path} = {value!r}", set_in(base, path, value), valid

    # Lesion features are true or false, never null; level is a short, non-blank label.
    for feature in contract.LESION_FEATURES:
        path = f"episode.lesions.0.{feature}"
        for value, valid in ((True, True), (False, True), (None, False), (1, False)):
            yield f"{path} = {value!r}", edited(path, value), valid
    for value, valid in (
        ("T7", True),
        ("x" * contract.LEVEL_MAX_LEN, True),
        ("x" * (contract.LEVEL_MAX_LEN + 1), False),
        ("", False),
        ("   ", False),
        (None, True),
        (7, False),
    ):
        yield f"level = {value!r}", edited("episode.lesions.0.level", value), valid
    yield "a lesion that is not an object", edited("episode.lesions.0", "tibia"), False

    # Missing required fields, and sections that are null or not objects.
    for path in (
        "schema",
        "patient",
        "episode",
        "patient.sex",
        "episode.assessed_on",
        "episode.lesions",
        "episode.lesions.0.site",
        "episode.lesions.0.modality",
    ):
        yield f"{path} missing", edited(path, delete=True), False
    for path in ("patient.birth_date", "episode.onset_on", "episode.lesions.0.side", "episode.symptoms"):
        yield f"{path} missing (optional)", edited(path, delete=True), True
    for path, valid in (
        ("patient", False),
        ("episode", False),
        ("episode.assessed_on", False),
        ("episode.lesions", False),
        ("episode.symptoms", False),
        ("episode.findings", False),
        ("episode.labs", False),
        ("episode.activity", False),
        ("episode.imaging", True),
        ("episode.biopsy", True),
        ("patient.birth_date", True),
        ("episode.onset_on", True),
    ):
        yield f"{path} = null", edited(path, None), valid
    for path in ("episode.labs", "episode.imaging", "episode.biopsy", "episode.lesions", "patient"):
        yield f"{path} = a string", edited(path, "none"), False
    yield "episode.labs = a list", edited("episode.labs", []), False

    # The lesion limit.
    lesion = EXAMPLE["episode"]["lesions"][0]
    yield "no lesion", edited("episode.lesions", []), True
    yield f"{contract.MAX_LESIONS} lesions", edited("episode.lesions", [lesion] * contract.MAX_LESIONS), True
    yield (
        f"{contract.MAX_LESIONS + 1} lesions",
        edited("episode.lesions", [lesion] * (contract.MAX_LESIONS + 1)),
        False,
    )

    # Dates: the format and the calendar (both dates of the example stay in order).
    for path in ("patient.birth_date", "episode.onset_on", "episode.assessed_on"):
        original = edited(path, None)
        value_now = _get(EXAMPLE, path)
        yield f"{path} = {value_now}", set_in(original, path, value_now), True
        for bad in (
            "2014-3-02",
            "02/03/2014",
            "2014-02-30",
            "2014-13-01",
            "20140302",
            "2014-03-02T00:00",
            " ",
            2014,
        ):
            yield f"{path} = {bad!r}", set_in(original, path, bad), False
        yield f"{path} with a trailing newline", set_in(original, path, value_now + "\n"), False


def _get(doc: Any, path: str) -> Any:
    for part in path.split("."):
        doc = doc[part]
    return doc


def set_in(doc: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of ``doc`` with the dotted path (every parent an object) set to ``value``."""
    doc = copy.deepcopy(doc)
    *parents, leaf = path.split(".")
    node = doc
    for part in parents:
        node = node[part]
    node[leaf] = value
    return doc


CORPUS = list(corpus())


def test_the_corpus_has_a_few_hundred_documents_most_of_them_invalid():
    assert len(CORPUS) > 300
    assert sum(not valid for _, _, valid in CORPUS) > 200


@pytest.mark.parametrize(("label", "doc", "valid"), CORPUS, ids=[label for label, _, _ in CORPUS])
def test_the_case_schema_and_the_engine_agree_on_each_document(label, doc, valid):
    engine_errors = engine.validate_case(doc, today=TODAY)
    schema_errors = [f"{e.json_path}: {e.message}" for e in CASE.iter_errors(doc)]
    assert (not engine_errors, not schema_errors) == (valid, valid), (engine_errors, schema_errors)
