"""The review queue in a real browser: Debian's Chromium through Playwright against the live server."""

from __future__ import annotations

import pytest

from exclusion.models import Flag
from tests.browser.fixtures import ARTIFACTS
from tests.exclusion.review.cases import unifocal_tibia_case
from tests.factories import case, make_episode


def _under_3_case() -> dict:
    """Multifocal and typical, but onset before 3 years: flagged in the lowest-priority group."""
    doc = case()
    doc["patient"]["birth_date"] = "2022-01-01"
    return doc


@pytest.mark.browser
def test_a_reviewer_finds_the_unifocal_case_at_the_top_orders_a_biopsy_and_it_leaves_the_queue(
    open_page, north, reviewer
):
    from playwright.sync_api import expect

    make_episode(north, "N-YOUNG", _under_3_case())  # older flag, lower priority group
    make_episode(north, "N-TYPICAL", case())  # not flagged
    make_episode(north, "N-TIBIA", unifocal_tibia_case())
    ARTIFACTS.mkdir(exist_ok=True)
    page = open_page(signed_in="rev_north")

    page.goto("/review/")
    rows = page.locator("[data-testid=queue] tbody tr")
    expect(rows).to_have_count(2)
    first = rows.nth(0)
    expect(first).to_contain_text("N-TIBIA")
    expect(first).to_contain_text("Unifocal, not clavicle")
    expect(first).to_contain_text("tibia (left)")
    expect(rows.nth(1)).to_contain_text("N-YOUNG")
    expect(page.locator("[data-testid=count-open]")).to_contain_text("2")
    page.screenshot(path=str(ARTIFACTS / "review_queue_before.png"), full_page=True)

    first.get_by_role("link", name="N-TIBIA").click()
    decision = page.get_by_role("group", name="Record a decision")
    decision.get_by_label("Biopsy ordered").check()
    decision.get_by_label("Decision comment").fill("MRI-guided biopsy with culture booked, off antibiotics")
    page.screenshot(path=str(ARTIFACTS / "review_flag_page.png"), full_page=True)
    page.get_by_role("button", name="Record decision").click()

    page.wait_for_url("**/review/")
    expect(page.get_by_role("status")).to_contain_text("Decision recorded for N-TIBIA")
    expect(page.locator("[data-testid=queue] tbody tr")).to_have_count(1)
    expect(page.locator("[data-testid=queue]")).not_to_contain_text("N-TIBIA")
    expect(page.locator("[data-testid=count-decided]")).to_contain_text("1")
    page.screenshot(path=str(ARTIFACTS / "review_queue_after_decision.png"), full_page=True)

    flag = Flag.objects.get(patient__record_number="N-TIBIA")
    assert (flag.status, flag.decision, flag.decided_by.username) == (
        "decided",
        "biopsy_ordered",
        "rev_north",
    )
    assert flag.decision_comment == "MRI-guided biopsy with culture booked, off antibiotics"
