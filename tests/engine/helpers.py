"""Shared builders for the engine tests: the contract's example case and small path-based edits."""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from pathlib import Path

from exclusion.engine import assess

HERE = Path(__file__).parent
EXAMPLE = json.loads((HERE / "example_case.json").read_text(encoding="utf-8"))
TODAY = date(2026, 11, 21)  # a fixed "today" keeps date validation deterministic
ASSESSED = date(2024, 5, 10)  # assessment date of the contract's example


def example() -> dict:
    """A fresh copy of the contract's example (every screening datum known, no red flag)."""
    return copy.deepcopy(EXAMPLE)


def _walk(doc: dict, path: str) -> tuple[dict, str]:
    *parents, leaf = path.split(".")
    node = doc
    for part in parents:
        node = node.setdefault(part, {})
    return node, leaf


def with_(doc: dict, **paths: object) -> dict:
    """Set dotted paths (written with "__" for ".", e.g. episode__labs__crp_mg_l=30)."""
    for key, value in paths.items():
        node, leaf = _walk(doc, key.replace("__", "."))
        node[leaf] = value
    return doc


def set_path(doc: dict, path: str, value: object) -> dict:
    node, leaf = _walk(doc, path)
    node[leaf] = value
    return doc


def drop(doc: dict, *paths: str) -> dict:
    """Remove dotted paths (absent means unknown)."""
    for path in paths:
        node, leaf = _walk(doc, path)
        node.pop(leaf, None)
    return doc


def born_days_before(doc: dict, days: int, assessed: date = ASSESSED) -> dict:
    """Put the birth date ``days`` before the assessment date, with the onset on the day of assessment."""
    doc["patient"]["birth_date"] = (assessed - timedelta(days=days)).isoformat()
    doc["episode"]["assessed_on"] = doc["episode"]["onset_on"] = assessed.isoformat()
    return doc


def run(doc: dict) -> dict:
    return assess(doc, today=TODAY)


def codes(result: dict, differential: str) -> list[str]:
    return [f["code"] for f in result["differentials"][differential]["findings"]]


def status(result: dict, differential: str) -> str:
    return result["differentials"][differential]["status"]


LESION = {"site": "tibia", "side": "left", "modality": "mri", "marrow_oedema": True}


def lesion(**kw: object) -> dict:
    out = dict(LESION)
    out.update(kw)
    return out


STATUSES = ("concern", "excluded", "no_red_flags", "incomplete")
DIFFERENTIALS = ("infection", "malignancy", "hypophosphatasia", "scurvy", "monogenic")
BRISTOL = (
    "not_applicable",
    "insufficient_data",
    "criterion_1_met",
    "criterion_2_met",
    "not_met",
    "biopsy_required",
)
REASONS = (
    "unifocal_non_clavicular",
    "crp_at_least_30",
    "infection_concern",
    "malignancy_concern",
    "age_under_3",
    "ill_appearance",
)
JANSSON_ITEMS = {
    "normal_blood_count": 13,
    "symmetric_lesions": 10,
    "marginal_sclerosis": 10,
    "normal_body_temperature": 9,
    "vertebral_clavicular_or_sternal": 8,
    "more_than_one_lesion": 7,
    "crp_at_least_10": 6,
}


def check_shape(a: dict) -> None:
    """Assert that ``a`` is a well-formed cno-assessment/1 document (the cno-case/1 contract)."""
    assert list(a) == [
        "schema",
        "ruleset",
        "focality",
        "bones_involved",
        "symmetric",
        "differentials",
        "biopsy",
        "bristol",
        "jansson",
        "eular_acr_2025",
        "exclusion_complete",
    ]
    assert a["schema"] == "cno-assessment/1"
    assert a["ruleset"] == "2026.12"
    assert a["focality"] in ("none", "unifocal", "multifocal")
    assert type(a["bones_involved"]) is int and a["bones_involved"] >= 0
    assert {0: "none", 1: "unifocal"}.get(a["bones_involved"], "multifocal") == a["focality"]
    assert type(a["symmetric"]) is bool
    assert list(a["differentials"]) == list(DIFFERENTIALS)
    for name, d in a["differentials"].items():
        assert set(d) == {"status", "findings", "missing"}
        assert d["status"] in STATUSES
        for f in d["findings"]:
            assert set(f) == {"code", "text", "source"}
            assert all(type(f[k]) is str and f[k] for k in f)
        assert all(type(p) is str and p for p in d["missing"])
        if d["status"] == "no_red_flags":
            assert d["missing"] == [] and d["findings"] == []
        if d["status"] == "excluded":
            assert d["findings"] == []
        if d["status"] == "incomplete":
            # missing data, or (malignancy only) a haemoglobin that cannot be judged under 6 months
            assert d["missing"] or [f["code"] for f in d["findings"]] == ["MAL-HB-UNDER-6-MONTHS"]
        if name == "monogenic":
            assert d["status"] != "excluded"
        if name == "hypophosphatasia":
            assert d["status"] != "no_red_flags"
    b = a["biopsy"]
    assert set(b) == {"recommended", "reasons", "adequate_biopsy_on_file"}
    assert b["reasons"] == [r for r in REASONS if r in b["reasons"]]  # contract order, no duplicates
    assert b["recommended"] == (bool(b["reasons"]) and not b["adequate_biopsy_on_file"])
    assert a["bristol"] == {"status": a["bristol"]["status"]} and a["bristol"]["status"] in BRISTOL
    j = a["jansson"]
    assert list(j) == ["applicable", "points", "possible_max", "threshold", "supports_nbo", "items"]
    assert list(j["items"]) == list(JANSSON_ITEMS)
    assert j["threshold"] == 39
    assert j["points"] == sum(w for k, w in JANSSON_ITEMS.items() if j["items"][k] is True)
    assert j["possible_max"] == j["points"] + sum(
        w for k, w in JANSSON_ITEMS.items() if j["items"][k] is None
    )
    assert 0 <= j["points"] <= j["possible_max"] <= 63
    if j["applicable"]:
        expected = True if j["points"] >= 39 else (False if j["possible_max"] < 39 else None)
        assert j["supports_nbo"] is expected
    else:
        assert j["supports_nbo"] is None
    g = a["eular_acr_2025"]
    assert list(g) == ["entry", "exclusions", "status", "score"]
    assert g["entry"] in ("met", "not_met", "unknown")
    assert g["exclusions"] in ("cleared", "not_cleared", "unknown")
    assert g["status"] == (
        "entry_not_met"
        if g["entry"] == "not_met"
        else "mimic_not_excluded"
        if g["exclusions"] == "not_cleared"
        else "eligible_for_scoring"
        if (g["entry"], g["exclusions"]) == ("met", "cleared")
        else "incomplete"
    )
    assert g["score"] is None  # the published weights are not verified: never a score
    # Ruleset 2026.12: a recommended biopsy keeps the work-up incomplete.
    settled = all(d["status"] in ("excluded", "no_red_flags") for d in a["differentials"].values())
    assert a["exclusion_complete"] == (settled and not b["recommended"])
    json.dumps(a)  # plain JSON types only
