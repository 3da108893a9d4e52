"""After a ruleset change, `reassess` sends every episode through the record's own path again: each open
flag moves to the new assessment, and a flag whose reasons the new ruleset no longer gives resolves."""

from __future__ import annotations

import copy

import pytest
from django.core.management import call_command

from exclusion import engine
from exclusion.assessments.models import Assessment
from exclusion.assessments.services import case_hash
from exclusion.review.models import Flag, FlagEvent, FlagEventKind, FlagStatus
from exclusion.review.services import flag_sync
from exclusion.summaries.services import summary_sweep
from exclusion.workbench.selectors import assessment_latest
from tests.exclusion.review.cases import unifocal_tibia_case
from tests.factories import case, make_episode

pytestmark = pytest.mark.django_db

OLD_RULESET = "2026.06"


def assessed_by_an_older_ruleset(episode, *, concern: str | None = None) -> Assessment:
    """What an older ruleset stored for this episode (same input), optionally with one more concern,
    and the flag as it followed that assessment."""
    current = assessment_latest(episode_id=episode.pk)
    result = copy.deepcopy(current.result)
    result["ruleset"] = OLD_RULESET
    if concern:
        result["differentials"][concern]["status"] = "concern"
    old = Assessment.objects.create(
        episode=episode,
        ruleset=OLD_RULESET,
        input_hash=case_hash(current.case),
        case=current.case,
        result=result,
        biopsy_recommended=current.biopsy_recommended,
        exclusion_complete=current.exclusion_complete,
        bristol_status=current.bristol_status,
        focality=current.focality,
    )
    flag_sync(episode=episode, assessment=old)
    return old


@pytest.mark.parametrize("how", ["command", "sweep"])
def test_reassess_moves_every_open_flag_to_the_new_assessment_and_resolves_vanished_reasons(north, how):
    unifocal = make_episode(north, "RS-1", unifocal_tibia_case())  # still flagged under the new ruleset
    symmetric = make_episode(north, "RS-2", case())  # its old ruleset saw a malignancy concern
    old_unifocal = assessed_by_an_older_ruleset(unifocal)
    assessed_by_an_older_ruleset(symmetric, concern="malignancy")
    kept = Flag.objects.get(episode=unifocal)
    vanished = Flag.objects.get(episode=symmetric)
    assert kept.assessment == old_unifocal and vanished.reasons == ["malignancy_concern"]

    if how == "command":
        call_command("reassess", "--all", "--sync")
    else:
        summary_sweep(sync=True)  # summaries now computed from the older ruleset's assessments
        summary_sweep(sync=True)  # the periodic sweep finds them and re-assesses

    kept.refresh_from_db()
    vanished.refresh_from_db()
    new_unifocal = assessment_latest(episode_id=unifocal.pk)
    assert new_unifocal.ruleset == engine.RULESET_VERSION and new_unifocal != old_unifocal
    assert kept.status == FlagStatus.OPEN and kept.assessment == new_unifocal
    assert vanished.status == FlagStatus.RESOLVED
    assert vanished.assessment == assessment_latest(episode_id=symmetric.pk)
    assert FlagEvent.objects.filter(flag=vanished, kind=FlagEventKind.AUTO_RESOLVED).count() == 1


def test_reassessing_twice_changes_nothing_the_second_time(north):
    episode = make_episode(north, "RS-3", unifocal_tibia_case())
    assessed_by_an_older_ruleset(episode)
    call_command("reassess", "--all", "--sync")
    assessments, events = Assessment.objects.count(), FlagEvent.objects.count()

    call_command("reassess", "--all", "--sync")

    assert (Assessment.objects.count(), FlagEvent.objects.count()) == (assessments, events)


def test_a_stored_2026_11_assessment_is_reassessed_into_a_new_row_and_never_edited(north):
    """Ruleset 2026.12: without an onset date the age at onset is unknown (2026.11 took it at assessment), so
    the monogenic differential of a 10-year-old becomes incomplete. The 2026.11 row stays as it was."""
    no_onset = case()
    del no_onset["episode"]["onset_on"]
    episode = make_episode(north, "RS-4", no_onset)
    current = assessment_latest(episode_id=episode.pk)
    old_result = copy.deepcopy(current.result)
    old_result["ruleset"] = "2026.11"
    old_result["differentials"]["monogenic"] = {"status": "no_red_flags", "findings": [], "missing": []}
    del old_result["eular_acr_2025"]  # 2026.11 had no gate
    current.delete()
    old = Assessment.objects.create(
        episode=episode,
        ruleset="2026.11",
        input_hash=case_hash(current.case),
        case=current.case,
        result=old_result,
        biopsy_recommended=current.biopsy_recommended,
        exclusion_complete=True,
        bristol_status=current.bristol_status,
        focality=current.focality,
    )

    call_command("reassess", "--all", "--sync")

    new = assessment_latest(episode_id=episode.pk)
    assert new.pk != old.pk and new.ruleset == "2026.12"
    assert new.result["differentials"]["monogenic"]["status"] == "incomplete"
    assert new.result["differentials"]["monogenic"]["missing"] == ["episode.onset_on"]
    assert new.exclusion_complete is False
    old.refresh_from_db()
    assert old.ruleset == "2026.11" and old.result == old_result and old.exclusion_complete is True
