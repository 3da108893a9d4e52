"""A site admin creates an API token in a real browser, copies it once, uses it, and revokes it."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.browser.fixtures import ARTIFACTS
from tests.factories import make_user


def _works(key: str) -> bool:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client.get("/api/v1/rules/").status_code == 200


@pytest.mark.browser
def test_a_site_admin_creates_a_token_sees_it_once_and_revokes_it(open_page, north):
    from playwright.sync_api import expect

    make_user(north, "site_admin", "admin_north")
    make_user(north, "api_client", "registry_north")
    ARTIFACTS.mkdir(exist_ok=True)
    page = open_page(signed_in="admin_north")

    page.goto("/tokens/")
    page.get_by_label("User").select_option(label="registry_north")
    page.get_by_label("Name").fill("registry export")
    page.get_by_role("button", name="Create token").click()

    expect(page.get_by_role("heading", name="Token created")).to_be_visible()
    key = page.locator("[data-token]").input_value()
    assert key.startswith("cno_")
    page.screenshot(path=str(ARTIFACTS / "token_created.png"), full_page=True)
    assert _works(key)

    page.get_by_role("link", name="Back to the tokens").click()
    row = page.locator("tr", has_text="registry export")
    expect(row).to_contain_text(key[:12])
    expect(page.locator("body")).not_to_contain_text(key)  # shown once, never again
    row.get_by_role("button", name=f"Revoke token {key[:12]}").click()
    expect(page.locator("tr", has_text="registry export")).to_contain_text("revoked")
    page.screenshot(path=str(ARTIFACTS / "token_revoked.png"), full_page=True)
    assert not _works(key)
