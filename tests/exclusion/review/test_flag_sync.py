"""Flags follow the latest assessment: raised, updated, resolved and reopened, never deleted."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from exclusion.models import Flag, FlagEvent
from exclusion.review.models import NeverDeletedError
from exclusion.review.services import flag_decide, flag_reasons
from patients.models import Lesion
from patients.services import episode_delete, episode_update
from tests.exclusion.review.cases import FEMUR, TIBIA, infection_case, malignancy_case, unifocal_tibia_case
from tests.factories import case, make_episode

pytestmark = pytest.mark.django_db


def _lesions(episode):
    return [
        {k: v for k, v in lesion.items() if not k.startswith("_") and k not in ("episode_id",)}
        for lesion in Lesion.objects.filter(episode=episode).values()
    ]


def test_a_unifocal_tibia_case_raises_a_flag_with_reason_unifocal_non_clavicular(flagged_episode):
    flag = Flag.objects.get(episode=flagged_episode)
    assert flag.status == "open"
    assert flag.reasons == ["unifocal_non_clavicular"]
    assert flag.priority == 2
    assert [e.kind for e in flag.events.all()] == ["created"]


def test_the_typical_multifocal_contract_example_raises_no_flag(north):
    episode = make_episode(north, "N-MULTI", case())
    assert not Flag.objects.filter(episode=episode).exists()


def test_adding_a_second_bone_and_a_normal_crp_resolves_the_flag_and_records_it(flagged_episode):
    episode_update(
        actor=None,
        episode_id=flagged_episode.pk,
        expected_version=flagged_episode.version,
        data={"crp_mg_l": 3},
        lesions=[*_lesions(flagged_episode), dict(FEMUR)],
    )
    flag = Flag.objects.get(episode=flagged_episode)
    assert flag.status == "resolved"
    event = flag.events.order_by("-id").first()
    assert event.kind == "auto_resolved"
    assert event.detail["before"] == ["unifocal_non_clavicular"] and event.detail["after"] == []


def test_reevaluating_an_unchanged_episode_changes_nothing(flagged_episode):
    flag = Flag.objects.get(episode=flagged_episode)
    episode_update(
        actor=None, episode_id=flagged_episode.pk, expected_version=flagged_episode.version, data={}
    )
    again = Flag.objects.get(episode=flagged_episode)
    assert again.updated_at == flag.updated_at
    assert FlagEvent.objects.filter(flag=flag).count() == 1


def test_new_reasons_update_the_flag_and_its_priority_with_a_recorded_change(flagged_episode):
    episode_update(
        actor=None,
        episode_id=flagged_episode.pk,
        expected_version=flagged_episode.version,
        data={"ldh_u_l": 900},
    )
    flag = Flag.objects.get(episode=flagged_episode)
    assert flag.status == "open"
    assert flag.reasons == ["unifocal_non_clavicular", "malignancy_concern"]
    assert flag.priority == 0
    assert flag.events.order_by("-id").first().kind == "reasons_changed"


def test_a_decided_flag_reopens_when_a_later_assessment_changes_its_reasons(flagged_episode, reviewer):
    flag = Flag.objects.get(episode=flagged_episode)
    flag_decide(actor=reviewer, flag=flag, decision="biopsy_ordered", comment="MRI-guided biopsy booked")
    episode_update(
        actor=None,
        episode_id=flagged_episode.pk,
        expected_version=flagged_episode.version,
        data={"fever": True},
    )
    flag.refresh_from_db()
    assert flag.status == "open"
    assert "infection_concern" in flag.reasons
    assert flag.decision == ""
    kinds = [e.kind for e in flag.events.all()]
    assert kinds == ["created", "decided", "reopened"]


def test_a_decided_flag_stays_decided_when_a_new_assessment_keeps_its_reasons(flagged_episode, reviewer):
    flag = Flag.objects.get(episode=flagged_episode)
    flag_decide(actor=reviewer, flag=flag, decision="cno_supported")
    episode_update(
        actor=None,
        episode_id=flagged_episode.pk,
        expected_version=flagged_episode.version,
        data={"esr_mm_h": 30},
    )
    flag.refresh_from_db()
    assert flag.status == "decided" and flag.decision == "cno_supported"


def test_reasons_that_come_back_after_resolution_raise_a_new_flag(flagged_episode):
    episode = episode_update(
        actor=None,
        episode_id=flagged_episode.pk,
        expected_version=flagged_episode.version,
        data={},
        lesions=[*_lesions(flagged_episode), dict(FEMUR)],
    )
    episode_update(actor=None, episode_id=episode.pk, expected_version=episode.version, data={"ldh_u_l": 900})
    flags = list(Flag.objects.filter(episode=flagged_episode).order_by("id"))
    assert [f.status for f in flags] == ["resolved", "open"]
    assert flags[1].reasons == ["malignancy_concern"]


def test_the_database_allows_only_one_open_flag_per_episode(flagged_episode):
    flag = Flag.objects.get(episode=flagged_episode)
    with pytest.raises(IntegrityError), transaction.atomic():
        Flag.objects.create(
            site=flag.site,
            patient=flag.patient,
            episode=flagged_episode,
            reasons=["x"],
            opened_at=flag.opened_at,
        )


def test_flags_and_their_history_are_never_deleted(flagged_episode):
    flag = Flag.objects.get(episode=flagged_episode)
    with pytest.raises(NeverDeletedError):
        flag.delete()
    with pytest.raises(NeverDeletedError):
        Flag.objects.all().delete()
    with pytest.raises(NeverDeletedError):
        flag.events.all().delete()
    with pytest.raises(NeverDeletedError):
        flag.events.update(text="rewritten")
    assert Flag.objects.filter(pk=flag.pk).exists()


def test_deleting_the_episode_keeps_the_flag_and_resolves_it(flagged_episode):
    flag = Flag.objects.get(episode=flagged_episode)
    episode_delete(actor=None, episode=flagged_episode)
    flag.refresh_from_db()
    assert flag.episode_id is None
    assert flag.status == "resolved"
    assert flag.events.order_by("-id").first().detail["why"] == "episode_deleted"


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        (malignancy_case(), ["malignancy_concern"]),
        (infection_case(), ["infection_concern"]),
        (unifocal_tibia_case(), ["unifocal_non_clavicular"]),
    ],
)
def test_flag_reasons_combine_biopsy_reasons_and_differential_concerns(north, doc, expected):
    episode = make_episode(north, doc=doc)
    assert flag_reasons(episode.assessments.first().result) == expected


def test_biopsy_reasons_without_a_recommendation_do_not_flag_when_an_adequate_biopsy_is_on_file(north):
    doc = case(
        lesions=[dict(TIBIA)],
        biopsy={"histology": "inflammatory", "culture": "no_growth", "on_antibiotics": False},
    )
    episode = make_episode(north, doc=doc)
    assert not Flag.objects.filter(episode=episode).exists()


def test_a_decided_flag_resolves_when_new_data_remove_every_reason(flagged_episode, reviewer):
    flag = Flag.objects.get(episode=flagged_episode)
    flag_decide(actor=reviewer, flag=flag, decision="biopsy_ordered")
    episode_update(
        actor=None,
        episode_id=flagged_episode.pk,
        expected_version=flagged_episode.version,
        data={},
        lesions=[*_lesions(flagged_episode), dict(FEMUR)],
    )
    flag.refresh_from_db()
    assert flag.status == "resolved"
    assert flag.decision == "biopsy_ordered"  # the decision stays on record
    assert [e.kind for e in flag.events.all()] == ["created", "decided", "auto_resolved"]


def test_flag_changes_from_an_edit_are_attributed_to_the_editor(flagged_episode, trio):
    episode_update(
        actor=trio.owner,
        episode_id=flagged_episode.pk,
        expected_version=flagged_episode.version,
        data={"fever": True},
    )
    event = Flag.objects.get(episode=flagged_episode).events.order_by("-id").first()
    assert (event.kind, event.actor, event.actor_label) == ("reasons_changed", trio.owner, "owner")
