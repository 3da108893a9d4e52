"""Reviewer actions on flags: assign, comment, decide, sign off; each recorded with user and time."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from exclusion.review.selectors import signoff_for_episodes
from exclusion.review.services import (
    FlagStateError,
    episode_sign_off,
    flag_assign,
    flag_comment,
    flag_decide,
)
from patients.services import StaleVersionError, episode_update
from tests.factories import case, make_episode, make_user

pytestmark = pytest.mark.django_db


def test_a_reviewer_assigns_a_flag_to_a_teammate_and_the_history_names_both(flag, reviewer, north):
    mate = make_user(north, "reviewer", "mate")
    flag_assign(actor=reviewer, flag=flag, assignee=mate)
    flag.refresh_from_db()
    assert flag.assignee == mate
    event = flag.events.order_by("-id").first()
    assert (event.kind, event.actor, event.detail["assignee"]) == ("assigned", reviewer, "mate")
    assert event.at is not None


def test_the_assignee_must_be_a_reviewer_of_the_flags_site(flag, reviewer, trio, south_reviewer):
    for not_a_reviewer_here in (trio.owner, south_reviewer):
        with pytest.raises(ValidationError) as exc:
            flag_assign(actor=reviewer, flag=flag, assignee=not_a_reviewer_here)
        assert "assignee" in exc.value.message_dict


def test_a_comment_is_recorded_and_an_empty_one_refused(flag, reviewer):
    flag_comment(actor=reviewer, flag=flag, text="Discuss at MDT on Thursday")
    assert flag.events.filter(kind="commented", text="Discuss at MDT on Thursday", actor=reviewer).exists()
    with pytest.raises(ValidationError) as exc:
        flag_comment(actor=reviewer, flag=flag, text="   ")
    assert "text" in exc.value.message_dict


def test_biopsy_not_indicated_without_a_coded_reason_or_comment_is_refused_naming_both_fields(flag, reviewer):
    with pytest.raises(ValidationError) as exc:
        flag_decide(actor=reviewer, flag=flag, decision="biopsy_not_indicated")
    errors = exc.value.message_dict
    assert "coded reason is required" in errors["reason_code"][0]
    assert "comment is required" in errors["comment"][0]
    flag.refresh_from_db()
    assert flag.status == "open" and not flag.events.filter(kind="decided").exists()


def test_biopsy_not_indicated_with_an_unknown_reason_code_is_refused(flag, reviewer):
    with pytest.raises(ValidationError) as exc:
        flag_decide(
            actor=reviewer, flag=flag, decision="biopsy_not_indicated", reason_code="felt_fine", comment="x"
        )
    assert "Unknown reason" in exc.value.message_dict["reason_code"][0]


def test_alternative_diagnosis_requires_the_diagnosis(flag, reviewer):
    with pytest.raises(ValidationError) as exc:
        flag_decide(actor=reviewer, flag=flag, decision="alternative_diagnosis")
    assert exc.value.message_dict["diagnosis"] == ["Name the alternative diagnosis."]
    flag_decide(
        actor=reviewer, flag=flag, decision="alternative_diagnosis", diagnosis="Subacute osteomyelitis"
    )
    flag.refresh_from_db()
    assert (flag.status, flag.decision_diagnosis) == ("decided", "Subacute osteomyelitis")


def test_a_reason_code_on_another_decision_is_refused_rather_than_ignored(flag, reviewer):
    with pytest.raises(ValidationError) as exc:
        flag_decide(actor=reviewer, flag=flag, decision="cno_supported", reason_code="other")
    assert "reason_code" in exc.value.message_dict


def test_a_complete_biopsy_not_indicated_decision_is_recorded_with_user_time_and_reason(flag, reviewer):
    flag_decide(
        actor=reviewer,
        flag=flag,
        decision="biopsy_not_indicated",
        reason_code="typical_multifocal_pattern",
        comment="WB-MRI shows three more typical lesions",
    )
    flag.refresh_from_db()
    assert (flag.status, flag.decided_by, flag.decision_reason_code) == (
        "decided",
        reviewer,
        "typical_multifocal_pattern",
    )
    event = flag.events.get(kind="decided")
    assert event.actor == reviewer and event.text == "WB-MRI shows three more typical lesions"
    assert event.detail["reason_code"] == "typical_multifocal_pattern"


def test_a_decided_flag_cannot_be_decided_again(flag, reviewer):
    flag_decide(actor=reviewer, flag=flag, decision="biopsy_ordered")
    with pytest.raises(FlagStateError):
        flag_decide(actor=reviewer, flag=flag, decision="cno_supported")


def test_a_clinicians_decision_attempt_is_refused(flag, trio):
    with pytest.raises(PermissionDenied):
        flag_decide(actor=trio.owner, flag=flag, decision="biopsy_ordered")
    with pytest.raises(PermissionDenied):
        flag_comment(actor=trio.owner, flag=flag, text="I think it is fine")
    flag.refresh_from_db()
    assert flag.status == "open" and flag.events.count() == 1


def test_a_reviewer_of_another_site_cannot_act_on_the_flag(flag, south_reviewer):
    with pytest.raises(PermissionDenied):
        flag_assign(actor=south_reviewer, flag=flag, assignee=south_reviewer)


def test_sign_off_records_who_when_and_version_and_an_edit_marks_it_changed(north, reviewer):
    episode = make_episode(north, "N-SIGN", case())
    signoff = episode_sign_off(actor=reviewer, episode=episode, expected_version=episode.version)
    assert (signoff.signed_by, signoff.episode_version) == (reviewer, 1)
    summary = signoff_for_episodes([episode.pk])[episode.pk]
    assert summary.signed_by == "rev_north" and not summary.changed_since
    episode_update(actor=None, episode_id=episode.pk, expected_version=1, data={"esr_mm_h": 40})
    assert signoff_for_episodes([episode.pk])[episode.pk].changed_since


def test_sign_off_is_refused_for_a_stale_version_an_open_flag_or_a_clinician(
    north, reviewer, trio, flagged_episode
):
    episode = make_episode(north, "N-SIGN2", case())
    with pytest.raises(StaleVersionError):
        episode_sign_off(actor=reviewer, episode=episode, expected_version=7)
    with pytest.raises(PermissionDenied):
        episode_sign_off(actor=trio.owner, episode=episode)
    with pytest.raises(ValidationError) as exc:
        episode_sign_off(actor=reviewer, episode=flagged_episode)
    assert "open review flag" in exc.value.messages[0]
    assert signoff_for_episodes([episode.pk, flagged_episode.pk]) == {}


def test_signoff_for_episodes_takes_one_query_for_many_episodes(north, reviewer, django_assert_num_queries):
    episodes = [make_episode(north, doc=case()) for _ in range(3)]
    for episode in episodes:
        episode_sign_off(actor=reviewer, episode=episode)
    with django_assert_num_queries(1):
        result = signoff_for_episodes([e.pk for e in episodes])
    assert len(result) == 3


def test_a_decision_marks_the_patients_summary_stale_and_the_recompute_clears_open_flag(flag, reviewer):
    from exclusion.models import ActivitySummary
    from exclusion.summaries.services import summary_sweep

    summary_sweep(sync=True)
    assert ActivitySummary.objects.get(patient_id=flag.patient_id).open_flag is True
    flag_decide(actor=reviewer, flag=flag, decision="biopsy_ordered", comment="MRI-guided biopsy booked")
    summary = ActivitySummary.objects.get(patient_id=flag.patient_id)
    assert summary.stale is True
    summary_sweep(sync=True)
    summary.refresh_from_db()
    assert (summary.stale, summary.open_flag) == (False, False)
