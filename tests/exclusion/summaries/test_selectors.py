"""Reading summaries: site scoping (owner / teammate / outsider), filters and a flat query count."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from exclusion.summaries import services as summary_services
from exclusion.summaries.selectors import summaries_list, summary_get
from tests.exclusion.summaries.helpers import make_course
from tests.factories import case, make_episode

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed(north, south):
    here = make_course(north, "N-1", visits=2, seed=1)
    there = make_course(south, "S-1", visits=1, seed=2)
    summary_services.summary_sweep(sync=True)
    return here, there


def test_owner_and_teammate_see_their_sites_summary(trio, computed):
    here, _ = computed
    assert summary_get(patient_id=here.id, user=trio.owner).patient_id == here.id
    assert summary_get(patient_id=here.id, user=trio.teammate).patient_id == here.id


def test_outsider_gets_nothing_for_another_sites_summary(trio, computed):
    here, there = computed
    assert summary_get(patient_id=here.id, user=trio.outsider) is None
    assert [s.patient_id for s in summaries_list(user=trio.outsider)] == [there.id]


def test_a_patient_without_a_summary_yet_gives_none(north):
    from patients.services import patient_create

    patient = patient_create(actor=None, site=north, record_number="NEW-1")
    assert summary_get(patient_id=patient.id) is None


def test_summaries_list_filters_by_site_state_flag_and_update_time(trio, computed, north):
    here, _ = computed
    unifocal = case(lesions=[{"site": "femur", "side": "left", "modality": "mri", "marrow_oedema": True}])
    flagged = make_episode(north, "N-2", unifocal).patient
    summary_services.summary_sweep(sync=True)
    mine = summaries_list(user=trio.owner)
    assert {s.patient_id for s in mine} == {here.id, flagged.id}
    assert {s.patient_id for s in summaries_list(user=trio.owner, site="SOUTH")} == set()
    assert {s.patient_id for s in summaries_list(user=trio.owner, site=north)} == {here.id, flagged.id}
    assert {s.patient_id for s in summaries_list(user=trio.owner, open_flag=True)} == {flagged.id}
    assert {s.patient_id for s in summaries_list(user=trio.owner, activity_state="active")} == {
        s.patient_id for s in mine if s.activity_state == "active"
    }
    later = timezone.now() + datetime.timedelta(minutes=1)
    assert list(summaries_list(user=trio.owner, updated_since=later)) == []


def test_summaries_list_takes_one_query_whatever_the_number_of_rows(
    trio, north, django_assert_max_num_queries
):
    for seed in range(12):
        make_course(north, f"Q-{seed}", visits=2, seed=seed)
    summary_services.summary_sweep(sync=True)
    trio.owner._cno_memberships = None
    with django_assert_max_num_queries(2):  # the memberships, then the summaries with patient and site
        rows = [
            (s.patient.record_number, s.patient.site.code, s.activity_state)
            for s in summaries_list(user=trio.owner)
        ]
    assert len(rows) == 12
