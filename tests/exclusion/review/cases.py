"""Builders for the review-queue tests: synthetic cases that raise (or do not raise) a flag."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import case, make_episode, make_user

TIBIA = {"site": "tibia", "side": "left", "modality": "mri", "marrow_oedema": True}
FEMUR = {"site": "femur", "side": "right", "modality": "mri", "marrow_oedema": True}


def unifocal_tibia_case(**labs: Any) -> dict:
    """One tibia lesion, otherwise the contract example: the engine recommends a biopsy."""
    doc = case(lesions=[dict(TIBIA)])
    doc["episode"]["labs"].update(labs)
    return doc


def malignancy_case() -> dict:
    """Multifocal, but LDH above its upper limit: a malignancy concern."""
    doc = case()
    doc["episode"]["labs"]["ldh_u_l"] = 900
    return doc


def infection_case() -> dict:
    """Multifocal with fever: an infection concern."""
    doc = case()
    doc["episode"]["symptoms"]["fever"] = True
    return doc


@pytest.fixture
def flagged_episode(north):
    return make_episode(north, "N-UNI-1", unifocal_tibia_case())


@pytest.fixture
def reviewer(north):
    return make_user(north, "reviewer", "rev_north")


@pytest.fixture
def south_reviewer(south):
    return make_user(south, "reviewer", "rev_south")
