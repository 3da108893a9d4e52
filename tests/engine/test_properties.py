"""Property tests over generated valid cno-case/1 documents (hypothesis)."""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exclusion.engine import assess, canonical_case, validate_case
from exclusion.engine.schema import (
    ACTIVITY,
    CULTURES,
    FINDINGS,
    HISTOLOGIES,
    LABS,
    LESION_FEATURES,
    MODALITIES,
    SEXES,
    SIDES,
    SITES,
    SYMPTOMS,
)

from .helpers import TODAY, check_shape

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Values at and around every threshold the rules use, plus the whole plausible range.
_BOUNDARIES = {
    "crp_mg_l": [0, 9.9, 10, 29.9, 30, 500],
    "wbc_10e9_l": [0, 3.9, 4.0, 13.5, 13.6, 500],
    "neutrophils_10e9_l": [1.9, 2.0],
    "hemoglobin_g_l": [20, 104.9, 105, 110, 115, 119.9, 120, 129.9, 130, 250],
    "platelets_10e9_l": [0, 149, 150, 250, 251, 450, 451, 3000],
    "max_temperature_c": [30, 37.9, 38.0, 45],
}

pytestmark = pytest.mark.slow  # property-based: hundreds of generated cases per test


def _value(key: str, spec: tuple) -> st.SearchStrategy:
    kind = spec[0]
    if kind == "bool":
        base = st.booleans()
    elif kind == "enum":
        base = st.sampled_from(spec[1])
    else:
        lo, hi = spec[1], spec[2]
        base = st.one_of(st.integers(lo, hi), st.floats(lo, hi, allow_nan=False, allow_infinity=False))
        if key in _BOUNDARIES:
            base = st.one_of(base, st.sampled_from(_BOUNDARIES[key]))
    return st.one_of(st.none(), base)


def _section(table: dict) -> st.SearchStrategy:
    return st.fixed_dictionaries({}, optional={k: _value(k, spec) for k, spec in table.items()})


_lesion = st.builds(
    lambda site, side, modality, level, feats: {
        "site": site,
        **({} if side is None else {"side": side}),
        "modality": modality,
        **({} if level is None else {"level": level}),
        **feats,
    },
    st.sampled_from(SITES),
    st.one_of(st.none(), st.sampled_from(SIDES)),
    st.sampled_from(MODALITIES),
    st.one_of(st.none(), st.sampled_from(["T7", "T8", "L2", "6"])),
    st.fixed_dictionaries({}, optional={f: st.booleans() for f in LESION_FEATURES}),
)

_biopsy = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {},
        optional={
            "histology": st.one_of(st.none(), st.sampled_from(HISTOLOGIES)),
            "culture": st.one_of(st.none(), st.sampled_from(CULTURES)),
            "on_antibiotics": st.one_of(st.none(), st.booleans()),
        },
    ),
)


@st.composite
def cases(draw) -> dict:
    """Valid cno-case/1 documents, with dates consistent and not after TODAY."""
    assessed = draw(st.dates(date(2000, 1, 1), TODAY))
    patient: dict = {"sex": draw(st.sampled_from(SEXES))}
    episode: dict = {"assessed_on": assessed.isoformat()}
    age_mode = draw(st.sampled_from(["birth", "numbers", "none"]))
    if age_mode == "birth":
        birth = assessed - timedelta(days=draw(st.integers(0, 20 * 366)))
        patient["birth_date"] = birth.isoformat()
        if draw(st.booleans()):
            onset = birth + timedelta(days=draw(st.integers(0, (assessed - birth).days)))
            episode["onset_on"] = onset.isoformat()
        elif draw(st.booleans()):
            episode["onset_on"] = None
    elif age_mode == "numbers":
        age = draw(
            st.one_of(
                st.sampled_from([0.4, 0.5, 2.0, 2.99, 3.0, 3.01, 5.0, 12.0, 15.0]),
                st.floats(0, 20, allow_nan=False),
            )
        )
        episode["age_years"] = age
        if draw(st.booleans()):
            episode["age_at_onset_years"] = draw(st.floats(0, age, allow_nan=False))
    for name, table in (
        ("symptoms", SYMPTOMS),
        ("findings", FINDINGS),
        ("labs", LABS),
        ("activity", ACTIVITY),
    ):
        if draw(st.integers(0, 4)):  # mostly present
            episode[name] = draw(_section(table))
    if draw(st.booleans()):
        episode["biopsy"] = draw(_biopsy)
    episode["lesions"] = draw(st.lists(_lesion, max_size=5))
    return {"schema": "cno-case/1", "patient": patient, "episode": episode}


