"""Status at a glance: one visual language for the four states on the patient list, the patient page and
the episode page (and its print view). A concern is red and names its differential, a recommended biopsy
is red, missing data is amber and names what is missing, and green appears only when the work-up is
complete. Labels are the engine's vocabulary; citations sit behind a "Source" disclosure."""

from __future__ import annotations

import html as html_lib
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from exclusion.engine import vocabulary
from exclusion.summaries.services import summary_sweep
from patients.services import case_import
from patients.templatetags.cno_ui import glance, jansson_view
from tests.factories import case, make_episode

pytestmark = pytest.mark.django_db

DEMO = Path(settings.BASE_DIR) / "demo_data"
MALIGNANCY = vocabulary.DIFFERENTIALS.label(vocabulary.MALIGNANCY)  # "Malignancy (leukaemia, …)"
INFECTION = vocabulary.DIFFERENTIALS.label(vocabulary.INFECTION)
GREEN_WORDS = ("Exclusion work-up complete", "Supports CNO", "supports CNO")


def load_demo_patient(site, record_number: str):
    """A demo patient's episodes, imported as `make run`'s load_demo imports them."""
    manifest = json.loads((DEMO / "manifest.json").read_text())
    (entry,) = [p for p in manifest["patients"] if p["record_number"] == record_number]
    episode = None
    for item in entry["episodes"]:
        doc = json.loads((DEMO / item["file"]).read_text())
        episode = case_import(actor=None, site=site, record_number=record_number, doc=doc)
    return episode


def get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return html_lib.unescape(response.content.decode())


def list_row(page: str, record_number: str) -> str:
    return page.split(f'data-record-number="{record_number}"')[1].split("</tr>")[0]


def pills(fragment: str) -> list[tuple[str, str]]:
    """(tone, text) of every status pill in a piece of page."""
    return re.findall(r'<span class="pill (\w+)" data-glance-pill="\w+"[^>]*>([^<]*)</span>', fragment)


def summary_line(page: str) -> str:
    return page.split("data-summary-line")[1].split("</p>")[0]


def test_the_leukaemia_mimic_shows_a_red_concern_naming_leukaemia_in_the_list_and_on_its_pages(
    client, trio, north
):
    episode = load_demo_patient(north, "NF-1011")
    client.force_login(trio.owner)
    row = list_row(get(client, "/"), "NF-1011")
    assert ("concern", f"Concern: {MALIGNANCY}") in pills(row)
    assert "leukaemia" in MALIGNANCY
    for url in (
        reverse("patients:patient_detail", args=[episode.patient_id]),
        reverse("patients:episode_detail", args=[episode.id]),
        reverse("patients:episode_detail", args=[episode.id]) + "?print=1",
    ):
        line = summary_line(get(client, url))
        assert ("concern", f"Concern: {MALIGNANCY}") in pills(line), url
        assert ("concern", "Biopsy recommended") in pills(line), url


def test_the_infection_and_lch_mimics_are_red_in_the_list_never_an_amber_incomplete_only(client, trio, north):
    load_demo_patient(north, "NF-1010")
    load_demo_patient(north, "NF-1012")
    client.force_login(trio.owner)
    page = get(client, "/")
    infection = pills(list_row(page, "NF-1010"))
    assert ("concern", f"Concern: {INFECTION}") in infection
    assert ("concern", "Biopsy recommended") in infection
    # The LCH biopsy is on file: no biopsy is recommended, but malignancy is still the red concern.
    assert pills(list_row(page, "NF-1012")) == [("concern", f"Concern: {MALIGNANCY}")]


def test_no_page_shows_green_while_a_biopsy_is_recommended_or_a_differential_is_in_concern(
    client, trio, north
):
    client.force_login(trio.owner)
    for number in ("NF-1010", "NF-1011", "NF-1012"):
        episode = load_demo_patient(north, number)
        for url in (
            reverse("patients:patient_detail", args=[episode.patient_id]),
            reverse("patients:episode_detail", args=[episode.id]),
            reverse("patients:episode_detail", args=[episode.id]) + "?print=1",
        ):
            page = get(client, url)
            assert not any(word in page for word in GREEN_WORDS), (number, url)
            assert 'class="pill excluded"' not in page and 'class="badge excluded"' not in page, (number, url)
    row_tones = {tone for tone, _ in pills(get(client, "/"))}
    assert "excluded" not in row_tones


