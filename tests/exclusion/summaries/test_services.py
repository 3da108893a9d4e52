"""Keeping summaries up to date, in-process: marking stale, compare-and-set claims, sweep, bulk commands."""

from __future__ import annotations

import datetime
import sys

import pytest
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from exclusion import engine
from exclusion.models import ActivitySummary
from exclusion.summaries import services as summary_services
from patients.services import episode_update
from tests.exclusion.summaries.helpers import from_scratch, make_course, stored, visit
from tests.factories import case, make_episode

pytestmark = pytest.mark.django_db


def test_saving_an_episode_marks_the_patients_summary_stale(north):
    patient = make_episode(north, "S-1").patient
    summary = ActivitySummary.objects.get(patient=patient)
    assert summary.stale is True and summary.computed_at is None


def test_the_sweep_computes_what_a_from_scratch_computation_gives(north):
    patients = [make_course(north, f"S-{seed}", visits=1 + seed % 3, seed=seed) for seed in range(6)]
    assert summary_services.summary_sweep(sync=True)["stale"] == 6
    for patient in patients:
        summary = ActivitySummary.objects.get(patient=patient)
        assert summary.stale is False and summary.recompute_count == 1
        assert stored(patient) == from_scratch(patient)


def test_a_course_of_three_visits_gets_a_pedcno_level_and_latest_facts(north):
    patient = make_course(north, "S-9", visits=3, seed=1)
    summary_services.summary_sweep(sync=True)
    summary = ActivitySummary.objects.get(patient=patient)
    latest_episode = patient.episodes.order_by("-assessed_on").first()
    assert summary.latest["episode_id"] == latest_episode.id
    assert summary.latest["bristol_status"] == latest_episode.assessments.first().bristol_status
    assert summary.episodes_count == 3 and len(summary.trend) == 3
    assert summary.pedcno in {0, 30, 50, 70, 90}
    assert summary.ruleset == engine.RULESET_VERSION


def test_a_live_claim_keeps_a_second_worker_from_recomputing_the_same_summary(north):
    patient = make_episode(north, "S-2").patient
    now = timezone.now()
    assert summary_services._claim_stale([patient.id], now=now) == {patient.id: 2}
    # The second worker's compare-and-set finds the generation already claimed.
    assert summary_services._claim_stale([patient.id], now=now) == {}
    assert summary_services.summary_recompute_one(patient_id=patient.id, generation=2) is False


def test_a_claim_abandoned_by_a_dead_worker_leaves_the_summary_stale_and_the_sweep_fixes_it(north):
    patients = [make_course(north, f"K-{seed}", visits=2, seed=seed) for seed in range(3)]
    ids = [patient.id for patient in patients]
    summary_services._claim_stale(ids, now=timezone.now())  # the worker dies right after claiming
    assert set(ActivitySummary.objects.filter(patient_id__in=ids).values_list("stale", flat=True)) == {True}
    summary_services.summary_sweep(sync=True)
    assert ActivitySummary.objects.filter(patient_id__in=ids, stale=False).count() == 0  # the claim is live
    ActivitySummary.objects.filter(patient_id__in=ids).update(
        claimed_at=F("claimed_at") - summary_services.CLAIM_LEASE - datetime.timedelta(seconds=1)
    )
    summary_services.summary_sweep(sync=True)
    for patient in patients:
        assert stored(patient) == from_scratch(patient)
        assert ActivitySummary.objects.get(patient=patient).stale is False


def test_an_edit_during_a_recompute_leaves_the_summary_stale_not_wrongly_fresh(north):
    patient = make_episode(north, "S-3").patient
    claims = summary_services._claim_stale([patient.id], now=timezone.now())
    episode = patient.episodes.get()
    episode_update(actor=None, episode_id=episode.id, expected_version=episode.version, data={"esr_mm_h": 80})
    summary_services._recompute_claimed(claims, now=timezone.now())
    summary = ActivitySummary.objects.get(patient=patient)
    assert summary.stale is True and summary.computed_generation < summary.dirty
    summary_services.summary_sweep(sync=True)
    summary.refresh_from_db()
    assert summary.stale is False and summary.trend[-1]["esr_mm_h"] == 80


def test_a_slow_worker_cannot_overwrite_the_result_of_a_newer_claim(north):
    patient = make_episode(north, "S-4").patient
    old_now = timezone.now() - summary_services.CLAIM_LEASE * 2
    slow_claims = summary_services._claim_stale([patient.id], now=old_now)
    summary_services.summary_sweep(sync=True)  # takes the expired claim over and writes
    assert summary_services._recompute_claimed(slow_claims, now=timezone.now()) == 0
    assert ActivitySummary.objects.get(patient=patient).recompute_count == 1


