"""Saving an episode assesses it at once; a new record only when the input or the ruleset changed."""

from __future__ import annotations

import pytest

from exclusion.assessments.models import ImmutableError
from exclusion.models import Assessment
from exclusion.workbench.selectors import assessment_latest, assessments_latest_for
from patients.services import episode_reassess, episode_update
from tests.factories import make_episode


def test_saving_an_episode_stores_its_assessment(north):
    episode = make_episode(north, "A-1")
    latest = assessment_latest(episode_id=episode.pk)
    assert latest.result["bristol"]["status"] == "criterion_1_met"
    assert latest.bristol_status == "criterion_1_met" and latest.biopsy_recommended is False


def test_re_assessing_an_unchanged_episode_stores_nothing_new(north):
    episode = make_episode(north, "A-2")
    before = assessment_latest(episode_id=episode.pk)
    episode_reassess(episode_id=episode.pk)
    assert assessment_latest(episode_id=episode.pk) == before
    assert Assessment.objects.filter(episode=episode).count() == 1


def test_a_changed_input_stores_a_new_assessment(trio, north):
    episode = make_episode(north, "A-3")
    episode_update(actor=trio.owner, episode_id=episode.pk, expected_version=1, data={"crp_mg_l": 45})
    assert Assessment.objects.filter(episode=episode).count() == 2
    latest = assessment_latest(episode_id=episode.pk)
    assert latest.result["differentials"]["infection"]["status"] == "concern"
    assert latest.biopsy_recommended is True


def test_the_latest_assessment_is_one_query_away(north, django_assert_num_queries):
    episode = make_episode(north, "A-4")
    with django_assert_num_queries(1):
        assessment_latest(episode_id=episode.pk)


def test_latest_assessments_of_many_episodes_take_one_query(north, django_assert_num_queries):
    episodes = [make_episode(north, f"A-5{i}") for i in range(5)]
    with django_assert_num_queries(1):
        latest = assessments_latest_for(episode_ids=[e.pk for e in episodes])
    assert set(latest) == {e.pk for e in episodes}


def test_assessments_are_immutable(north):
    make_episode(north, "A-6")
    assessment = Assessment.objects.get()
    with pytest.raises(ImmutableError):
        assessment.save()
    with pytest.raises(ImmutableError):
        Assessment.objects.update(ruleset="x")
