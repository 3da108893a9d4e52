"""The six working pages in Chromium: axe-core finds no serious or critical violation, and none of them
scrolls sideways on a 390 px phone (tables become cards there)."""

from __future__ import annotations

import pytest

from exclusion.models import Flag
from tests.exclusion.review.cases import unifocal_tibia_case
from tests.factories import case, make_episode, make_user

PHONE = {"width": 390, "height": 844}
BLOCKING = {"serious", "critical"}


def _pages(north) -> dict[str, str]:
    """A patient with a flagged unifocal episode and one with a typical multifocal episode."""
    flagged = make_episode(north, "NF-A11Y-1", unifocal_tibia_case())
    make_episode(north, "NF-A11Y-2", case())
    flag = Flag.objects.get(episode=flagged)
    return {
        "patient list": "/",
        "patient page": f"/patients/{flagged.patient_id}/",
        "episode page": f"/episodes/{flagged.id}/",
        "episode form": f"/episodes/{flagged.id}/edit/",
        "review queue": "/review/",
        "flag page": f"/review/flags/{flag.id}/",
    }


def _blocking_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING
    ]


def _sideways_overflow(page) -> int:
    """How many pixels the page is wider than the phone's screen (0 when nothing scrolls sideways)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.fixture
def clinician_reviewer(north):
    # One person with both roles would be unusual; two users keep each page under its own role.
    make_user(north, "clinician", "a11y_clinician")
    return make_user(north, "reviewer", "a11y_reviewer")


@pytest.mark.browser
def test_axe_core_finds_no_serious_or_critical_violation_on_the_six_working_pages(
    open_page, north, clinician_reviewer
):
    urls = _pages(north)
    clinician, reviewer = open_page(signed_in="a11y_clinician"), open_page(signed_in="a11y_reviewer")
    found = {}
    for name, url in urls.items():
        page = reviewer if name in ("review queue", "flag page") else clinician
        page.goto(url)
        found[name] = _blocking_violations(page)
    assert found == dict.fromkeys(urls, [])


@pytest.mark.browser
def test_no_working_page_scrolls_sideways_on_a_390_px_phone(open_page, north, clinician_reviewer):
    urls = _pages(north)
    clinician, reviewer = open_page(signed_in="a11y_clinician"), open_page(signed_in="a11y_reviewer")
    for page in (clinician, reviewer):
        page.set_viewport_size(PHONE)
    overflow = {}
    for name, url in urls.items():
        page = reviewer if name in ("review queue", "flag page") else clinician
        page.goto(url)
        overflow[name] = _sideways_overflow(page)
    assert overflow == dict.fromkeys(urls, 0)


@pytest.mark.browser
def test_on_a_phone_each_patient_row_is_a_card_whose_cells_name_their_column(
    open_page, north, clinician_reviewer
):
    _pages(north)
    page = open_page(signed_in="a11y_clinician")
    page.set_viewport_size(PHONE)
    page.goto("/")
    cell = page.locator("table.cards tbody tr").first.locator("td").first
    assert cell.get_attribute("data-label") == "Record number"
    assert cell.evaluate("td => getComputedStyle(td).display") == "block"
    assert "Record number" in cell.evaluate("td => getComputedStyle(td, '::before').content")
