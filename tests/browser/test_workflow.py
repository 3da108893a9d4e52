"""The clinician workflow in a real browser (Debian's Chromium through Playwright)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from patients.services import episode_update, patient_create
from tests.browser.fixtures import login
from tests.factories import case, make_episode, make_site, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def north_clinician(transactional_db):
    site = make_site("NORTH")
    return make_user(site, "clinician", "dr-north")


def _new_patient(user, record_number: str = "NB-100"):
    return patient_create(
        actor=user,
        site=user.memberships.get().site,
        record_number=record_number,
        sex="female",
        birth_date=__import__("datetime").date(2014, 3, 2),
    )


def _add_lesion(
    page, index: int, site: str, side: str, features: tuple[str, ...] = ("marrow_oedema",)
) -> None:
    page.get_by_role("button", name="Add a lesion").click()
    page.select_option(f"#id_lesions-{index}-site", site)
    page.select_option(f"#id_lesions-{index}-side", side)
    page.select_option(f"#id_lesions-{index}-modality", "mri")
    for feature in features:
        page.check(f"#id_lesions-{index}-{feature}")


def _fill_contract_example_history_and_labs(page) -> None:
    page.fill("#id_assessed_on", "2024-05-10")
    page.fill("#id_onset_on", "2024-02-01")
    for name, value in {
        "bone_pain": "yes",
        "local_swelling": "no",
        "night_pain": "no",
        "fever": "no",
        "weight_loss": "no",
        "night_sweats": "no",
        "ill_appearance": "no",
        "hepatomegaly": "no",
        "splenomegaly": "no",
        "lymphadenopathy": "no",
        "bruising_or_purpura": "no",
        "gum_bleeding": "no",
        "restricted_diet": "no",
        "neonatal_pustulosis": "no",
        "consanguinity_or_affected_sibling": "no",
        "blasts_on_smear": "no",
        "blood_culture": "negative",
    }.items():
        page.select_option(f"#id_{name}", value)
    for name, value in {
        "max_temperature_c": "37.1",
        "crp_mg_l": "12",
        "esr_mm_h": "28",
        "wbc_10e9_l": "7.2",
        "neutrophils_10e9_l": "3.9",
        "hemoglobin_g_l": "124",
        "platelets_10e9_l": "310",
        "ldh_u_l": "220",
        "ldh_uln_u_l": "300",
        "alp_u_l": "240",
        "alp_lln_u_l": "130",
        "pain_vas": "4",
        "physician_global_vas": "4",
    }.items():
        page.fill(f"#id_{name}", value)


def test_clinician_logs_in_and_out(open_page, north_clinician):
    page = open_page()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/"))
    login(page, "dr-north")
    expect(page.get_by_role("heading", name="Patients")).to_be_visible()
    expect(page.get_by_role("link", name="Rules")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


def test_wrong_password_is_refused_with_a_message(open_page, north_clinician):
    page = open_page()
    login_page = page
    login_page.goto("/login/")
    page.get_by_label("Username").fill("dr-north")
    page.get_by_label("Password").fill("wrong-password-0")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("did not match")


def test_clinician_creates_a_patient(open_page, north_clinician):
    page = open_page(signed_in="dr-north")
    page.get_by_role("link", name="Add a patient").click()
    page.get_by_label("Record number").fill("NB-2024-17")
    page.get_by_label("Sex").select_option("female")
    page.get_by_label("Birth date").fill("2013-06-01")
    page.get_by_role("button", name="Add patient").click()
    expect(page.get_by_role("heading", name="New episode for NB-2024-17")).to_be_visible()
    page.goto("/")
    expect(page.locator("[data-patient-row]", has_text="NB-2024-17")).to_be_visible()


def test_three_lesion_symmetric_episode_meets_bristol_criterion_1_without_biopsy_banner(
    open_page, north_clinician
):
    patient = _new_patient(north_clinician)
    page = open_page(signed_in="dr-north")
    page.goto(f"/patients/{patient.id}/episodes/new/")
    _fill_contract_example_history_and_labs(page)
    _add_lesion(page, 0, "tibia", "left", ("marrow_oedema", "sclerosis"))
    _add_lesion(page, 1, "tibia", "right")
    _add_lesion(page, 2, "clavicle", "right", ("marrow_oedema", "bone_expansion"))
    page.get_by_role("button", name="Save and assess").click()

    expect(page.get_by_role("heading", name=re.compile("Exclusion assessment"))).to_be_visible()
    expect(page.locator('[data-bristol="criterion_1_met"] .badge')).to_contain_text("Criterion 1 met")
    expect(page.locator("[data-biopsy-banner]")).to_have_count(0)
    expect(page.locator("[data-differential]")).to_have_count(5)
    expect(page.locator('[data-differential="hypophosphatasia"] .badge')).to_have_text("Excluded")
    expect(page.locator("[data-jansson-points]")).to_have_text("63")


def test_unifocal_tibia_episode_shows_the_biopsy_banner_with_its_reason(open_page, north_clinician):
    patient = _new_patient(north_clinician)
    page = open_page(signed_in="dr-north")
    page.goto(f"/patients/{patient.id}/episodes/new/")
    page.fill("#id_assessed_on", "2024-05-10")
    page.select_option("#id_bone_pain", "yes")
    page.fill("#id_crp_mg_l", "8")
    _add_lesion(page, 0, "tibia", "left")
    page.get_by_role("button", name="Save and assess").click()

    banner = page.locator("[data-biopsy-banner]")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Consider a bone biopsy")
    expect(banner.locator('[data-biopsy-reason="unifocal_non_clavicular"]')).to_contain_text(
        "Unifocal disease outside the clavicle"
    )
    # Unknown laboratory values leave malignancy incomplete, with a to-do list.
    malignancy = page.locator('[data-differential="malignancy"]')
    expect(malignancy.locator(".badge")).to_have_text("Incomplete — data missing")
    expect(malignancy.locator('[data-missing="episode.labs.wbc_10e9_l"]')).to_be_visible()


def test_out_of_range_crp_is_shown_next_to_the_field_and_everything_else_stays_filled_in(
    open_page, north_clinician
):
    patient = _new_patient(north_clinician)
    page = open_page(signed_in="dr-north")
    page.goto(f"/patients/{patient.id}/episodes/new/")
    _fill_contract_example_history_and_labs(page)
    page.fill("#id_crp_mg_l", "900")
    _add_lesion(page, 0, "femur", "left")
    page.get_by_role("button", name="Save and assess").click()

    crp = page.locator('[data-field="crp_mg_l"]')
    expect(crp.locator(".field-error")).to_contain_text("between 0 and 500 mg/L")
    expect(page.locator(".field-error")).to_have_count(1)
    expect(page.locator("#id_crp_mg_l")).to_have_value("900")
    expect(page.locator("#id_esr_mm_h")).to_have_value("28")
    expect(page.locator("#id_onset_on")).to_have_value("2024-02-01")
    expect(page.locator("#id_bone_pain")).to_have_value("yes")
    expect(page.locator("#id_blood_culture")).to_have_value("negative")
    expect(page.locator("#id_lesions-0-site")).to_have_value("femur")
    expect(page.locator("#id_lesions-0-marrow_oedema")).to_be_checked()
    assert patient.episodes.count() == 0


def test_skeleton_map_shows_one_marker_per_lesion(open_page, north_clinician):
    site = north_clinician.memberships.get().site
    lesions = [
        {"site": "tibia", "side": "left", "modality": "mri", "marrow_oedema": True},
        {"site": "tibia", "side": "right", "modality": "mri", "marrow_oedema": True},
        {"site": "clavicle", "side": "right", "modality": "xray", "sclerosis": True},
        {"site": "spine_thoracic", "side": "midline", "level": "T7", "modality": "mri"},
    ]
    episode = make_episode(site, "NB-MAP", case(lesions=lesions))
    page = open_page(signed_in="dr-north")
    page.goto(f"/patients/{episode.patient_id}/")
    markers = page.locator("[data-lesion-marker]")
    expect(markers).to_have_count(4)
    expect(page.locator('[data-lesion-marker][data-active="true"]')).to_have_count(2)
    expect(page.locator('[data-lesion-marker][data-site="tibia"]')).to_have_count(2)
    for key in ("crp", "esr", "active_lesions", "pain", "physician_global"):
        expect(page.locator(f'[data-chart="{key}"]')).to_be_visible()


def test_lesion_rows_are_added_and_removed_with_the_keyboard(open_page, north_clinician):
    site = north_clinician.memberships.get().site
    episode = make_episode(site, "NB-KEY")
    page = open_page(signed_in="dr-north")
    page.goto(f"/episodes/{episode.id}/edit/")
    expect(page.locator("[data-lesion-row]:visible")).to_have_count(3)
    page.get_by_role("button", name="Remove lesion 2").focus()
    page.keyboard.press("Enter")
    expect(page.locator("[data-lesion-row]:visible")).to_have_count(2)
    page.get_by_role("button", name="Add a lesion").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "id_lesions-3-site"
    page.keyboard.press("Escape")
    page.select_option("#id_lesions-3-site", "sternum")
    page.select_option("#id_lesions-3-modality", "mri")
    page.get_by_role("button", name="Save and assess").click()
    expect(page.locator("[data-lesion-marker]")).to_have_count(3)
    assert sorted(episode.lesions.values_list("site", flat=True)) == ["clavicle", "sternum", "tibia"]


def test_second_user_sees_the_conflict_message_and_keeps_their_input(open_page, north_clinician):
    site = north_clinician.memberships.get().site
    make_user(site, "clinician", "dr-second")
    episode = make_episode(site, "NB-CONFLICT")

    first, second = open_page(signed_in="dr-north"), open_page(signed_in="dr-second")
    first.goto(f"/episodes/{episode.id}/edit/")
    second.goto(f"/episodes/{episode.id}/edit/")

    first.fill("#id_esr_mm_h", "35")
    first.get_by_role("button", name="Save and assess").click()
    expect(first.get_by_text("Episode saved and assessed.")).to_be_visible()

    second.fill("#id_crp_mg_l", "14")
    second.select_option("#id_night_pain", "yes")
    second.get_by_role("button", name="Save and assess").click()
    conflict = second.locator("#conflict")
    expect(conflict).to_contain_text("Someone else changed this episode")
    expect(conflict).to_contain_text("Your changes have not been saved")
    expect(second.locator("#id_crp_mg_l")).to_have_value("14")
    expect(second.locator("#id_night_pain")).to_have_value("yes")
    episode.refresh_from_db()
    assert (episode.esr_mm_h, episode.crp_mg_l, episode.version) == (35, 12, 2)


def test_conflict_with_a_service_save_offers_to_reload(open_page, north_clinician):
    site = north_clinician.memberships.get().site
    episode = make_episode(site, "NB-RELOAD")
    page = open_page(signed_in="dr-north")
    page.goto(f"/episodes/{episode.id}/edit/")
    episode_update(actor=None, episode_id=episode.id, expected_version=1, data={"crp_mg_l": 20})
    page.fill("#id_esr_mm_h", "40")
    page.get_by_role("button", name="Save and assess").click()
    expect(page.locator("#conflict")).to_be_visible()
    page.get_by_role("link", name=re.compile("Reload the current version")).click()
    expect(page.locator("#id_crp_mg_l")).to_have_value("20")
    expect(page.locator("#id_esr_mm_h")).to_have_value("28")