def _run(doc: dict) -> dict:
    return assess(doc, today=TODAY)


@SETTINGS
@given(cases())
def test_every_generated_case_is_valid_and_its_assessment_has_the_contract_shape(doc):
    assert validate_case(doc, today=TODAY) == []
    check_shape(_run(doc))


@SETTINGS
@given(cases())
def test_assessment_is_deterministic_and_does_not_modify_its_input(doc):
    before = copy.deepcopy(doc)
    first = _run(doc)
    assert doc == before
    assert _run(copy.deepcopy(doc)) == first
    assert json.loads(json.dumps(first)) == first


def _set(doc: dict, section: str, **values: object) -> None:
    doc["episode"].setdefault(section, {}).update(values)


def _add_to_lesions(doc: dict, feature: str) -> bool:
    if not doc["episode"]["lesions"]:
        return False  # adding a lesion would change focality, which is not "adding a red flag"
    doc["episode"]["lesions"][0][feature] = True
    return True


def _biopsy_with(doc: dict, **values: object) -> None:
    biopsy = doc["episode"].get("biopsy") or {}
    biopsy.update(values)
    doc["episode"]["biopsy"] = biopsy


# Each adds one red flag of the contract table, changing nothing else. (differential, how)
RED_FLAGS = [
    ("infection", lambda d: _set(d, "symptoms", fever=True)),
    ("infection", lambda d: _set(d, "symptoms", max_temperature_c=39.0)),
    ("infection", lambda d: _set(d, "labs", crp_mg_l=120)),
    ("infection", lambda d: _set(d, "labs", blood_culture="positive")),
    ("infection", lambda d: _add_to_lesions(d, "abscess")),
    ("infection", lambda d: _add_to_lesions(d, "sinus_tract")),
    ("infection", lambda d: _biopsy_with(d, culture="growth")),
    ("infection", lambda d: _set(d, "findings", immunocompromised=True)),
    ("infection", lambda d: _set(d, "findings", tb_exposure=True)),
    ("infection", lambda d: _set(d, "findings", sustained_response_to_antibiotics_alone=True)),
    ("malignancy", lambda d: _set(d, "labs", wbc_10e9_l=2.5)),
    ("malignancy", lambda d: _set(d, "labs", neutrophils_10e9_l=0.5)),
    ("malignancy", lambda d: _set(d, "labs", platelets_10e9_l=40)),
    ("malignancy", lambda d: _set(d, "labs", ldh_u_l=2000, ldh_uln_u_l=300)),
    ("malignancy", lambda d: _set(d, "labs", blasts_on_smear=True)),
    ("malignancy", lambda d: _set(d, "findings", hepatomegaly=True)),
    ("malignancy", lambda d: _set(d, "symptoms", night_sweats=True)),
    ("malignancy", lambda d: _add_to_lesions(d, "cortical_destruction")),
    ("malignancy", lambda d: _biopsy_with(d, histology="lch")),
    ("hypophosphatasia", lambda d: _set(d, "labs", alp_u_l=20, alp_lln_u_l=100)),
    ("scurvy", lambda d: _set(d, "labs", vitamin_c_low=True)),
    ("monogenic", lambda d: _set(d, "findings", neonatal_pustulosis=True)),
    ("monogenic", lambda d: _set(d, "findings", consanguinity_or_affected_sibling=True)),
]


@SETTINGS
@given(cases(), st.sampled_from(range(len(RED_FLAGS))))
def test_adding_a_red_flag_never_lowers_a_differential_from_concern_and_raises_its_own(doc, which):
    before = _run(doc)
    differential, add = RED_FLAGS[which]
    changed = copy.deepcopy(doc)
    if add(changed) is False:
        return
    assert validate_case(changed, today=TODAY) == []
    after = _run(changed)
    for name, d in before["differentials"].items():
        if d["status"] == "concern":
            assert after["differentials"][name]["status"] == "concern", name
    assert after["differentials"][differential]["status"] == "concern"
    assert after["exclusion_complete"] is False


