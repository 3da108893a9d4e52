"""The demo data set carries outcomes derived by hand from the cno-case/1 contract, independently of the
engine. Every episode must come out as predicted: two derivations of the contract that agree."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from exclusion import engine

DEMO = Path(__file__).resolve().parents[2] / "demo_data"
MANIFEST = json.loads((DEMO / "manifest.json").read_text())
EPISODES = [(p["record_number"], e) for p in MANIFEST["patients"] for e in p["episodes"]]


@pytest.mark.parametrize(("record_number", "entry"), EPISODES, ids=[e["file"] for _, e in EPISODES])
def test_each_demo_episode_is_assessed_as_derived_by_hand(record_number, entry):
    result = engine.assess(json.loads((DEMO / entry["file"]).read_text()))
    expected = entry["expect"]
    assert result["focality"] == expected["focality"]
    assert result["bones_involved"] == expected["bones_involved"]
    assert result["bristol"]["status"] == expected["bristol"]
    assert result["biopsy"]["recommended"] == expected["biopsy_recommended"]
    assert result["biopsy"]["reasons"] == expected["biopsy_reasons"]
    assert {name: d["status"] for name, d in result["differentials"].items()} == expected["statuses"]
    assert result["exclusion_complete"] == expected["exclusion_complete"]
    assert result["jansson"]["points"] == expected["jansson_points"]
    assert result["eular_acr_2025"]["status"] == expected["eular_acr_2025"]
