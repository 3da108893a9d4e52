"""Every kind of page works in a real browser under the strict Content-Security-Policy: nothing is blocked
(open_page asserts that no page logged a CSP violation), the scripts still run, the styles still apply."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from exclusion.review.models import Flag
from tests.browser.fixtures import csp_violations, login
from tests.exclusion.review.cases import unifocal_tibia_case
from tests.factories import make_episode, make_user


@pytest.mark.browser
def test_every_page_opens_under_the_policy_with_nothing_blocked(open_page, north):
    episode = make_episode(north, "N-CSP-1", unifocal_tibia_case())
    flag = Flag.objects.get(episode=episode)
    # A site admin who is also staff and superuser sees every page, the Django admin's included.
    make_user(north, "site_admin", "csp_admin", is_staff=True, is_superuser=True)
    page = open_page()
    login(page, "csp_admin")

    pages = {
        "/": "Patients",
        f"/patients/{episode.patient_id}/": "N-CSP-1",
        f"/episodes/{episode.pk}/": "N-CSP-1",
        f"/episodes/{episode.pk}/edit/": "episode",
        "/patients/new/": "patient",
        "/review/": "Review",
        f"/review/flags/{flag.pk}/": "N-CSP-1",
        "/rules/": "Rules",
        "/tokens/": "API tokens",
        "/admin/": "Site administration",
        "/admin/patients/sitemembership/add/": "membership",
    }
    for url, heading in pages.items():
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        assert "unsafe-inline" not in response.headers["content-security-policy"], url
        expect(page.locator("h1").first).to_contain_text(heading, ignore_case=True)
    assert csp_violations(open_page.console) == []


@pytest.mark.browser
def test_the_review_styles_and_the_lesion_script_still_work_from_static_files(open_page, north):
    episode = make_episode(north, "N-CSP-2", unifocal_tibia_case())
    make_user(north, "reviewer", "csp_reviewer")
    make_user(north, "clinician", "csp_clinician")
    reviewer = open_page(signed_in="csp_reviewer")
    reviewer.goto("/review/")
    # review.css (formerly an inline <style>): the riskiest row's coloured left border.
    first_cell = reviewer.locator("table.queue tbody tr td").first
    expect(first_cell).to_be_visible()
    assert first_cell.evaluate("cell => getComputedStyle(cell).borderLeftWidth") == "5px"

    clinician = open_page(signed_in="csp_clinician")
    clinician.goto(f"/episodes/{episode.pk}/edit/")
    rows = clinician.locator("[data-lesion-row]:visible")
    before = rows.count()
    clinician.get_by_role("button", name="Add a lesion").click()
    expect(rows).to_have_count(before + 1)
    clinician.goto(f"/episodes/{episode.pk}/?print=1")
    assert csp_violations(open_page.console) == []


@pytest.mark.browser
def test_the_api_docs_render_under_the_policy(open_page, north):
    make_user(north, "clinician", "csp_docs")
    page = open_page(signed_in="csp_docs")
    response = page.goto("/api/v1/docs/")
    assert response is not None and "unsafe-inline" not in response.headers["content-security-policy"]
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("CNO/CRMO exclusion workbench API")
    expect(page.locator(".opblock").first).to_be_visible()
    assert csp_violations(open_page.console) == []


@pytest.mark.browser
def test_the_guard_notices_what_the_policy_blocks(open_page, north):
    # What a regression would do: an inline style attribute and an image from another origin.
    make_user(north, "clinician", "csp_guard")
    page = open_page(signed_in="csp_guard")
    page.evaluate(
        """() => {
      document.body.insertAdjacentHTML("beforeend",
        '<p style="color: red">inline</p><img alt="" src="https://example.invalid/pixel.png">');
    }"""
    )
    expect(page.locator("p", has_text="inline")).to_have_count(1)
    for _ in range(50):  # the violation reports reach the console asynchronously
        found = csp_violations(open_page.console)
        if any("img-src" in text for text in found) and any("style-src" in text for text in found):
            break
        page.wait_for_timeout(100)
    assert any("style-src" in text for text in found), found
    assert any("img-src" in text for text in found), found
    open_page.console.clear()  # seen and expected: the fixture's own check must not fail this test
