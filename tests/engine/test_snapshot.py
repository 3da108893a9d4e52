"""The case snapshot and its derived quantities (the cno-case/1 contract, "Derived quantities")."""

from __future__ import annotations

import dataclasses

import pytest

from exclusion.engine.snapshot import build_snapshot

from .helpers import drop, example, lesion, with_


def test_the_snapshot_is_frozen():
    snap = build_snapshot(example())
    with pytest.raises(dataclasses.FrozenInstanceError):
        snap.focality = "none"  # type: ignore[misc]
    with pytest.raises(TypeError):
        snap.labs["crp_mg_l"] = 1  # type: ignore[index]


def test_the_contract_example_snapshot_has_the_expected_derived_quantities():
    snap = build_snapshot(example())
    assert (snap.bones_involved, snap.focality, snap.symmetric, snap.clavicle_alone) == (
        3,
        "multifocal",
        True,
        False,
    )
    assert snap.age_days == 3722 and round(snap.age_years, 2) == 10.19
    assert snap.onset_days == 3623 and round(snap.age_at_onset_years, 2) == 9.92
    assert snap.who_cutoff == 115
    assert snap.normal_blood_count is True
    assert snap.labs["vitamin_c_low"] is None and snap.labs["crp_mg_l"] == 12


def test_side_defaults_to_midline_and_level_is_part_of_the_bone():
    doc = with_(
        example(),
        episode__lesions=[
            {"site": "sternum", "modality": "mri", "marrow_oedema": True},
            {"site": "sternum", "side": "midline", "modality": "ct", "sclerosis": True},
            {"site": "rib", "side": "left", "level": "6", "modality": "xray"},
            {"site": "rib", "side": "left", "level": "7", "modality": "xray"},
        ],
    )
    snap = build_snapshot(doc)
    assert [les.side for les in snap.lesions] == ["midline", "midline", "left", "left"]
    assert snap.bones_involved == 3
    assert snap.symmetric is False


def test_clavicle_alone_means_one_bone_which_is_a_clavicle():
    one = build_snapshot(
        with_(example(), episode__lesions=[lesion(site="clavicle"), lesion(site="clavicle")])
    )
    assert one.clavicle_alone is True and one.bones_involved == 1
    both = build_snapshot(
        with_(example(), episode__lesions=[lesion(site="clavicle"), lesion(site="clavicle", side="right")])
    )
    assert both.clavicle_alone is False and both.symmetric is True


@pytest.mark.parametrize(
    ("labs", "expected"),
    [
        ({}, True),
        ({"wbc_10e9_l": 3.99}, False),
        ({"hemoglobin_g_l": 114.9}, False),
        ({"platelets_10e9_l": 500}, False),
        ({"wbc_10e9_l": None}, None),
        ({"hemoglobin_g_l": None}, None),
        ({"platelets_10e9_l": None}, None),
        # the contract: unknown when any of the three is unknown, even if another is already abnormal
        ({"wbc_10e9_l": 2.0, "platelets_10e9_l": None}, None),
    ],
)
def test_normal_blood_count_is_true_false_or_unknown(labs, expected):
    doc = example()
    doc["episode"]["labs"].update(labs)
    assert build_snapshot(doc).normal_blood_count is expected


def test_without_a_birth_date_the_numeric_ages_are_used_and_an_onset_age_is_never_taken_at_assessment():
    doc = with_(drop(example(), "patient.birth_date"), episode__age_years=2.5)
    snap = build_snapshot(doc)
    # Assessed under 3, so the onset was under 3, though its age is unknown (ruleset 2026.12).
    assert (snap.age_years, snap.age_at_onset_years, snap.onset_under_3) == (2.5, None, True)
    older = build_snapshot(with_(doc, episode__age_years=10.0))
    assert (older.age_at_onset_years, older.onset_under_3, older.onset_under_18) == (None, None, None)
    assert older.onset_missing_path == "episode.age_at_onset_years"
    snap = build_snapshot(with_(doc, episode__age_at_onset_years=1.0))
    assert snap.age_at_onset_years == 1.0
    unknown = build_snapshot(drop(example(), "patient.birth_date"))
    assert (unknown.age_years, unknown.onset_under_3, unknown.who_cutoff, unknown.age_known) == (
        None,
        None,
        None,
        False,
    )


def test_without_an_onset_date_the_age_at_onset_and_the_duration_are_unknown():
    snap = build_snapshot(drop(example(), "episode.onset_on"))
    assert (snap.onset_days, snap.age_at_onset_years, snap.symptom_duration_days) == (None, None, None)
    assert (snap.onset_under_3, snap.onset_under_18, snap.onset_missing_path) == (
        None,
        None,
        "episode.onset_on",
    )