def test_a_message_for_an_older_generation_is_skipped_in_favour_of_the_newest(north):
    episode = make_episode(north, "S-5")
    episode_update(actor=None, episode_id=episode.id, expected_version=1, data={"esr_mm_h": 40})
    summary = ActivitySummary.objects.get(patient=episode.patient)
    assert (
        summary_services.summary_recompute_one(patient_id=episode.patient_id, generation=summary.dirty - 1)
        is False
    )
    assert (
        summary_services.summary_recompute_one(patient_id=episode.patient_id, generation=summary.dirty)
        is True
    )
    summary.refresh_from_db()
    assert summary.stale is False and summary.recompute_count == 1


def test_the_sweep_reassesses_summaries_of_an_older_ruleset(north, monkeypatch):
    patient = make_course(north, "R-1", visits=2)
    summary_services.summary_sweep(sync=True)
    monkeypatch.setattr(engine, "RULESET_VERSION", "2099.01")
    monkeypatch.setattr(sys.modules["exclusion.engine.assess"], "RULESET_VERSION", "2099.01")
    assert summary_services.summary_sweep(sync=True) == {"stale": 0, "outdated": 1}
    summary = ActivitySummary.objects.get(patient=patient)
    assert summary.ruleset == "2099.01" and summary.stale is False
    assert {e.assessments.first().ruleset for e in patient.episodes.all()} == {"2099.01"}
    assert summary_services.summary_sweep(sync=True) == {"stale": 0, "outdated": 0}


def test_recompute_summaries_sync_for_one_site_leaves_other_sites_alone(north, south, capsys):
    here = make_course(north, "N-1", visits=2)
    there = make_course(south, "X-1", visits=2)
    call_command("recompute_summaries", "--site", "NORTH", "--sync")
    assert ActivitySummary.objects.get(patient=here).stale is False
    assert ActivitySummary.objects.get(patient=there).stale is True
    progress = capsys.readouterr().err
    assert "1/1" in progress and "patient/s" in progress


def test_recompute_summaries_all_sync_recomputes_every_summary(north, south):
    patients = [make_course(north, "N-2", visits=2), make_course(south, "X-2", visits=1)]
    summary_services.summary_sweep(sync=True)
    call_command("recompute_summaries", "--all", "--sync", "--chunk-size", "1")
    for patient in patients:
        summary = ActivitySummary.objects.get(patient=patient)
        assert summary.recompute_count == 2 and summary.stale is False
        assert stored(patient) == from_scratch(patient)


def test_recompute_summaries_names_an_unknown_site(north):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="No site with code 'NOWHERE'"):
        call_command("recompute_summaries", "--site", "NOWHERE", "--sync")


def test_reassess_all_sync_reassesses_every_episode_and_recomputes(north, monkeypatch):
    patient = make_course(north, "R-2", visits=2)
    monkeypatch.setattr(engine, "RULESET_VERSION", "2099.02")
    monkeypatch.setattr(sys.modules["exclusion.engine.assess"], "RULESET_VERSION", "2099.02")
    call_command("reassess", "--all", "--sync")
    assert {e.assessments.first().ruleset for e in patient.episodes.all()} == {"2099.02"}
    assert ActivitySummary.objects.get(patient=patient).ruleset == "2099.02"


def test_a_biopsy_recommendation_raises_an_open_flag_that_the_summary_shows(north):
    unifocal = case(lesions=[{"site": "femur", "side": "left", "modality": "mri", "marrow_oedema": True}])
    patient = make_episode(north, "F-1", unifocal).patient
    summary_services.summary_sweep(sync=True)
    summary = ActivitySummary.objects.get(patient=patient)
    assert summary.latest["biopsy_recommended"] is True
    assert summary.open_flag is True


def test_deleting_the_only_episode_leaves_an_empty_summary(north):
    from patients.services import episode_delete

    episode = make_episode(north, "D-1", visit(0))
    summary_services.summary_sweep(sync=True)
    episode_delete(actor=None, episode=episode)
    summary_services.summary_sweep(sync=True)
    summary = ActivitySummary.objects.get(patient=episode.patient)
    assert summary.episodes_count == 0 and summary.latest is None and summary.activity_state == "unknown"


def test_a_flag_decided_by_a_reviewer_clears_open_flag_at_the_next_sweep(north):
    from exclusion.models import Flag

    unifocal = case(lesions=[{"site": "femur", "side": "left", "modality": "mri", "marrow_oedema": True}])
    patient = make_episode(north, "F-2", unifocal).patient
    summary_services.summary_sweep(sync=True)
    assert ActivitySummary.objects.get(patient=patient).open_flag is True
    flag = Flag.objects.get(patient=patient, status="open")
    flag.status, flag.decision, flag.decided_at = "decided", "biopsy_ordered", timezone.now()
    flag.save()  # a decision is not an episode change: only the sweep notices it
    summary_services.summary_sweep(sync=True)
    assert ActivitySummary.objects.get(patient=patient).open_flag is False
