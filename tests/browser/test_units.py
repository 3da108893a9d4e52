"""Units that cannot slip, in a real browser (Debian's Chromium through Playwright): what is typed in a
number field reaches the server as typed, and a failed submit puts focus on the error summary."""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import expect

from patients.models import Episode
from patients.services import patient_create
from tests.factories import make_site, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def north_clinician(transactional_db):
    site = make_site("NORTH")
    return make_user(site, "clinician", "dr-north")


def _new_patient(user):
    return patient_create(
        actor=user,
        site=user.memberships.get().site,
        record_number="NB-COMMA",
        sex="female",
        birth_date=datetime.date(2014, 3, 2),
    )


def _add_lesion(page, index: int, site: str, side: str = "") -> None:
    page.get_by_role("button", name="Add a lesion").click()
    page.select_option(f"#id_lesions-{index}-site", site)
    if side:
        page.select_option(f"#id_lesions-{index}-side", side)
    page.select_option(f"#id_lesions-{index}-modality", "mri")


def test_a_decimal_comma_typed_in_crp_is_stored_as_a_decimal_point(open_page, north_clinician):
    patient = _new_patient(north_clinician)
    page = open_page(signed_in="dr-north")
    page.goto(f"/patients/{patient.id}/episodes/new/")
    page.fill("#id_assessed_on", "2024-05-10")
    page.locator("#id_crp_mg_l").press_sequentially("1,8")
    _add_lesion(page, 0, "tibia", "left")
    page.get_by_role("button", name="Save and assess").click()

    expect(page.get_by_role("heading", name=re.compile("Exclusion assessment"))).to_be_visible()
    assert Episode.objects.get(patient=patient).crp_mg_l == 1.8


def test_a_failed_submit_puts_focus_on_the_error_summary_naming_the_row(open_page, north_clinician):
    patient = _new_patient(north_clinician)
    page = open_page(signed_in="dr-north")
    page.goto(f"/patients/{patient.id}/episodes/new/")
    page.fill("#id_assessed_on", "2024-05-10")
    page.fill("#id_max_temperature_c", "101.3")
    _add_lesion(page, 0, "tibia", "left")
    _add_lesion(page, 1, "rib", "left")
    _add_lesion(page, 2, "femur")  # no side: a paired bone
    page.get_by_role("button", name="Remove lesion 2").click()
    page.get_by_role("button", name="Save and assess").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("It looks like °F: 101.3 °F = 38.5 °C")
    # The femur row is the second row the page shows once the rib was removed.
    expect(summary).to_contain_text("Lesion 2, side: Choose left or right: the femur is a paired bone.")
    expect(page.locator("[data-lesion-row]:visible").nth(1).locator("legend").first).to_have_text("Lesion 2")
    assert not Episode.objects.filter(patient=patient).exists()
