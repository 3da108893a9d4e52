"""Export and import of cno-case/1 documents: importing a canonical document and exporting it again gives
the same document, for every demo case."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from exclusion import engine
from patients.casedoc import episode_to_case
from patients.models import Episode, Patient
from patients.services import CaseDocumentError, case_import, episode_update
from tests.factories import case, make_episode

DEMO = Path(__file__).resolve().parents[2] / "demo_data"
MANIFEST = json.loads((DEMO / "manifest.json").read_text())
DEMO_FILES = [entry["file"] for patient in MANIFEST["patients"] for entry in patient["episodes"]]


@pytest.mark.parametrize("path", DEMO_FILES)
def test_every_demo_case_round_trips_through_the_database(north, path):
    doc = json.loads((DEMO / path).read_text())
    episode = make_episode(north, "RT-1", doc)
    episode = Episode.objects.select_related("patient").prefetch_related("lesions").get(pk=episode.pk)
    exported = episode_to_case(episode)
    assert exported == doc
    assert exported == engine.canonical_case(doc)


def test_the_contract_example_exports_in_canonical_form(north):
    doc = case()
    episode = make_episode(north, "RT-2", doc)
    assert episode_to_case(episode) == engine.canonical_case(doc)


def test_an_invalid_document_is_refused_with_paths_and_nothing_is_saved(north):
    doc = case()
    doc["episode"]["labs"]["crp_mg_dl"] = 1.2
    doc["episode"]["labs"]["esr_mm_h"] = 999
    with pytest.raises(CaseDocumentError) as excinfo:
        case_import(actor=None, site=north, record_number="RT-3", doc=doc)
    paths = {error["path"] for error in excinfo.value.errors}
    assert {"episode.labs.crp_mg_dl", "episode.labs.esr_mm_h"} <= paths
    assert not Patient.objects.filter(record_number="RT-3").exists()


def test_the_same_site_and_record_number_is_the_same_patient(north):
    first = make_episode(north, "RT-4")
    doc = case(assessed_on="2024-08-10")
    second = make_episode(north, "RT-4", doc)
    assert first.patient_id == second.patient_id
    assert Patient.objects.get(pk=first.patient_id).episodes.count() == 2


def test_a_document_contradicting_the_patient_on_file_is_refused(north):
    make_episode(north, "RT-5")
    doc = case()
    doc["patient"]["birth_date"] = "2013-01-01"
    with pytest.raises(CaseDocumentError) as excinfo:
        make_episode(north, "RT-5", doc)
    assert excinfo.value.errors[0]["path"] == "patient.birth_date"


@pytest.mark.parametrize("done", [True, False])
def test_a_known_whole_body_mri_is_stored_and_exported_in_canonical_form(north, done):
    doc = case(imaging={"whole_body_mri": done})
    episode = make_episode(north, "WB-1", doc)
    assert Episode.objects.get(pk=episode.pk).whole_body_mri is done
    exported = episode_to_case(episode)
    assert exported["episode"]["imaging"] == {"whole_body_mri": done}
    assert exported == doc == engine.canonical_case(exported)


@pytest.mark.parametrize("imaging", [None, {}, {"whole_body_mri": None}])
def test_an_unknown_whole_body_mri_is_stored_as_null_and_exported_without_imaging(north, imaging):
    doc = case(imaging=imaging)
    episode = make_episode(north, "WB-2", doc)
    assert Episode.objects.get(pk=episode.pk).whole_body_mri is None
    exported = episode_to_case(episode)
    assert "imaging" not in exported["episode"]
    assert exported == engine.canonical_case(doc) == engine.canonical_case(exported)


def test_a_whole_body_mri_set_on_the_record_reaches_the_document_and_back(north):
    episode = make_episode(north, "WB-3")
    episode_update(actor=None, episode_id=episode.pk, expected_version=1, data={"whole_body_mri": True})
    exported = episode_to_case(Episode.objects.get(pk=episode.pk))
    assert exported["episode"]["imaging"] == {"whole_body_mri": True}
    assert exported == engine.canonical_case(exported)
    copy = make_episode(north, "WB-4", exported)
    assert episode_to_case(copy) == exported


def test_a_document_with_more_than_100_lesions_is_refused_on_episode_lesions(north):
    lesion = {"site": "femur", "side": "left", "modality": "mri", "marrow_oedema": True}
    doc = case(lesions=[lesion] * 101)
    with pytest.raises(CaseDocumentError) as excinfo:
        case_import(actor=None, site=north, record_number="WB-5", doc=doc)
    assert [error["path"] for error in excinfo.value.errors] == ["episode.lesions"]
    assert not Patient.objects.filter(record_number="WB-5").exists()
