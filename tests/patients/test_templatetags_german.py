"""The assessment card in German: the engine's words from its catalogue (exclusion.engine.translations),
the page's own words from the message catalogue, numbers and dates as German writes them; the stored
assessment and the English page stay as they were."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import translation

from patients.templatetags import cno_ui
from tests.factories import case, make_episode

TIBIA = {"site": "tibia", "side": "left", "modality": "mri", "marrow_oedema": True}


def _episode(north):
    doc = case(lesions=[TIBIA])
    doc["episode"]["labs"]["crp_mg_l"] = 45.5
    doc["episode"]["labs"].pop("alp_u_l")
    return make_episode(north, "DE-1", doc)


def test_the_assessment_card_of_an_episode_page_reads_in_german(client, trio, north):
    episode = _episode(north)
    client.force_login(trio.owner)
    html = client.get(reverse("patients:episode_detail", args=[episode.id]), HTTP_ACCEPT_LANGUAGE="de")
    html = html.content.decode()
    assert "Ausschlussbeurteilung" in html
    assert "Knochenbiopsie erwägen" in html
    assert "<strong>CRP 45,5 mg/l (≥ 30 mg/l)</strong>: Infektion nicht ausgeschlossen; Biopsie mit" in html
    assert "Verdacht – Abklärung erforderlich" in html
    assert "Infektion (bakterielle Osteomyelitis)" in html
    assert "AP (U/l)" in html  # the missing input, named in German
    assert "Abklärung unvollständig: AP" in html
    assert "Normales Blutbild" in html and "Jansson-Score" in html
    assert "Unifokaler Befall außerhalb der Klavikula" in html
    assert "infection not excluded" not in html
    assert "Consider a bone biopsy" not in html
    # The stored document is the engine's, in English.
    stored = episode.assessments.get().result
    finding = stored["differentials"]["infection"]["findings"][0]
    assert finding["text"].startswith("CRP 45.5 mg/L (≥ 30 mg/L): infection not excluded")


def test_the_english_assessment_card_is_unchanged(client, trio, north):
    episode = _episode(north)
    client.force_login(trio.owner)
    html = client.get(reverse("patients:episode_detail", args=[episode.id])).content.decode()
    assert "Exclusion assessment" in html and "Consider a bone biopsy" in html
    assert "<strong>CRP 45.5 mg/L (≥ 30 mg/L)</strong>: infection not excluded; consider biopsy with" in html
    assert "Concern — work-up needed" in html
    assert "ALP (U/L)" in html
    assert "Work-up incomplete: ALP" in html
    assert "Ausschlussbeurteilung" not in html


def test_plain_values_follow_the_active_language():
    with translation.override("de"):
        assert [cno_ui.plain(v) for v in (1.8, 2.0, None, True, False)] == [
            "1,8",
            "2",
            "Unbekannt",
            "Ja",
            "Nein",
        ]
        assert cno_ui.plain(datetime.date(2024, 5, 10)) == "10.05.2024"
        assert cno_ui.yes_no_unknown(None) == "Unbekannt"
    with translation.override("en-gb"):
        assert [cno_ui.plain(v) for v in (1.8, 2.0, None, True, False)] == [
            "1.8",
            "2",
            "Unknown",
            "Yes",
            "No",
        ]
        assert cno_ui.plain(datetime.date(2024, 5, 10)) == "10 May 2024"


def test_labels_and_findings_follow_the_active_language():
    finding = {
        "code": "MAL-CYTOPENIA-WBC",
        "text": "WBC 3.2 ×10⁹/L (< 4.0): leukaemia not excluded; consider blood film and bone-marrow "
        "examination.",
    }
    with translation.override("de"):
        assert cno_ui.finding_text(finding).startswith("Leukozyten 3,2 ×10⁹/l (< 4,0): Leukämie")
        assert cno_ui.status_label("no_red_flags") == "Keine Warnzeichen"
        assert cno_ui.path_label("episode.labs.crp_mg_l") == "CRP (mg/l)"
        assert cno_ui.brief_path_label("episode.labs.wbc_10e9_l") == "Leukozyten"
        assert cno_ui.rule_title("INF-FEVER") == "Fieber angegeben"
        assert cno_ui.term_label("retired_code", "status") == "Retired code"  # unknown: the code in words
    with translation.override("en-gb"):
        assert cno_ui.finding_text(finding) == finding["text"]
        assert cno_ui.path_label("episode.labs.crp_mg_l") == "CRP (mg/L)"
        assert cno_ui.rule_title("INF-FEVER") == "Fever reported"