@SETTINGS
@given(cases(), st.sampled_from(HISTOLOGIES), st.sampled_from(["no_growth", "growth"]))
def test_an_adequate_biopsy_never_leaves_a_biopsy_recommended(doc, histology, culture):
    doc["episode"]["biopsy"] = {"histology": histology, "culture": culture, "on_antibiotics": False}
    result = _run(doc)
    assert result["biopsy"]["adequate_biopsy_on_file"] is True
    assert result["biopsy"]["recommended"] is False


@SETTINGS
@given(cases())
def test_canonical_case_is_valid_idempotent_and_keeps_the_assessment(doc):
    canon = canonical_case(doc, today=TODAY)
    assert validate_case(canon, today=TODAY) == []
    assert canonical_case(canon, today=TODAY) == canon
    assert _run(canon) == _run(doc)
    assert list(canon["episode"]["symptoms"]) == list(SYMPTOMS)
    assert list(canon["episode"]["findings"]) == list(FINDINGS)
    assert list(canon["episode"]["labs"]) == list(LABS)
    assert list(canon["episode"]["activity"]) == list(ACTIVITY)
    for raw, lesion in zip(doc["episode"]["lesions"], canon["episode"]["lesions"], strict=True):
        assert list(lesion)[:3] == ["site", "side", "modality"]
        features = [k for k in lesion if k in LESION_FEATURES]
        assert features == [f for f in LESION_FEATURES if raw.get(f) is True]
        assert all(lesion[f] is True for f in features)


def test_canonical_case_of_the_contract_example_keeps_every_field_in_contract_order():
    from .helpers import example

    doc = example()
    canon = canonical_case(doc, today=TODAY)
    assert canon["patient"] == {"sex": "female", "birth_date": "2014-03-02"}
    assert list(canon["episode"]) == [
        "assessed_on",
        "onset_on",
        "symptoms",
        "findings",
        "labs",
        "biopsy",
        "lesions",
        "activity",
    ]
    assert canon["episode"]["symptoms"] == doc["episode"]["symptoms"]
    assert canon["episode"]["lesions"][0] == {
        "site": "tibia",
        "side": "left",
        "modality": "mri",
        "marrow_oedema": True,
        "sclerosis": True,
    }
    minimal = {
        "schema": "cno-case/1",
        "patient": {"sex": "male"},
        "episode": {
            "assessed_on": "2024-01-01",
            "age_years": 9,
            "onset_on": None,
            "lesions": [{"site": "rib", "modality": "xray", "level": "6", "lytic": False}],
            "biopsy": {"histology": "normal"},
        },
    }
    canon = canonical_case(minimal, today=TODAY)
    assert canon["patient"] == {"sex": "male"}
    assert "onset_on" not in canon["episode"] and canon["episode"]["age_years"] == 9
    assert canon["episode"]["biopsy"] == {"histology": "normal", "culture": None, "on_antibiotics": None}
    assert canon["episode"]["lesions"] == [
        {"site": "rib", "side": "midline", "modality": "xray", "level": "6"}
    ]
    assert canon["episode"]["labs"] == dict.fromkeys(LABS)
    assert canon["episode"]["activity"] == dict.fromkeys(ACTIVITY)


_json = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12)),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)


def _paths(node: object, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


@SETTINGS
@given(_json)
def test_validation_never_crashes_on_arbitrary_json(doc):
    errors = validate_case(doc, today=TODAY)
    assert isinstance(errors, list) and errors
    assert all(set(e) == {"path", "message"} for e in errors)


@SETTINGS
@given(cases(), st.data())
def test_a_valid_case_with_one_value_replaced_by_arbitrary_json_is_validated_without_crashing(doc, data):
    paths = [p for p in _paths(doc) if p]
    path = data.draw(st.sampled_from(paths))
    node = doc
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = data.draw(_json)
    errors = validate_case(doc, today=TODAY)
    assert all(set(e) == {"path", "message"} and isinstance(e["path"], str) for e in errors)
    if not errors:
        check_shape(_run(doc))


def test_canonical_case_refuses_an_invalid_document():
    import pytest

    from exclusion.engine import CaseValidationError

    from .helpers import example

    doc = example()
    doc["episode"]["labs"]["crp_mg_dl"] = 3
    with pytest.raises(CaseValidationError) as caught:
        canonical_case(doc, today=TODAY)
    assert caught.value.errors == [
        {"path": "episode.labs.crp_mg_dl", "message": "unknown field (not part of cno-case/1)"}
    ]
