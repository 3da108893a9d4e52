"""A site admin creates an API token in a real browser, copies it once, uses it, and revokes it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from tests.factories import make_user

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "not-a-real-password-1"  # tests.factories.make_user's password


def _works(key: str) -> bool:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client.get("/api/v1/rules/").status_code == 200


@pytest.mark.browser
def test_a_site_admin_creates_a_token_sees_it_once_and_revokes_it(live_server, north):
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop only drives the browser
    from playwright.sync_api import expect, sync_playwright

    make_user(north, "site_admin", "admin_north")
    make_user(north, "api_client", "registry_north")
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page()
        try:
            page.goto(f"{live_server.url}/login/")
            page.fill("#id_username", "admin_north")
            page.fill("#id_password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(lambda url: "/login/" not in url)

            page.goto(f"{live_server.url}/tokens/")
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
        finally:
            browser.close()
