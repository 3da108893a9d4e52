"""The patient page shows the background-computed activity summary, labelled as a summary, with PedCNO's
recalled source."""

from __future__ import annotations

import pytest
from django.urls import reverse

from exclusion.summaries.facts import PEDCNO_SOURCE
from exclusion.summaries.services import summary_sweep
from tests.factories import case, make_episode

pytestmark = pytest.mark.django_db


def test_the_patient_page_shows_the_activity_summary_and_pedcno(client, trio, north):
    first = make_episode(north, "ACT-1")
    improved = case(
        assessed_on="2024-11-10",
        labs={**case()["episode"]["labs"], "esr_mm_h": 10},
        activity={"pain_vas": 0, "patient_global_vas": 1, "physician_global_vas": 1, "chaq": 0.1},
    )
    make_episode(north, "ACT-1", improved)
    summary_sweep(sync=True)
    client.force_login(trio.owner)
    html = client.get(reverse("patients:patient_detail", args=[first.patient_id])).content.decode()
    assert "data-activity-summary" in html
    assert 'data-activity-state="active"' in html  # MRI marrow oedema is still an active lesion
    # Against the first episode: ESR 28→10 (−64%), patient global 3→1 (−67%), physician global 4→1 (−75%),
    # CHAQ 0.5→0.1 (−80%), active MRI lesions 3→3 (0%): four variables improve ≥ 50% but only two ≥ 70%,
    # and none worsens, so the recalled PedCNO rule (Beck 2010) gives PedCNO50.
    assert "PedCNO50" in html
    assert PEDCNO_SOURCE[:40] in html


def test_before_any_computation_the_page_says_the_summary_is_pending(client, trio, north):
    episode = make_episode(north, "ACT-2")
    client.force_login(trio.owner)
    html = client.get(reverse("patients:patient_detail", args=[episode.patient_id])).content.decode()
    assert "data-activity-summary" in html
    assert "No activity summary has been computed yet" in html or "data-summary-stale" in html