def test_a_single_unbiopsied_femur_lesion_is_red_and_its_settled_differentials_are_not_green(
    client, trio, north
):
    femur = [{"site": "femur", "side": "left", "modality": "mri", "marrow_oedema": True}]
    episode = make_episode(north, "GL-FEMUR", case(lesions=femur))
    client.force_login(trio.owner)
    page = get(client, reverse("patients:episode_detail", args=[episode.id]))
    assert pills(summary_line(page)) == [("concern", "Biopsy recommended")]
    card = page.split('data-differential="infection"')[1].split("</article>")[0]
    assert 'class="badge settled"' in card  # no red flags, yet not green: the biopsy is still to do
    assert "Exclusion work-up complete" not in page and "Supports CNO" not in page


def test_missing_data_is_amber_and_names_what_is_missing(client, trio, north):
    labs = {**case()["episode"]["labs"], "alp_u_l": None, "ldh_u_l": None}
    make_episode(north, "GL-LABS", case(labs=labs))
    client.force_login(trio.owner)
    assert pills(list_row(get(client, "/"), "GL-LABS")) == [("incomplete", "Work-up incomplete: LDH, ALP")]


def test_a_long_list_of_missing_data_is_cut_short():
    result = {
        "exclusion_complete": False,
        "biopsy": {"recommended": False, "reasons": []},
        "differentials": {
            "malignancy": {
                "status": "incomplete",
                "missing": [f"episode.labs.{name}" for name in ("wbc_10e9_l", "hemoglobin_g_l", "ldh_u_l")],
            },
            "hypophosphatasia": {
                "status": "incomplete",
                "missing": ["episode.labs.alp_u_l", "episode.labs.alp_lln_u_l", "episode.labs.ldh_u_l"],
            },
        },
    }
    assert [p["label"] for p in glance(result)] == [
        "Work-up incomplete: White cell count, Haemoglobin, LDH, ALP and 1 more"
    ]


def test_a_complete_work_up_is_the_only_green(client, trio, north):
    episode = make_episode(north, "GL-OK")
    client.force_login(trio.owner)
    assert pills(list_row(get(client, "/"), "GL-OK")) == [("excluded", "Exclusion work-up complete")]
    page = get(client, reverse("patients:episode_detail", args=[episode.id]))
    assert pills(summary_line(page)) == [("excluded", "Exclusion work-up complete")]
    card = page.split('data-differential="infection"')[1].split("</article>")[0]
    assert 'class="badge excluded"' in card


def test_labels_are_the_vocabularys_never_raw_codes(client, trio, north):
    episode = load_demo_patient(north, "NF-1010")
    client.force_login(trio.owner)
    page = get(client, reverse("patients:episode_detail", args=[episode.id]))
    visible = re.sub(r"<[^>]+>", " ", page)
    codes = [
        *vocabulary.STATUSES.codes,
        *vocabulary.BIOPSY_REASONS.codes,
        *vocabulary.BRISTOL_STATUSES.codes,
        *vocabulary.EULAR_STATUSES.codes,
    ]
    for code in (c for c in codes if "_" in c):  # one-word codes ("concern") are words of labels too
        assert code not in visible, code
    assert "Lesions: unifocal" not in visible
    assert f"Lesions: {vocabulary.FOCALITIES.label('unifocal')}" in visible
    assert vocabulary.BRISTOL_STATUSES.label(episode.assessments.get().bristol_status) in visible
    for reason in episode.assessments.get().result["biopsy"]["reasons"]:
        assert vocabulary.BIOPSY_REASONS.label(reason) in visible


def test_citations_are_inside_a_source_disclosure_and_the_finding_comes_first(client, trio, north):
    episode = load_demo_patient(north, "NF-1010")
    client.force_login(trio.owner)
    page = get(client, reverse("patients:episode_detail", args=[episode.id]))
    findings = re.findall(r'<li data-finding="[^"]+">(.*?)</li>', page, flags=re.S)
    assert findings
    for finding in findings:
        before, _, disclosure = finding.partition('<details class="source"><summary>Source</summary>')
        assert disclosure, finding
        assert "Source:" not in before and "Rule <code>" not in before
        assert "Rule <code>" in disclosure
    banner = page.split("data-biopsy-banner")[1].split("</div>")[0]
    for reason in re.findall(r'<li data-biopsy-reason="[^"]+">(.*?)</li>', banner, flags=re.S):
        assert reason.index("<details") > 0 and "rule BIOPSY-" in reason.split("<details")[1]


