"""The printable patient summary: every episode with its assessment, the reviewer's decision and the
sign-off, the trends, the activity summary and the treatments, scoped like the patient page."""

from __future__ import annotations

import datetime

import pytest

from exclusion.models import Flag
from exclusion.review.services import flag_decide
from patients.treatments.services import treatment_create
from tests.exclusion.review.cases import unifocal_tibia_case
from tests.factories import case, make_episode, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient(north, trio):
    first = make_episode(north, "NF-PRINT", case())
    flagged = make_episode(north, "NF-PRINT", unifocal_tibia_case())
    reviewer = make_user(north, "reviewer", "print_reviewer")
    flag_decide(
        actor=reviewer,
        flag=Flag.objects.get(episode=flagged),
        decision="biopsy_not_indicated",
        reason_code="typical_multifocal_pattern",
        comment="Whole-body MRI shows a typical pattern",
    )
    treatment_create(
        actor=trio.owner,
        patient=first.patient,
        drug_class="nsaid",
        drug="naproxen",
        started_on=datetime.date(2024, 5, 10),
        stopped_on=None,
        stop_reason="",
    )
    return first.patient


def test_the_summary_lists_every_episode_with_its_decision_in_words_and_the_treatments(client, trio, patient):
    client.force_login(trio.owner)
    response = client.get(f"/patients/{patient.id}/print/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    text = response.content.decode()
    assert "CNO/CRMO patient summary" in text and "NF-PRINT" in text
    assert text.count("<tr data-episode=") == 2
    assert (
        "Decided: Biopsy not indicated (Typical multifocal pattern on whole-body MRI), by print_reviewer"
        in text
    )
    assert "Whole-body MRI shows a typical pattern" in text
    assert "biopsy_not_indicated" not in text  # words, never codes
    assert "naproxen" in text and "ongoing" in text
    assert all(f'data-chart="{key}"' in text for key in ("crp", "esr", "active_lesions", "pain"))
    assert "data-open-details" in text  # print.js opens every disclosure


def test_the_patient_page_links_to_its_printable_summary(client, trio, patient):
    client.force_login(trio.teammate)
    assert f"/patients/{patient.id}/print/" in client.get(f"/patients/{patient.id}/").content.decode()


def test_a_team_mate_may_print_and_an_outsider_gets_a_404(client, trio, patient):
    client.force_login(trio.teammate)
    assert client.get(f"/patients/{patient.id}/print/").status_code == 200
    client.force_login(trio.outsider)
    assert client.get(f"/patients/{patient.id}/print/").status_code == 404


def test_the_query_count_does_not_grow_with_the_episodes(client, trio, patient, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(trio.owner)
    with CaptureQueriesContext(connection) as two:
        client.get(f"/patients/{patient.id}/print/")
    for _ in range(3):
        make_episode(patient.site, "NF-PRINT", case())
    with django_assert_num_queries(len(two)):
        client.get(f"/patients/{patient.id}/print/")
