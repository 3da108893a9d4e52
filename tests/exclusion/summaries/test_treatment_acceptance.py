"""Issue 14's acceptance, as a clinician walks it through the pages: naproxen from a date, two active
follow-ups, the NSAID-refractory prompt with its source; then naproxen stopped for inefficacy and
adalimumab started: line 2, the response measured from the episode at the switch."""

from __future__ import annotations

import html

import pytest

from exclusion.engine.prompts import NSAID_REFRACTORY
from exclusion.summaries.services import summary_sweep
from patients.models import Treatment
from tests.factories import case, make_episode

pytestmark = pytest.mark.django_db

ACTIVE = {"pain_vas": 4, "patient_global_vas": 3, "physician_global_vas": 4, "chaq": 0.5}


def _page(client, patient) -> str:
    summary_sweep(sync=True)  # what the worker does after commit (tested with a real worker elsewhere)
    return html.unescape(client.get(f"/patients/{patient.id}/").content.decode())


def test_naproxen_then_two_active_follow_ups_prompt_and_a_switch_to_adalimumab_moves_line_and_baseline(
    client, trio, north
):
    patient = make_episode(north, "NF-ACC", case(assessed_on="2024-05-10", activity=ACTIVE)).patient
    client.force_login(trio.owner)
    client.post(
        f"/patients/{patient.id}/treatments/new/",
        {
            "drug_class": "nsaid",
            "drug": "naproxen",
            "started_on": "2024-05-10",
            "stopped_on": "",
            "stop_reason": "",
        },
    )
    make_episode(north, "NF-ACC", case(assessed_on="2024-08-10", activity=ACTIVE))
    page = _page(client, patient)
    assert NSAID_REFRACTORY.text not in page  # one active follow-up on naproxen is not two

    make_episode(north, "NF-ACC", case(assessed_on="2024-11-10", activity=ACTIVE))
    page = _page(client, patient)
    assert NSAID_REFRACTORY.text in page
    assert "Zhao" in page  # the prompt's source is shown beside it
    assert 'data-treatment-line="1"' in page

    naproxen = Treatment.objects.get(patient=patient)
    stopped = client.post(
        f"/treatments/{naproxen.id}/edit/",
        {
            "drug_class": "nsaid",
            "drug": "naproxen",
            "started_on": "2024-05-10",
            "stopped_on": "2024-11-10",
            "stop_reason": "inefficacy",
            "version": naproxen.version,
        },
    )
    assert stopped.status_code == 302
    client.post(
        f"/patients/{patient.id}/treatments/new/",
        {
            "drug_class": "tnf_inhibitor",
            "drug": "adalimumab",
            "started_on": "2024-11-10",
            "stopped_on": "",
            "stop_reason": "",
        },
    )
    make_episode(north, "NF-ACC", case(assessed_on="2025-02-10", activity=ACTIVE))
    page = _page(client, patient)
    assert 'data-treatment-line="2"' in page
    assert "this combination since 2024-11-10" in page
    assert "(baseline 2024-11-10)" in page  # the episode at the switch, not the first visit
    assert NSAID_REFRACTORY.text not in page  # no longer on NSAID monotherapy