def test_fever_is_said_once(client, trio, north):
    episode = load_demo_patient(north, "NF-1010")  # fever reported
    client.force_login(trio.owner)
    page = get(client, reverse("patients:episode_detail", args=[episode.id]))
    text = re.sub(r"<[^>]+>", "", page)
    assert "Fever reported: bacterial osteomyelitis not excluded" in text
    assert "Fever reported: Fever reported" not in text


def jansson_panel(page: str) -> str:
    return page.split("data-jansson ")[1].split("</section>")[0]


def test_jansson_under_3_years_says_not_applicable_and_gives_no_verdict(client, trio, north):
    doc = case()
    doc["patient"]["birth_date"] = "2022-06-01"  # two years old at the 2024 assessment
    episode = make_episode(north, "GL-YOUNG", doc)
    client.force_login(trio.owner)
    panel = jansson_panel(get(client, reverse("patients:episode_detail", args=[episode.id])))
    assert "Not applicable: the score was derived in children over 3 years" in panel
    assert "Undecided" not in panel and "up to" not in panel and "Supports CNO" not in panel
    assert "for information only" in panel


def test_jansson_says_up_to_only_when_items_are_unknown():
    known = {item.code: False for item in vocabulary.JANSSON_ITEMS}
    complete = {"applicable": True, "points": 0, "possible_max": 0, "threshold": 63, "supports_nbo": False}
    view = jansson_view({**complete, "items": known}, {})
    assert view["unknown"] == 0 and view["verdict"] == "below"
    unknown = {**known, "marginal_sclerosis": None}
    view = jansson_view({**complete, "possible_max": 10, "supports_nbo": None, "items": unknown}, {})
    assert view["unknown"] == 1 and view["verdict"] == "undecided"


def test_jansson_with_every_item_known_has_no_up_to_and_no_undecided(client, trio, north):
    episode = make_episode(north, "GL-JANSSON")  # the contract example: every Jansson item known
    client.force_login(trio.owner)
    panel = jansson_panel(get(client, reverse("patients:episode_detail", args=[episode.id])))
    assert "up to" not in panel and "Undecided" not in panel
    assert 'data-jansson-verdict="supports"' in panel


def test_jansson_reaching_the_threshold_is_not_green_beside_a_red_flag():
    view = jansson_view(
        {"applicable": True, "points": 70, "possible_max": 70, "supports_nbo": True, "items": {}},
        {"biopsy": {"recommended": True}, "differentials": {}},
    )
    assert view["verdict"] == "supports_held" and view["tone"] == "neutral"
    assert "Supports CNO" not in view["label"]


def test_no_severe_course_pill_is_red_on_a_patient_inactive_now(client, trio, north):
    severe = case(activity={"pain_vas": 6, "patient_global_vas": 6, "physician_global_vas": 7, "chaq": 1})
    first = make_episode(north, "GL-SEVERE", severe)
    quiet_lesions = [
        {**lesion, "marrow_oedema": False, "active": False} for lesion in case()["episode"]["lesions"]
    ]
    quiet = case(
        assessed_on="2025-06-01",
        lesions=quiet_lesions,
        activity={"pain_vas": 0, "patient_global_vas": 0, "physician_global_vas": 0, "chaq": 0},
    )
    make_episode(north, "GL-SEVERE", quiet)
    summary_sweep(sync=True)
    client.force_login(trio.owner)
    page = get(client, reverse("patients:patient_detail", args=[first.patient_id]))
    panel = page.split("data-activity-summary")[1].split("</section>")[0]
    assert 'data-activity-state="inactive"' in panel
    assert 'class="pill neutral" data-severe-course>Severe course earlier' in panel
    assert 'class="pill concern">Severe' not in panel


def test_the_demo_data_loaded_as_make_run_does_shows_the_three_mimics_red(client, trio, north, settings):
    settings.DEBUG = True  # load_demo refuses to run otherwise
    call_command("load_demo", quiet_passwords=True)
    client.force_login(trio.owner)
    page = get(client, "/?q=NF-101")
    for number, differential in (("NF-1010", INFECTION), ("NF-1011", MALIGNANCY), ("NF-1012", MALIGNANCY)):
        assert ("concern", f"Concern: {differential}") in pills(list_row(page, number)), number
